import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { compareBytewise } from '../../../../main/engine/eval/index.ts';
import { scoreReference } from '../../../../main/engine/qnet/index.ts';
import {
  exhaustiveQnetSearch,
  type GraphSearchParams,
  GraphSearchScratch,
  graphSearch,
  makeCorpus,
} from '../../../../main/engine/search/index.ts';
import {
  bruteForceNeighbours,
  clusteredCorpus,
  docnos,
  qnetParams,
  qnetSpec,
  random,
  referenceScorer,
} from './helpers.ts';

/**
 * DESIGN.md §5 transcribed as plainly as possible: arrays of objects, Sets, full sorts. It shares nothing
 * with the implementation but the stated entry-point rule (mulberry32 + Floyd) and the trec_eval order.
 */
function transcription(scores: Float64Array, ids: string[], neighbours: number[][], p: GraphSearchParams) {
  const n = scores.length;
  const better = (a: { doc: number; score: number }, b: { doc: number; score: number }) =>
    b.score - a.score || compareBytewise(ids[b.doc], ids[a.doc]);
  const rnd = random(p.seed);
  let candidates: number[] = [];
  const explored = new Set<number>();
  for (let j = n - p.numEntryPoints; j < n; j++) {
    const t = Math.floor(rnd() * (j + 1));
    const pick = explored.has(t) ? j : t;
    explored.add(pick);
    candidates.push(pick);
  }
  let heap: { doc: number; score: number }[] = [];
  let scored = 0;
  let iterations = 0;
  for (let iter = 0; iter < p.maxIter; iter++) {
    iterations++;
    scored += candidates.length;
    const s = candidates.map((doc) => ({ doc, score: scores[doc] })).sort(better);
    const top = s.slice(0, Math.min(Math.max(p.nCandidates, p.topK), s.length));
    let entered = false;
    for (const t of top) {
      if (heap.length < p.topK) {
        heap.push(t);
        entered = true;
        continue;
      }
      heap = heap.sort(better);
      const minimum = heap[heap.length - 1];
      if (better(t, minimum) < 0) {
        heap[heap.length - 1] = t;
        entered = true;
      }
    }
    const next: number[] = [];
    for (const t of top.slice(0, p.nCandidates)) {
      for (const nb of neighbours[t.doc]) {
        if (!explored.has(nb)) {
          explored.add(nb);
          next.push(nb);
        }
      }
    }
    if (p.earlyStop && !entered) break;
    if (next.length === 0) break;
    candidates = next;
  }
  heap.sort(better);
  return { docs: heap.map((h) => h.doc), scores: heap.map((h) => h.score), scored, iterations };
}

const dim = 16;
const rows = 1500;
const spec = qnetSpec([dim, 16, 16, 1]);
const data = clusteredCorpus(rows, dim, 11, 25, 60);
const ids = docnos(rows);
const corpus = makeCorpus({ embeddings: data, dim, docnos: ids });
const k = 12;
const lists = bruteForceNeighbours(data, dim, k);
const graph = { rows, k, neighbours: Int32Array.from(lists.flat()) };

const settings: GraphSearchParams[] = [
  { numEntryPoints: 40, nCandidates: 8, maxIter: 6, earlyStop: true, topK: 20, seed: 1 },
  { numEntryPoints: 40, nCandidates: 8, maxIter: 6, earlyStop: false, topK: 20, seed: 1 },
  { numEntryPoints: 5, nCandidates: 30, maxIter: 12, earlyStop: true, topK: 10, seed: 99 },
  { numEntryPoints: 200, nCandidates: 2, maxIter: 30, earlyStop: false, topK: 100, seed: 7 },
  { numEntryPoints: 1, nCandidates: 1, maxIter: 3, earlyStop: true, topK: 1000, seed: 3 },
];

