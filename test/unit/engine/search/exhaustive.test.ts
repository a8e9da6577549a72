import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { compareBytewise } from '../../../../main/engine/eval/index.ts';
import { QnetScorer } from '../../../../main/engine/qnet/index.ts';
import {
  exhaustiveQnetSearch,
  makeCorpus,
  mergeRanked,
  sharedCorpus,
  TopK,
} from '../../../../main/engine/search/index.ts';
import { clusteredCorpus, docnos, qnetParams, qnetSpec, random } from './helpers.ts';

/** Every document in trec_eval order by a full sort: score descending, docno descending. */
function fullSort(scores: Float32Array, ids: string[]): number[] {
  return Array.from(scores, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a] || compareBytewise(ids[b], ids[a]),
  );
}

describe('TopK', () => {
  it('keeps exactly the first k of a full sort, ties by docno descending', () => {
    const rnd = random(3);
    const n = 5000;
    // Scores on a coarse grid so that many tie.
    const scores = Float32Array.from({ length: n }, () => Math.floor(rnd() * 50) / 4);
    const ids = docnos(n);
    const order = makeCorpus({ embeddings: new Float32Array(n), dim: 1, docnos: ids }).docnoOrder;
    const sorted = fullSort(scores, ids);
    for (const k of [1, 7, 100, 999, 1000]) {
      const heap = new TopK(k, order);
      heap.pushRange(scores, 0);
      const got = heap.sorted();
      expect(Array.from(got.docs)).toEqual(sorted.slice(0, k));
      expect(Array.from(got.scores)).toEqual(sorted.slice(0, k).map((i) => scores[i]));
    }
  });

  it('merges shard lists into the global top-k', () => {
    const rnd = random(8);
    const n = 3000;
    const scores = Float32Array.from({ length: n }, () => Math.round(rnd() * 300));
    const ids = docnos(n);
    const order = makeCorpus({ embeddings: new Float32Array(n), dim: 1, docnos: ids }).docnoOrder;
    const shards = [0, 1000, 2200, 3000];
    const lists = shards.slice(0, -1).map((start, s) => {
      const heap = new TopK(50, order);
      heap.pushRange(scores.subarray(start, shards[s + 1]), start);
      return heap.sorted();
    });
    expect(Array.from(mergeRanked(lists, 50, order).docs)).toEqual(fullSort(scores, ids).slice(0, 50));
  });

  it('refuses NaN scores instead of ranking them arbitrarily', () => {
    const heap = new TopK(3, Int32Array.of(0, 1, 2));
    expect(() => heap.push(1, Number.NaN)).toThrow(WorkbenchError);
  });

  it('refuses duplicate docnos', () => {
    expect(() => makeCorpus({ embeddings: new Float32Array(3), dim: 1, docnos: ['a', 'b', 'a'] })).toThrow(
      /appears twice/,
    );
  });
});

describe('exhaustiveQnetSearch with the ONNX scorer', () => {
  const dim = 32;
  const rows = 5000;
  const spec = qnetSpec([dim, 32, 32, 1]);
  // 400 duplicated rows: equal embeddings give equal scores, so the docno tie rule decides.
  const data = clusteredCorpus(rows, dim, 21, 30, 400);
  const ids = docnos(rows);
  const corpus = makeCorpus({ embeddings: data, dim, docnos: ids });
  let scorer: QnetScorer;
  beforeAll(async () => {
    scorer = await QnetScorer.create({ spec, threads: { intraOpNumThreads: 1 } });
  });
  afterAll(async () => scorer?.dispose());

  it('equals a full sort of all scores, for k up to 1000', async () => {
    for (let q = 0; q < 3; q++) {
      const params = qnetParams(spec, 50 + q);
      const all = await scorer.score(params, data, rows);
      const sorted = fullSort(all, ids);
      let ties = 0;
      for (let i = 1; i < 1000; i++) if (all[sorted[i]] === all[sorted[i - 1]]) ties++;
      expect(ties).toBeGreaterThan(0);
      for (const k of [1, 10, 1000]) {
        const hits = await exhaustiveQnetSearch(scorer, params, corpus, k);
        expect(Array.from(hits.docs)).toEqual(sorted.slice(0, k));
        expect(Array.from(hits.scores)).toEqual(sorted.slice(0, k).map((i) => all[i]));
        expect(hits.documentsScored).toBe(rows);
      }
    }
  });

  it('gives the same result over shared memory and over shards merged', async () => {
    const params = qnetParams(spec, 77);
    const whole = await exhaustiveQnetSearch(scorer, params, corpus, 100);
    const shared = sharedCorpus(corpus);
    expect(shared.embeddings.buffer).toBeInstanceOf(SharedArrayBuffer);
    const a = await exhaustiveQnetSearch(scorer, params, shared, 100, { start: 0, end: 2048 });
    const b = await exhaustiveQnetSearch(scorer, params, shared, 100, { start: 2048, end: rows });
    expect((a.documentsScored ?? 0) + (b.documentsScored ?? 0)).toBe(rows);
    expect(Array.from(mergeRanked([a, b], 100, corpus.docnoOrder).docs)).toEqual(Array.from(whole.docs));
  });

  it("feeds the scorer in its preferred chunk (a GPU scorer's is larger), with the same result", async () => {
    const params = qnetParams(spec, 91);
    const whole = await exhaustiveQnetSearch(scorer, params, corpus, 100);
    const calls: number[] = [];
    const chunked = {
      spec,
      preferredChunk: 700,
      score: (...a: Parameters<QnetScorer['score']>) => {
        calls.push(a[2]);
        return scorer.score(...a);
      },
    };
    const got = await exhaustiveQnetSearch(chunked, params, corpus, 100);
    expect(calls).toEqual([...Array(7).fill(700), 100]);
    expect(Array.from(got.docs)).toEqual(Array.from(whole.docs));
    expect(scorer.preferredChunk).toBe(1024);
  });

  it('refuses embeddings of another size and k beyond 1000, and stops when cancelled', async () => {
    const params = qnetParams(spec, 1);
    const other = makeCorpus({ embeddings: new Float32Array(20 * 16), dim: 16, docnos: docnos(20) });
    await expect(exhaustiveQnetSearch(scorer, params, other, 10)).rejects.toThrow(/32-dimensional documents/);
    await expect(exhaustiveQnetSearch(scorer, params, corpus, 1001)).rejects.toThrow(/from 1 to 1000/);
    const controller = new AbortController();
    controller.abort();
    const err = await exhaustiveQnetSearch(scorer, params, corpus, 10, { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((err as WorkbenchError).code).toBe('CANCELLED');
  });
});
