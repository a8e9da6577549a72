import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttackService } from '../../../../main/engine/attacks/index.ts';
import {
  type ExperimentRobustness,
  ExperimentRunner,
  experimentRobustness,
  formatExperimentRobustness,
  parseExperimentConfig,
} from '../../../../main/engine/experiments/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { prepareDataFolder } from './helpers.ts';

let root: string;
let data: string;
let store: Store;
let tables: ExperimentRobustness[];
let runner: ExperimentRunner;
let attacks: AttackService;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wb-exp-robustness-'));
  ({ data } = await prepareDataFolder(root));
  store = openStore(data);
  runner = new ExperimentRunner({ store, dataDir: data });
  await runner.run(
    parseExperimentConfig({
      name: 'robust',
      datasets: [{ name: 'tiny', split: 'test', maxQueries: 8 }],
      models: [{ name: 'hyp', modes: [{ mode: 'exhaustive' }] }],
      lexical: [{ mode: 'bm25' }],
      metrics: ['nDCG@10', 'RR@10'],
      topK: 10,
      attacks: {
        generate: [
          { family: 'naturality', variant: 'drop-word', seed: 3, sets: 2 },
          { family: 'ordering', variant: 'shuffle', seed: 3 },
        ],
      },
    }),
  );
  attacks = new AttackService(store);
  tables = experimentRobustness(
    { store, experiments: runner.experiments, variations: attacks.repository, families: attacks.families() },
    'robust',
  );
});
afterAll(() => {
  store?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The stored aggregate of a measure for the experiment's run of that grid point and query set. */
function aggregate(point: string, set: string | null, measure: string): number {
  const job = runner.experiments
    .jobs(runner.experiments.require('robust').id)
    .find((j) => j.point === point && j.querySet === set)!;
  return store.metrics.list(job.runId!).find((m) => m.measure === measure && m.queryId === null)!.value;
}

describe('experimentRobustness', () => {
  it('lays out one table per measure: a row per attack group, a column per grid point', () => {
    expect(tables.map((t) => t.measure)).toEqual(['nDCG@10', 'RR@10']);
    const [ndcg] = tables;
    expect(ndcg.queries).toBe(8);
    expect(ndcg.table.columns).toEqual([
      { model: 'hyp', mode: 'exhaustive' },
      { model: 'bm25', mode: 'lexical' },
    ]);
    expect(ndcg.table.rows.map((r) => [r.group, r.cells.map((c) => c?.sets)])).toEqual([
      ['naturality/drop-word', [2, 2]],
      ['ordering/shuffle', [1, 1]],
    ]);
  });

  it('takes its numbers from the stored runs: the drop is (original − varied) / original of their means', () => {
    const [ndcg] = tables;
    const drop = ndcg.table.rows[0].cells[0]!;
    const original = aggregate('hyp/exhaustive', null, 'nDCG@10');
    expect(drop.original.mean).toBeCloseTo(original, 12);
    const sets = ndcg.sets.filter((s) => s.variant === 'drop-word').map((s) => s.name);
    const relative = sets.map((s) => (original - aggregate('hyp/exhaustive', s, 'nDCG@10')) / original);
    expect(drop.relativeDrop!.mean).toBeCloseTo((relative[0] + relative[1]) / 2, 12);
    expect(drop.relativeDrop!.min).toBeCloseTo(Math.min(...relative), 12);
    // BM25 scores a bag of words: a shuffled query ranks the same.
    expect(ndcg.table.rows[1].cells[1]!.absoluteDrop.mean).toBeCloseTo(0, 12);
  });

  it('keeps the varied text and the edit next to each query’s delta', () => {
    const set = tables[0].entries[0].report.sets[0];
    const stored = new Map(attacks.repository.variations(tables[0].sets[0].id).map((v) => [v.queryId, v]));
    expect(set.perQuery).toHaveLength(8);
    for (const q of set.perQuery) {
      expect(q.variedText).toBe(stored.get(q.queryId)!.text);
      expect(q.edit).toBe(stored.get(q.queryId)!.edit);
      expect(q.originalText).toMatch(/^what /);
    }
  });

  it('names the families the experiment lacks, and why, under the printed table', () => {
    expect(tables[0].absent).toEqual([
      { family: 'misspelling', reason: 'not in this experiment' },
      { family: 'synonym', reason: 'not in this experiment' },
      { family: 'paraphrase', reason: 'unavailable (no paraphrase model or imported set)' },
    ]);
    const text = formatExperimentRobustness(tables[0]);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'robustness on tiny (test split), 8 queries (a seeded sample of at most 8 judged queries, seed 42)',
      'relative nDCG@10 drop (original − varied) / original, mean ± std over sets; paired t-test',
      expect.stringMatching(/^attack +hyp \(exhaustive\) +bm25 \(lexical\)$/),
    ]);
    expect(text).toContain('\nparaphrase: unavailable (no paraphrase model or imported set)\n');
    expect(text).toContain('# nDCG@10: graded labels (-l not applied); cutoff 10;');
    expect(text).toContain('# query sets (seeds): naturality/drop-word 3, 4; ordering/shuffle 3');
  });
});
