import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchError } from '../../../../main/engine/errors.ts';
import { QnetScorer } from '../../../../main/engine/qnet/index.ts';
import {
  buildNeighbourGraph,
  exhaustiveQnetSearch,
  graphSearch,
  makeCorpus,
  PooledQnetSearch,
} from '../../../../main/engine/search/index.ts';
import type { SearchTasks } from '../../../../main/engine/search/tasks.ts';
import { WorkerPool } from '../../../../main/engine/workers/index.ts';
import { clusteredCorpus, docnos, qnetParams, qnetSpec } from './helpers.ts';

const entry = new URL('../../../fixtures/search/search-worker.ts', import.meta.url);

describe('PooledQnetSearch (worker pool)', () => {
  const dim = 32;
  const rows = 6000;
  const spec = qnetSpec([dim, 32, 32, 1]);
  const corpus = makeCorpus({
    embeddings: clusteredCorpus(rows, dim, 31, 30, 100),
    dim,
    docnos: docnos(rows),
  });
  let pool: WorkerPool<SearchTasks>;
  let scorer: QnetScorer;
  beforeAll(async () => {
    pool = new WorkerPool<SearchTasks>({ entry, size: 2 });
    scorer = await QnetScorer.create({ spec, threads: { intraOpNumThreads: 1 } });
  });
  afterAll(async () => {
    await pool?.close();
    await scorer?.dispose();
  });

  it('exhaustive search sharded over the workers equals the in-thread search', async () => {
    const pooled = new PooledQnetSearch(pool, corpus, spec, 3);
    expect(pooled.corpus.embeddings.buffer).toBeInstanceOf(SharedArrayBuffer);
    // Many queries in flight at once, each split into three shards.
    const params = Array.from({ length: 6 }, (_, q) => qnetParams(spec, 600 + q));
    const got = await Promise.all(params.map((p) => pooled.exhaustive(p, 200)));
    for (let q = 0; q < params.length; q++) {
      const want = await exhaustiveQnetSearch(scorer, params[q], corpus, 200);
      expect(Array.from(got[q].docs)).toEqual(Array.from(want.docs));
      expect(Array.from(got[q].scores)).toEqual(Array.from(want.scores));
      expect(got[q].documentsScored).toBe(rows);
    }
  });

  it('graph search on a worker equals the in-thread search', async () => {
    const { graph } = await buildNeighbourGraph(corpus, { k: 16, method: 'exact' });
    const pooled = new PooledQnetSearch(pool, corpus, spec);
    const p = { numEntryPoints: 100, nCandidates: 8, maxIter: 8, earlyStop: true, topK: 50, seed: 9 };
    for (let q = 0; q < 4; q++) {
      const params = qnetParams(spec, 700 + q);
      const got = await pooled.graphSearch(params, graph, p);
      const want = await graphSearch(scorer, params, corpus, graph, p);
      expect(Array.from(got.docs)).toEqual(Array.from(want.docs));
      expect(got.documentsScored).toBe(want.documentsScored);
      expect(got.iterations).toBe(want.iterations);
    }
  });

  it('cancels a search in the middle: queued shards at once, running ones between chunks', async () => {
    // A q-net wide enough that one search takes a good fraction of a second.
    const wide = { ...qnetSpec([dim, 512, 512, 1]), config: { ...qnetSpec([]).config, residual: false } };
    const big = makeCorpus({ embeddings: clusteredCorpus(40_000, dim, 3, 30), dim, docnos: docnos(40_000) });
    const pooled = new PooledQnetSearch(pool, big, wide, 8);
    const params = qnetParams(wide, 1);
    let t = performance.now();
    const full = await pooled.exhaustive(params, 10);
    const fullMs = performance.now() - t;
    expect(full.docs.length).toBe(10);
    const controller = new AbortController();
    t = performance.now();
    const search = pooled.exhaustive(params, 10, controller.signal);
    setTimeout(() => controller.abort(), fullMs / 4);
    const err = await search.catch((e: unknown) => e as WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(performance.now() - t).toBeLessThan(fullMs * 0.75);
    // The pool is usable afterwards and gives the same answer.
    expect(Array.from((await pooled.exhaustive(params, 10)).docs)).toEqual(Array.from(full.docs));
  });
});