describe('graphSearch (DESIGN.md §5)', () => {
  it('returns the same lists and counters as a plain transcription of the reference algorithm', async () => {
    const scratch = new GraphSearchScratch(rows);
    let compared = 0;
    for (let q = 0; q < 4; q++) {
      const params = qnetParams(spec, 100 + q);
      const all = scoreReference(spec, params, data, rows).map(Math.fround);
      for (const p of settings) {
        const scorer = referenceScorer(spec);
        const got = await graphSearch(scorer, params, corpus, graph, p, { scratch });
        const want = transcription(all, ids, lists, p);
        expect(Array.from(got.docs)).toEqual(want.docs);
        expect(Array.from(got.scores)).toEqual(want.scores);
        expect(got.documentsScored).toBe(want.scored);
        expect(got.iterations).toBe(want.iterations);
        expect(scorer.rows).toBe(want.scored);
        compared += want.docs.length;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('exercises ties: duplicated documents tie and rank by docno descending', async () => {
    const params = qnetParams(spec, 5);
    const all = scoreReference(spec, params, data, rows).map(Math.fround);
    const got = await graphSearch(
      referenceScorer(spec),
      params,
      corpus,
      graph,
      { ...settings[0], numEntryPoints: rows, topK: 1000 },
      {},
    );
    let ties = 0;
    for (let i = 1; i < got.docs.length; i++) {
      if (got.scores[i] === got.scores[i - 1]) {
        ties++;
        expect(compareBytewise(ids[got.docs[i - 1]], ids[got.docs[i]])).toBeGreaterThan(0);
      }
    }
    expect(ties).toBeGreaterThan(5);
    expect(all.length).toBe(rows);
  });

  it('with numEntryPoints = N returns exactly the exhaustive top-k', async () => {
    for (let q = 0; q < 3; q++) {
      const params = qnetParams(spec, 300 + q);
      for (const topK of [1, 10, 100, 1000]) {
        const p: GraphSearchParams = {
          numEntryPoints: rows,
          nCandidates: 16,
          maxIter: 10,
          earlyStop: true,
          topK,
          seed: 5,
        };
        const graphHits = await graphSearch(referenceScorer(spec), params, corpus, graph, p);
        const exhaustive = await exhaustiveQnetSearch(referenceScorer(spec), params, corpus, topK);
        expect(Array.from(graphHits.docs)).toEqual(Array.from(exhaustive.docs));
        expect(Array.from(graphHits.scores)).toEqual(Array.from(exhaustive.scores));
        expect(graphHits.documentsScored).toBe(rows);
        expect(graphHits.iterations).toBe(1);
      }
    }
  });

  it('a reused scratch gives the same result as a fresh one, query after query', async () => {
    const scratch = new GraphSearchScratch(rows);
    const p = settings[3];
    for (let q = 0; q < 5; q++) {
      const params = qnetParams(spec, 400 + q);
      const a = await graphSearch(referenceScorer(spec), params, corpus, graph, p, { scratch });
      const b = await graphSearch(referenceScorer(spec), params, corpus, graph, p);
      expect(Array.from(a.docs)).toEqual(Array.from(b.docs));
    }
  });

  it('stops when cancelled, between iterations', async () => {
    const controller = new AbortController();
    const scorer = referenceScorer(spec);
    const slow = {
      spec,
      async score(...args: Parameters<typeof scorer.score>) {
        controller.abort();
        return scorer.score(...args);
      },
    };
    const p = { ...settings[3], earlyStop: false };
    const err = await graphSearch(slow, qnetParams(spec, 1), corpus, graph, p, {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(scorer.calls).toBe(1);
  });

  it('refuses a graph of another corpus and too many entry points', async () => {
    const params = qnetParams(spec, 1);
    await expect(
      graphSearch(referenceScorer(spec), params, corpus, { ...graph, rows: rows - 1 }, settings[0]),
    ).rejects.toThrow(/graph has 1499 rows/);
    await expect(
      graphSearch(referenceScorer(spec), params, corpus, graph, { ...settings[0], numEntryPoints: rows + 1 }),
    ).rejects.toThrow(/exceeds the corpus/);
  });
});
