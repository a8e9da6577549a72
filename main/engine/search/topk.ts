import { WorkbenchError } from '../errors.ts';

/**
 * Exact top-k by a bounded min-heap over document indices, in trec_eval's order: score descending, ties
 * broken by docno descending (byte-wise, trec_eval `te_form_res_rels`). The docno comparison is a lookup
 * in `docnoOrder` (each document's rank in byte order, see corpus.ts), so the hot path compares numbers,
 * never strings. Because (score, docno) is a total order, "strictly greater" is well defined and the
 * k best documents are unique: the heap's result equals a full sort cut at k.
 */

/** One query's result: document indices in rank order and their scores, plus the search's counters. */
export interface SearchHits {
  docs: Int32Array;
  scores: Float64Array;
  /** Documents whose score was computed for this query (q-net or inner-product evaluations); null where the index does not count them (HNSW, BM25). */
  documentsScored: number | null;
  /** Graph search: iterations of the search loop used; 1 for single-pass searches. */
  iterations: number;
}

function nanScore(doc: number): WorkbenchError {
  return new WorkbenchError(
    'INVALID_ARGUMENT',
    `document ${doc} scored NaN: the query's scoring parameters (q-net weights or embedding) contain NaN or overflow. Check the query encoder's output`,
    { field: 'scores', doc },
  );
}

export class TopK {
  readonly capacity: number;
  private readonly heapDocs: Int32Array;
  private readonly heapScores: Float64Array;
  private count = 0;

  constructor(
    capacity: number,
    private readonly docnoOrder: Int32Array,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new WorkbenchError('INVALID_ARGUMENT', `top-k needs k ≥ 1 (got ${capacity})`, { field: 'k' });
    }
    this.capacity = capacity;
    this.heapDocs = new Int32Array(capacity);
    this.heapScores = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** The worst score kept; -Infinity until the heap is full (anything may enter). */
  get threshold(): number {
    return this.count === this.capacity ? this.heapScores[0] : Number.NEGATIVE_INFINITY;
  }

  clear(): void {
    this.count = 0;
  }

  /** a ranks above b: higher score, or equal score and the byte-wise larger docno. */
  private above(scoreA: number, docA: number, scoreB: number, docB: number): boolean {
    return scoreA > scoreB || (scoreA === scoreB && this.docnoOrder[docA] > this.docnoOrder[docB]);
  }

  /** Offers a document; returns whether it entered (the heap had room, or it ranks above the worst kept). */
  push(doc: number, score: number): boolean {
    if (Number.isNaN(score)) throw nanScore(doc);
    const scores = this.heapScores;
    const docs = this.heapDocs;
    if (this.count < this.capacity) {
      // Sift up from the new leaf: parents rank below their children (min-heap on the trec_eval order).
      let i = this.count++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.above(scores[parent], docs[parent], score, doc)) break;
        scores[i] = scores[parent];
        docs[i] = docs[parent];
        i = parent;
      }
      scores[i] = score;
      docs[i] = doc;
      return true;
    }
    if (!this.above(score, doc, scores[0], docs[0])) return false;
    this.siftDown(doc, score);
    return true;
  }

  /** Offers `scores[i]` for document `firstDoc + i`, the hot loop of exhaustive and flat search. */
  pushRange(scores: Float32Array | Float64Array, firstDoc: number, n = scores.length): void {
    for (let i = 0; i < n; i++) {
      const s = scores[i];
      // Most documents lose to the current worst on the score alone.
      if (s < this.heapScores[0] && this.count === this.capacity) continue;
      this.push(firstDoc + i, s);
    }
  }

  private siftDown(doc: number, score: number): void {
    const scores = this.heapScores;
    const docs = this.heapDocs;
    const n = this.count;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let child = left;
      const right = left + 1;
      if (right < n && this.above(scores[left], docs[left], scores[right], docs[right])) child = right;
      if (!this.above(score, doc, scores[child], docs[child])) break;
      scores[i] = scores[child];
      docs[i] = docs[child];
      i = child;
    }
    scores[i] = score;
    docs[i] = doc;
  }

  /** The kept documents in rank order (best first). */
  sorted(): { docs: Int32Array; scores: Float64Array } {
    const n = this.count;
    const index = Array.from({ length: n }, (_, i) => i);
    const s = this.heapScores;
    const d = this.heapDocs;
    const order = this.docnoOrder;
    index.sort((a, b) => (s[a] !== s[b] ? s[b] - s[a] : order[d[b]] - order[d[a]]));
    const docs = new Int32Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      docs[i] = d[index[i]];
      scores[i] = s[index[i]];
    }
    return { docs, scores };
  }
}

/** Merges ranked lists of disjoint document sets (e.g. corpus shards) into the best k. */
export function mergeRanked(
  lists: readonly { docs: Int32Array; scores: Float64Array }[],
  k: number,
  docnoOrder: Int32Array,
): { docs: Int32Array; scores: Float64Array } {
  const heap = new TopK(k, docnoOrder);
  for (const list of lists) {
    for (let i = 0; i < list.docs.length; i++) {
      // Each list is sorted: once one of its documents fails to enter, the rest of that list fails too.
      if (!heap.push(list.docs[i], list.scores[i])) break;
    }
  }
  return heap.sorted();
}
