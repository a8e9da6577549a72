import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchError } from '../../../../main/engine/errors.ts';
import { compareBytewise } from '../../../../main/engine/eval/index.ts';
import {
  DEFAULT_HNSW,
  FlatIndex,
  HnswIndex,
  makeCorpus,
  recallAtK,
  sharedCorpus,
} from '../../../../main/engine/search/index.ts';
import { clusteredCorpus, docnos, gaussian, random } from './helpers.ts';

function dotScores(data: Float32Array, dim: number, q: Float32Array, cos: boolean): Float64Array {
  const rows = data.length / dim;
  const out = new Float64Array(rows);
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += q[j] * q[j];
  for (let i = 0; i < rows; i++) {
    let s = 0;
    let n = 0;
    for (let j = 0; j < dim; j++) {
      s += data[i * dim + j] * q[j];
      n += data[i * dim + j] * data[i * dim + j];
    }
    out[i] = cos ? s / Math.sqrt(n * qn) : s;
  }
  return out;
}

describe('bi-encoder search', () => {
  const dim = 48;
  const rows = 6000;
  const data = clusteredCorpus(rows, dim, 17, 60, 50);
  const ids = docnos(rows);
  const corpus = makeCorpus({ embeddings: data, dim, docnos: ids });
  const g = gaussian(random(23));
  // Queries near documents, as a bi-encoder's queries lie near their relevant passages.
  const queries = Array.from({ length: 60 }, (_, i) =>
    Float32Array.from({ length: dim }, (_, j) => data[((i * 97) % rows) * dim + j] + 0.3 * g()),
  );
  let flat: FlatIndex;
  let flatCos: FlatIndex;
  let hnsw: HnswIndex;
  beforeAll(async () => {
    flat = await FlatIndex.create(corpus, 'ip', { intraOpNumThreads: 1 });
    flatCos = await FlatIndex.create(corpus, 'cos', { intraOpNumThreads: 1 });
    hnsw = await HnswIndex.build(corpus, 'ip');
  });
  afterAll(async () => {
    await flat?.dispose();
    await flatCos?.dispose();
  });

  it('flat inner product and cosine equal brute force', async () => {
    for (const [index, cos] of [
      [flat, false],
      [flatCos, true],
    ] as const) {
      for (const q of queries.slice(0, 10)) {
        const hits = await index.search(q, 100);
        const want = dotScores(data, dim, q, cos);
        const order = Array.from(want, (_, i) => i).sort((a, b) => want[b] - want[a]);
        // float32 GEMV vs float64: allow swaps of near-equal neighbours inside the list, not different sets.
        const got = new Set(hits.docs);
        expect(order.slice(0, 95).filter((d) => got.has(d)).length).toBeGreaterThanOrEqual(94);
        for (let i = 0; i < hits.docs.length; i++) expect(hits.scores[i]).toBeCloseTo(want[hits.docs[i]], 3);
        for (let i = 1; i < hits.docs.length; i++) {
          expect(hits.scores[i]).toBeLessThanOrEqual(hits.scores[i - 1]);
          if (hits.scores[i] === hits.scores[i - 1])
            expect(compareBytewise(ids[hits.docs[i - 1]], ids[hits.docs[i]])).toBeGreaterThan(0);
        }
      }
    }
  });

  it('batched flat search equals one query at a time, also over shared memory', async () => {
    const packed = new Float32Array(8 * dim);
    for (let i = 0; i < 8; i++) packed.set(queries[i], i * dim);
    const batch = await flat.searchBatch(packed, 8, 20);
    const shared = await FlatIndex.create(sharedCorpus(corpus), 'ip', { intraOpNumThreads: 1 });
    for (let i = 0; i < 8; i++) {
      const one = await flat.search(queries[i], 20);
      expect(Array.from(batch[i].docs)).toEqual(Array.from(one.docs));
      expect(Array.from((await shared.search(queries[i], 20)).docs)).toEqual(Array.from(one.docs));
    }
    await shared.dispose();
  });

  it(`HNSW at its defaults (M ${DEFAULT_HNSW.M}, efConstruction ${DEFAULT_HNSW.efConstruction}, efSearch ${DEFAULT_HNSW.efSearch}) reaches recall@10 ≥ 0.95 against exact`, async () => {
    const exact = await Promise.all(queries.map((q) => flat.search(q, 10)));
    const approx = queries.map((q) => hnsw.search(q, 10));
    const recall = recallAtK(approx, exact, 10);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    // A starved search (efSearch 1 on a tiny M) is measurably worse: the recall computation can tell.
    const weak = await HnswIndex.build(corpus, 'ip', { M: 2, efConstruction: 4, efSearch: 1 });
    expect(
      recallAtK(
        queries.map((q) => weak.search(q, 10)),
        exact,
        10,
      ),
    ).toBeLessThan(recall);
    // Scores are inner products, ranked like flat search's.
    const a = approx[0];
    expect(a.scores[0]).toBeCloseTo(exact[0].scores[0], 3);
  });

  it('refuses a query of the wrong size and bad HNSW parameters', async () => {
    await expect(flat.search(new Float32Array(3), 10)).rejects.toThrow(/3 dimensions, the documents 48/);
    const err = await HnswIndex.build(corpus, 'ip', { M: 0 }).catch((e: unknown) => e as WorkbenchError);
    expect((err as WorkbenchError).code).toBe('INVALID_ARGUMENT');
  });
});
