import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset, planImport } from '../../../../main/engine/datasets/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { exportRun, getRankings, importRun, saveMetrics } from '../../../../main/engine/runs/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { fixtures, removeTempDirs, tempDir } from '../../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

let store: Store;
let dir: string;
beforeEach(async () => {
  dir = tempDir();
  store = openStore(join(dir, 'data'));
  await importDataset(store, planImport({ path: fixtures.beir, name: 'beir' }));
});
afterEach(() => store.close());

const nothingStored = () => {
  const n = (t: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  expect([n('runs'), n('run_results')]).toEqual([0, 0]);
};

describe('importRun (TREC)', () => {
  it('ranks as trec_eval (score desc, docno desc on ties), keeps # in docnos, skips only line-start comments', async () => {
    const r = await importRun(store, { path: fixtures.trecRun, dataset: 'beir' });
    expect(r).toMatchObject({ queries: 2, lines: 5 });
    expect(r.run).toMatchObject({
      name: 'tiny',
      datasetName: 'beir',
      tag: 'tiny',
      format: 'trec',
      status: 'ready',
    });
    const rankings = getRankings(store, r.run.id);
    expect([...rankings.keys()]).toEqual(['q1', 'q2']);
    expect(rankings.get('q1')!.docnos).toEqual(['d1', 'd2', 'd#4', 'd3']);
    expect([...rankings.get('q1')!.scores]).toEqual([0.75, 0.5, 0.5, -0.001]);
    expect(r.run.stats).toMatchObject({ queries: 2, lines: 5, minDepth: 1, maxDepth: 4, unknownQueries: 0 });
  });

  it('reads .gz runs and reports run queries the dataset lacks', async () => {
    const gz = join(dir, 'other.run.gz');
    writeFileSync(gz, gzipSync('q1 Q0 d1 1 1 t\nq77 Q0 d2 1 1 t\n'));
    const r = await importRun(store, { path: gz, dataset: 'beir' });
    expect(r.run.name).toBe('other');
    expect(r.run.stats).toMatchObject({ unknownQueries: 1, unknownQueryExamples: ['q77'] });
  });

  it('a docno retrieved twice for one query is an error naming both lines; nothing is stored', async () => {
    const file = join(dir, 'dup.run');
    writeFileSync(file, 'q1 Q0 a 1 3 t\nq1 Q0 b 2 2 t\nq2 Q0 a 1 1 t\nq1 Q0 a 3 1 t\n');
    const e = (await importRun(store, { path: file, dataset: 'beir' }).catch(
      (x: unknown) => x,
    )) as WorkbenchError;
    expect(e).toBeInstanceOf(WorkbenchError);
    expect(e.code).toBe('INPUT_DUPLICATE');
    expect(e.message).toContain(
      `${file}:4: document "a" retrieved twice for query "q1" (first at line 1) (field "docno")`,
    );
    expect(e.details).toMatchObject({ file, line: 4, firstLine: 1 });
    nothingStored();
  });

  it('refuses an empty run, a malformed line and a taken name, storing nothing', async () => {
    const empty = join(dir, 'empty.run');
    writeFileSync(empty, '# nothing\n');
    await expect(importRun(store, { path: empty, dataset: 'beir' })).rejects.toMatchObject({
      code: 'INPUT_EMPTY',
    });
    const bad = join(dir, 'bad.run');
    writeFileSync(bad, 'q1 Q0 a 1 1 t\nq1 Q0 b 2 notanumber t\n');
    await expect(importRun(store, { path: bad, dataset: 'beir' })).rejects.toThrow(
      `${bad}:2: score "notanumber" is not a finite number`,
    );
    nothingStored();
    await importRun(store, { path: fixtures.trecRun, dataset: 'beir' });
    await expect(importRun(store, { path: fixtures.trecRun, dataset: 'beir' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('needs an existing dataset', async () => {
    await expect(importRun(store, { path: fixtures.trecRun, dataset: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('importRun (reference JSONL)', () => {
  it('reads {"query":{"id","content"},"items":[...]} and keeps the query text', async () => {
    const r = await importRun(store, { path: fixtures.jsonlRun, dataset: 'beir' });
    expect(r.run.format).toBe('jsonl');
    const results = [...store.runs.iterateResults(r.run.id)];
    expect(results.map((q) => [q.queryId, q.queryText, q.docnos, [...q.scores]])).toEqual([
      ['q1', 'what is a hypernetwork', ['d2', 'd1'], [3, 2.5]],
      ['q2', 'dense retrieval inner product', ['d3'], [0.1]],
    ]);
  });

  it('a duplicate item names both positions on its line', async () => {
    const file = join(dir, 'dup.jsonl');
    writeFileSync(
      file,
      '{"query":{"id":"q1","content":"x"},"items":[{"id":"d1","score":1}]}\n' +
        '{"query":{"id":"q2","content":"y"},"items":[{"id":"a","score":1},{"id":"b","score":2},{"id":"a","score":3}]}\n',
    );
    await expect(importRun(store, { path: file, dataset: 'beir' })).rejects.toThrow(
      `${file}:2: document "a" retrieved twice for query "q2" (items[0] and items[2] of this line) (field "items[2].id")`,
    );
    nothingStored();
  });

  it('names the field of a bad item and a truncated line', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"query":{"id":"q1"},"items":[{"id":"d1","score":"high"}]}\n');
    await expect(importRun(store, { path: file, dataset: 'beir' })).rejects.toThrow(
      `${file}:1: score "high" is not a finite number (field "items[0].score")`,
    );
    writeFileSync(file, '{"query":{"id":"q1"},"items":[{"id":"d1","sco\n');
    await expect(importRun(store, { path: file, dataset: 'beir' })).rejects.toThrow(
      `${file}:1: truncated JSON`,
    );
    nothingStored();
  });
});

describe('exportRun', () => {
  it('writes a TREC run in rank order with 1-based ranks, exact scores and the tag', async () => {
    const { run } = await importRun(store, { path: fixtures.trecRun, dataset: 'beir' });
    const out = join(dir, 'out.run');
    expect(exportRun(store, run, out, 'trec')).toMatchObject({ queries: 2, lines: 5 });
    expect(readFileSync(out, 'utf8')).toBe(
      [
        'q1 Q0 d1 1 0.75 tiny',
        'q1 Q0 d2 2 0.5 tiny',
        'q1 Q0 d#4 3 0.5 tiny',
        'q1 Q0 d3 4 -0.001 tiny',
        'q2 Q0 d2 1 12.25 tiny',
        '',
      ].join('\n'),
    );
    // and it reads back to the same rankings
    const again = await importRun(store, { path: out, dataset: 'beir', name: 'again' });
    expect(getRankings(store, again.run.id)).toEqual(getRankings(store, run.id));
  });

  it('round-trips scores that need all 17 digits', async () => {
    const file = join(dir, 'precise.run');
    const scores = [0.1 + 0.2, 1 / 3, 123456789.12345679, 5e-324];
    writeFileSync(file, scores.map((s, i) => `q1 Q0 d${i} ${i + 1} ${s} t`).join('\n'));
    const { run } = await importRun(store, { path: file, dataset: 'beir' });
    const out = join(dir, 'precise.out');
    exportRun(store, run, out);
    const read = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[4]));
    expect(read).toEqual([...scores].sort((a, b) => b - a));
  });

  it('writes the reference JSONL with query and passage texts from the dataset', async () => {
    const { run } = await importRun(store, { path: fixtures.trecRun, dataset: 'beir' });
    const out = join(dir, 'out.jsonl');
    exportRun(store, run, out, 'jsonl');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[1]).toEqual({
      query: { id: 'q2', content: 'dense retrieval inner product' },
      items: [
        {
          id: 'd2',
          content: 'Dense retrieval scores documents by an inner product of embeddings.',
          score: 12.25,
        },
      ],
    });
    expect(lines[0].items.map((i: { id: string }) => i.id)).toEqual(['d1', 'd2', 'd#4', 'd3']);
  });
});

describe('saveMetrics', () => {
  it('stores values with their settings next to the run', async () => {
    const { run } = await importRun(store, { path: fixtures.trecRun, dataset: 'beir' });
    const settings = {
      relevanceLevel: 2,
      cutoff: 10,
      averaging: 'all-qrels (-c)',
      depth: 1000,
      judgedOnly: false,
      qrelsHash: 'x',
    };
    saveMetrics(store, run.id, [
      { queryId: 'q1', measure: 'ndcg_cut', value: 0.5, settings },
      { queryId: null, measure: 'ndcg_cut', value: 0.25, settings },
    ]);
    expect(store.metrics.list(run.id, { aggregateOnly: true })).toEqual([
      { queryId: null, measure: 'ndcg_cut', value: 0.25, settings },
    ]);
  });
});
