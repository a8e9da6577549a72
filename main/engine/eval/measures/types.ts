import type { RankedQuery } from '../ranking.ts';

/**
 * How trec_eval reads a measure's parameters (`-m name.params`):
 * cutoffs — positive integers, sorted, no duplicates (P.5,10); fractions — numbers, sorted, no duplicates
 * (iprec_at_recall.0,.5); numbers — an ordered list (utility.1,-1,0,0); gains — `label=gain` pairs (ndcg.1=3).
 */
export type ParamKind = 'none' | 'cutoffs' | 'fractions' | 'numbers' | 'gains';

/** How per-query values become the `all` line (trec_eval's calc_avg procedures). */
export type Aggregate =
  | 'mean' // arithmetic mean over queries (missing ones count 0 under -c)
  | 'gmean' // geometric mean: per-query values are logs, floored at MIN_GEO_MEAN
  | 'sum' // counts: summed over evaluated queries
  | 'numq' // num_q: the number of queries averaged over
  | 'runid' // the run's tag
  | 'none'; // per-query only (relstring)

/** What a measure computes with, resolved from the command line or an ir_measures name. */
export interface MeasureParams {
  /** Relevance level for binary decisions: -l, or ir_measures `rel=`. */
  level: number;
  /** Sorted cutoffs, fractions, or ordered numbers, depending on the family's ParamKind. */
  values: number[];
  /** Gain overrides `label=gain` (ndcg, G, …), in the order given. */
  gains: ReadonlyArray<readonly [label: number, gain: number]>;
  /** Rank depth applied before measuring (ir_measures RR@k): only the first `depth` documents count. */
  depth: number;
  /** -N, the collection size (only utility's fourth coefficient uses it). */
  numDocsInCollection: number;
}

export interface MeasureFamily {
  /** trec_eval's name, e.g. "ndcg_cut". */
  name: string;
  params: ParamKind;
  defaults: readonly number[];
  /** False for measures trec_eval computes without the relevance level (nDCG uses raw labels). */
  usesLevel: boolean;
  aggregate: Aggregate;
  /** trec_eval prints counts with %ld, everything else with %6.4f. */
  integer: boolean;
  /** Number of values one parameter set produces (one per cutoff for cutoff families). */
  width(values: readonly number[]): number;
  /** Writes the query's values at out[at…]; out is zeroed before, as trec_eval zeroes q_eval. */
  compute(q: RankedQuery, p: MeasureParams, out: Float64Array, at: number): void;
}

/** trec_eval's floor for geometric means (MIN_GEO_MEAN), also used by gm_map and gm_bpref per query. */
export const MIN_GEO_MEAN = 0.00001;
/** trec_eval's INFAP_EPSILON. */
export const INFAP_EPSILON = 0.00001;

export function single(
  name: string,
  compute: (q: RankedQuery, p: MeasureParams) => number,
  extra: Partial<Pick<MeasureFamily, 'usesLevel' | 'aggregate' | 'integer' | 'params' | 'defaults'>> = {},
): MeasureFamily {
  return {
    name,
    params: extra.params ?? 'none',
    defaults: extra.defaults ?? [],
    usesLevel: extra.usesLevel ?? true,
    aggregate: extra.aggregate ?? 'mean',
    integer: extra.integer ?? false,
    width: () => 1,
    compute(q, p, out, at) {
      out[at] = compute(q, p);
    },
  };
}

/** A family producing one value per cutoff from one pass (P, recall, map_cut, …). */
export function perCutoff(
  name: string,
  defaults: readonly number[],
  compute: (q: RankedQuery, p: MeasureParams, out: Float64Array, at: number) => void,
  extra: Partial<Pick<MeasureFamily, 'usesLevel' | 'params'>> = {},
): MeasureFamily {
  return {
    name,
    params: extra.params ?? 'cutoffs',
    defaults,
    usesLevel: extra.usesLevel ?? true,
    aggregate: 'mean',
    integer: false,
    width: (values) => values.length,
    compute,
  };
}

export const RANK_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000] as const;
export const RECALL_FRACTIONS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0] as const;
