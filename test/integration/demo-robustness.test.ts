import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import { AttackService, FAMILY_VARIANTS } from '../../main/engine/attacks/index.ts';
import { DEMO_EXPERIMENTS, DEMO_PACKAGES, demoStatus } from '../../main/engine/demo/index.ts';
import {
  type ExperimentRobustness,
  ExperimentsRepository,
  experimentRobustness,
} from '../../main/engine/experiments/index.ts';
import { openStore } from '../../main/engine/store/index.ts';

/**
 * The robustness demo end to end (`workbench demo robustness`): native-models/demo/robustness.json with the
 * shipped packages, in a fresh data folder — the WordNet dataset built and imported, both corpora encoded,
 * every family that can be generated, a robustness table per measure — and then again in a second fresh
 * data folder with the same seeds, which must give the same tables and the very same variation texts.
 *
 * The config is the shipped one with one override, `--max-queries 30` (a seeded sample of 30 of the 1222
 * test queries instead of 300), so that the two complete runs fit in about two minutes on two cores.
 */

const DEMO_DIR = fileURLToPath(new URL('../../native-models', import.meta.url));
const status = demoStatus(DEMO_DIR);
if (!status.available) console.warn(`SKIPPED robustness demo test: ${status.reason}`);

const MAX_QUERIES = 30;
const GROUPS = Object.entries(FAMILY_VARIANTS)
  .filter(([family]) => family !== 'paraphrase')
  .flatMap(([family, variants]) => variants.map((v) => `${family}/${v}`));
const work = mkdtempSync(join(tmpdir(), 'wb-demo-robustness-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Outcome {
  stdout: string;
  tables: ExperimentRobustness[];
  variations: Map<string, unknown[]>;
  config: Record<string, unknown>;
}

/** The CLI in-process on a data folder of `work`; fails the test on a non-zero exit. */
async function cli(folder: string, args: string[]): Promise<string> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => ({
    write: (s: string) => {
      append(s);
      return true;
    },
  });
  const code = await main(['--data', join(work, folder), ...args], {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
  });
  expect(code, stderr).toBe(0);
  return stdout;
}

async function runDemo(folder: string): Promise<Outcome> {
  const dataDir = join(work, folder);
  const stdout = await cli(folder, ['demo', 'robustness', '--max-queries', String(MAX_QUERIES)]);
  const store = openStore(dataDir);
  try {
    const attacks = new AttackService(store);
    const experiments = new ExperimentsRepository(store);
    const tables = experimentRobustness(
      { store, experiments, variations: attacks.repository, families: attacks.families() },
      'demo-robustness',
    );
    const variations = new Map<string, unknown[]>(
      attacks.list().map((s) => [s.name, attacks.repository.variations(s.id)]),
    );
    return { stdout, tables, variations, config: experiments.require('demo-robustness').config };
  } finally {
    store.close();
  }
}

/** The printed robustness tables: from the first one to the end (the jobs table above holds timings). */
const printedTables = (stdout: string) => stdout.slice(stdout.indexOf('\nrobustness on '));

describe.skipIf(!status.available)('the robustness demo (every family that can be generated)', () => {
  let first: Outcome;

  it('runs the shipped config in a fresh data folder and prints the robustness table', async () => {
    first = await runDemo('first');
    const shipped = JSON.parse(readFileSync(join(DEMO_DIR, DEMO_EXPERIMENTS.robustness), 'utf8'));
    // the shipped config, with only the sample size overridden
    expect(first.config.datasets).toEqual(
      shipped.datasets.map((d: object) => ({ ...d, maxQueries: MAX_QUERIES })),
    );
    expect(first.config.attacks).toEqual(shipped.attacks);

    const ndcg = first.tables.find((t) => t.measure === 'nDCG@10');
    expect(ndcg).toBeDefined();
    const table = ndcg!.table;
    expect(ndcg!.queries).toBe(MAX_QUERIES);
    expect(table.rows.map((r) => r.group)).toEqual(GROUPS);
    expect(table.columns).toEqual([
      { model: DEMO_PACKAGES[0], mode: 'exhaustive' },
      { model: DEMO_PACKAGES[1], mode: 'flat' },
      { model: 'bm25', mode: 'lexical' },
    ]);
    for (const row of table.rows) {
      expect(row.cells[0]?.sets, row.group).toBe(row.group === 'misspelling/dl-typo' ? 3 : 1);
      for (const cell of row.cells) {
        expect(cell, row.group).not.toBeNull();
        expect(Number.isFinite(cell!.relativeDrop?.mean), row.group).toBe(true);
        expect(Number.isFinite(cell!.original.mean) && cell!.original.mean > 0, row.group).toBe(true);
      }
    }
    // BM25 matches a bag of words: shuffling them changes no score.
    const shuffle = table.rows.find((r) => r.group === 'ordering/shuffle')!;
    expect(shuffle.cells[2]!.absoluteDrop.mean).toBeCloseTo(0, 12);
    // A typo in one word of a definition costs every system nDCG@10.
    const typo = table.rows.find((r) => r.group === 'misspelling/dl-typo')!;
    for (const cell of typo.cells) expect(cell!.relativeDrop!.mean).toBeGreaterThan(0.05);

    expect(ndcg!.absent).toEqual([
      { family: 'paraphrase', reason: 'unavailable (no paraphrase model or imported set)' },
    ]);
    expect(ndcg!.sets).toHaveLength(12);
    for (const set of ndcg!.sets) {
      // every generated set changes ≥ 90 % of its queries: all of the test split, and those evaluated
      expect(set.summary.changed / set.summary.queries, set.name).toBeGreaterThanOrEqual(0.9);
      const evaluated = ndcg!.entries[0].report.sets.find((s) => s.set === set.name)!;
      expect(evaluated.queries).toBe(MAX_QUERIES);
      expect(evaluated.changedQueries / evaluated.queries, set.name).toBeGreaterThanOrEqual(0.9);
    }

    const printed = printedTables(first.stdout);
    expect(printed).toContain('relative nDCG@10 drop (original − varied) / original');
    expect(printed).toContain('relative RR@10 drop');
    expect(printed).toContain('paraphrase: unavailable (no paraphrase model or imported set)');
    expect(printed).toMatch(/# nDCG@10: graded labels \(-l not applied\); cutoff 10;/);
    expect(printed).toContain('misspelling/dl-typo 11, 12, 13');
    for (const group of GROUPS) expect(printed).toContain(`\n${group} `);
  }, 600_000);

  it('gives the same tables and variation texts from a second fresh data folder', async () => {
    expect(first, 'the first run failed').toBeDefined();
    const second = await runDemo('second');
    expect([...second.variations.keys()]).toEqual([...first.variations.keys()]);
    for (const [name, rows] of first.variations) expect(second.variations.get(name), name).toEqual(rows);
    expect(printedTables(second.stdout)).toBe(printedTables(first.stdout));
    // `experiments show` prints the same robustness tables from the store.
    const shown = await cli('second', ['experiments', 'show', 'demo-robustness']);
    expect(printedTables(shown)).toBe(printedTables(second.stdout));
    expect(second.tables.map((t) => t.entries.map((e) => e.report))).toEqual(
      first.tables.map((t) => t.entries.map((e) => e.report)),
    );
  }, 600_000);
});
