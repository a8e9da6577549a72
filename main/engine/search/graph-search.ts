import { WorkbenchError } from '../errors.ts';
import type { QnetParams } from '../qnet/index.ts';
import { gatherRows, type SearchCorpus } from './corpus.ts';
import { cancelled } from './exhaustive.ts';
import type { GraphSearchParams } from './presets.ts';
import { floydSample } from './rng.ts';
import { type QnetDocumentScorer, SEARCH_CHUNK } from './scorer.ts';
import { type SearchHits, TopK } from './topk.ts';

/** The part of a neighbour graph that search reads: row i's k neighbours at [i·k, (i+1)·k), nearest first. */
export interface GraphAdjacency {
  rows: number;
  k: number;
  neighbours: Int32Array;
}

/**
 * Buffers reused from query to query, so a search allocates nothing per document: the explored set is a
 * stamp per document (a new stamp per query instead of clearing N entries), candidate lists grow once.
 */
export class GraphSearchScratch {
  private stamps: Uint32Array;
  private stamp = 0;
  candidates: Int32Array = new Int32Array(0);
  next: Int32Array = new Int32Array(0);
  scores = new Float32Array(0);
  staging = new Float32Array(0);

  constructor(rows: number) {
    this.stamps = new Uint32Array(rows);
  }

  /** Starts a query: every document unexplored. */
  reset(rows: number): void {
    if (this.stamps.length !== rows) this.stamps = new Uint32Array(rows);
    if (this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
  }

  explored(doc: number): boolean {
    return this.stamps[doc] === this.stamp;
  }

  explore(doc: number): void {
    this.stamps[doc] = this.stamp;
  }

  ensure(candidates: number, dim: number): void {
    if (this.candidates.length < candidates) {
      this.candidates = grow(this.candidates, candidates);
      this.next = new Int32Array(this.candidates.length);
      this.scores = new Float32Array(this.candidates.length);
    }
    if (this.staging.length < SEARCH_CHUNK * dim) this.staging = new Float32Array(SEARCH_CHUNK * dim);
  }
}

function grow(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(Math.max(n, a.length * 2));
  out.set(a);
  return out;
}

export interface GraphSearchOptions {
  signal?: AbortSignal;
  scratch?: GraphSearchScratch;
}

/**
 * Efficient q-net search over a neighbour graph, the reference algorithm of DESIGN.md §5, step for step:
 *
 *   candidates = numEntryPoints random documents (seeded); explored = candidates
 *   repeat ≤ maxIter: score candidates; take their top min(max(nCandidates, topK), |candidates|); offer
 *   each to the top-k heap (entering only when strictly above its worst); queue the unexplored neighbours
 *   of the first nCandidates; stop early when earlyStop and nothing entered, or when nothing is queued.
 *
 * "Above" is trec_eval's order (score, then docno descending), a total order, so the result is
 * deterministic and, with numEntryPoints = N, exactly the exhaustive top-k. Entry points depend on the
 * seed only (rng.ts), so every query starts from the same documents and a query's result does not depend
 * on the other queries of a batch.
 */
export async function graphSearch(
  scorer: QnetDocumentScorer,
  params: QnetParams,
  corpus: SearchCorpus,
  graph: GraphAdjacency,
  p: GraphSearchParams,
  options: GraphSearchOptions = {},
): Promise<SearchHits> {
  const { rows, dim } = corpus;
  if (graph.rows !== rows) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `the neighbour graph has ${graph.rows} rows but the corpus ${rows}; build the graph from these embeddings`,
      {
        field: 'graph',
      },
    );
  }
  if (p.numEntryPoints > rows) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `numEntryPoints ${p.numEntryPoints} exceeds the corpus of ${rows} documents`,
      { field: 'numEntryPoints' },
    );
  }
  const s = options.scratch ?? new GraphSearchScratch(rows);
  s.reset(rows);
  s.ensure(Math.max(p.numEntryPoints, Math.min(rows, p.nCandidates * graph.k)), dim);
  const heap = new TopK(p.topK, corpus.docnoOrder);
  const take = Math.max(p.nCandidates, p.topK);
  const best = new TopK(Math.min(take, rows), corpus.docnoOrder);

  let count = floydSample(
    rows,
    p.numEntryPoints,
    p.seed,
    { taken: (i) => s.explored(i), take: (i) => s.explore(i) },
    s.candidates,
  ).length;
  let documentsScored = 0;
  let iterations = 0;
  while (iterations < p.maxIter) {
    if (options.signal?.aborted) throw cancelled('graph search');
    iterations++;
    const candidates = s.candidates;
    for (let first = 0; first < count; first += SEARCH_CHUNK) {
      const n = Math.min(SEARCH_CHUNK, count - first);
      const rowsOut = gatherRows(corpus, candidates, first, n, s.staging);
      await scorer.score(params, rowsOut, n, s.scores.subarray(first, first + n), options.signal);
    }
    documentsScored += count;

    // The top min(max(nCandidates, topK), |candidates|) candidates, best first.
    best.clear();
    for (let i = 0; i < count; i++) best.push(candidates[i], s.scores[i]);
    const top = best.sorted();

    let entered = false;
    for (let i = 0; i < top.docs.length; i++) {
      // Offered best first: once one fails to enter, every later (lower) one fails too.
      if (!heap.push(top.docs[i], top.scores[i])) break;
      entered = true;
    }

    let queued = 0;
    const expand = Math.min(p.nCandidates, top.docs.length);
    for (let i = 0; i < expand; i++) {
      const base = top.docs[i] * graph.k;
      for (let j = 0; j < graph.k; j++) {
        const nb = graph.neighbours[base + j];
        if (nb < 0 || s.explored(nb)) continue;
        s.explore(nb);
        if (queued === s.next.length) s.next = grow(s.next, queued + 1);
        s.next[queued++] = nb;
      }
    }
    if (p.earlyStop && !entered) break;
    if (queued === 0) break;
    // The queued neighbours become the next candidates.
    const swap = s.candidates;
    s.candidates = s.next;
    s.next = swap.length >= s.candidates.length ? swap : grow(swap, s.candidates.length);
    if (s.scores.length < s.candidates.length) s.scores = new Float32Array(s.candidates.length);
    count = queued;
  }
  return { ...heap.sorted(), documentsScored, iterations };
}
