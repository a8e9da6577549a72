import { compareBytewise } from './order.ts';
import type { RunQuery } from './run.ts';

/** trec_eval's relevance values for retrieved documents that carry no usable label. */
export const RELVALUE_NONPOOL = -1; // docno absent from the qrels
export const RELVALUE_UNJUDGED = -2; // in the qrels with a negative label (pooled, not judged)

export interface RankingOptions {
  /** trec_eval 9 stores scores as C floats; trec_eval 10 as doubles. */
  scorePrecision: 'float32' | 'float64';
  /** -M: keep only the first N documents after ranking. */
  maxDocsPerQuery: number;
  /** -J: drop documents without a judgment (absent or negative label) before measuring. */
  judgedOnly: boolean;
}

/**
 * The judged side of one query, prepared once per qrels: trec_eval's `rel_levels` (how many documents carry
 * each non-negative label) and the labels by docno.
 */
export class JudgedQuery {
  readonly relLevels: Int32Array;
  /** trec_eval's num_rel_levels: one past the highest label that occurs. */
  readonly numRelLevels: number;

  constructor(readonly labels: Map<string, number>) {
    let max = -1;
    for (const rel of labels.values()) if (rel > max) max = rel;
    const levels = new Int32Array(max + 1);
    for (const rel of labels.values()) if (rel >= 0) levels[rel]++;
    let n = 0;
    for (let i = 0; i < levels.length; i++) if (levels[i] > 0) n = i + 1;
    this.relLevels = levels;
    this.numRelLevels = n;
  }

  /** Judged documents with label ≥ level (trec_eval's num_rel). */
  numRel(level: number): number {
    let n = 0;
    for (let i = Math.max(level, 0); i < this.relLevels.length; i++) n += this.relLevels[i];
    return n;
  }

  /** Judged documents with label < level (bpref's num_nonrel). */
  numNonrel(level: number): number {
    let n = 0;
    const top = Math.min(level, this.relLevels.length);
    for (let i = 0; i < top; i++) n += this.relLevels[i];
    return n;
  }
}

/**
 * One query's ranking as trec_eval measures it (`te_form_res_rels`): documents sorted by score descending,
 * ties broken by docno descending (strcmp), the rank column ignored; then cut at -M; under -J the unjudged
 * documents removed. `rels[i]` is the label at rank i+1, or RELVALUE_NONPOOL / RELVALUE_UNJUDGED.
 * Buffers are reused from query to query, so a measure must not keep a reference to them.
 */
export class RankedQuery {
  rels: Int32Array = new Int32Array(0);
  numRet = 0;
  numNonpool = 0;
  numUnjudgedInPool = 0;
  judged!: JudgedQuery;
  private order = new Uint32Array(0);
  private keys = new Float64Array(0);
  private relBuf = new Int32Array(0);
  private countsLevel = Number.NaN;
  private countsRelRet = 0;

  rank(query: RunQuery, judged: JudgedQuery, options: RankingOptions): void {
    const { docnos, scores } = query;
    const n = docnos.length;
    if (this.order.length < n) {
      const size = Math.max(n, this.order.length * 2);
      this.order = new Uint32Array(size);
      this.keys = new Float64Array(size);
      this.relBuf = new Int32Array(size);
    }
    const keys = this.keys;
    if (options.scorePrecision === 'float32') for (let i = 0; i < n; i++) keys[i] = Math.fround(scores[i]);
    else keys.set(scores);
    const order = this.order.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = i;
    const state = rankState(keys, docnos, n);
    if (state === UNSORTED) {
      order.sort((a, b) => keys[b] - keys[a] || compareBytewise(docnos[b], docnos[a]));
    } else if (state === TIES_UNORDERED) {
      // Sorted by score already: only runs of equal scores need their docno order fixed.
      const byDocnoDesc = (a: number, b: number) => compareBytewise(docnos[b], docnos[a]);
      for (let i = 0; i < n; ) {
        let j = i + 1;
        while (j < n && keys[j] === keys[i]) j++;
        if (j - i > 1) order.subarray(i, j).sort(byDocnoDesc);
        i = j;
      }
    }

    const depth = Math.min(n, options.maxDocsPerQuery);
    const labels = judged.labels;
    const rels = this.relBuf;
    let kept = 0;
    let nonpool = 0;
    let unjudged = 0;
    for (let r = 0; r < depth; r++) {
      const label = labels.get(docnos[order[r]]);
      const rel = label === undefined ? RELVALUE_NONPOOL : label < 0 ? RELVALUE_UNJUDGED : label;
      if (options.judgedOnly) {
        if (rel >= 0) rels[kept++] = rel;
        continue;
      }
      rels[kept++] = rel;
      if (rel === RELVALUE_NONPOOL) nonpool++;
      else if (rel === RELVALUE_UNJUDGED) unjudged++;
    }
    this.rels = rels.subarray(0, kept);
    this.numRet = kept;
    this.numNonpool = nonpool;
    this.numUnjudgedInPool = unjudged;
    this.judged = judged;
    this.countsLevel = Number.NaN;
  }

  numRel(level: number): number {
    return this.judged.numRel(level);
  }

  /** Retrieved judged documents with label ≥ level (trec_eval's num_rel_ret). */
  numRelRet(level: number): number {
    if (level !== this.countsLevel) {
      let n = 0;
      const rels = this.rels;
      for (let i = 0; i < rels.length; i++) if (rels[i] >= 0 && rels[i] >= level) n++;
      this.countsLevel = level;
      this.countsRelRet = n;
    }
    return this.countsRelRet;
  }
}

const RANKED = 0;
const TIES_UNORDERED = 1;
const UNSORTED = 2;

/**
 * Most runs are written in rank order already, or in score order with ties in another order than
 * trec_eval's; an O(n) check spares the full sort in both cases.
 */
function rankState(keys: Float64Array, docnos: string[], n: number): number {
  let state = RANKED;
  for (let i = 1; i < n; i++) {
    const a = keys[i - 1];
    const b = keys[i];
    if (a > b) continue;
    if (a < b) return UNSORTED;
    if (state === RANKED && compareBytewise(docnos[i - 1], docnos[i]) < 0) state = TIES_UNORDERED;
  }
  return state;
}
