import { compareRuns, type PairedComparison, type PairedOptions } from '../eval/index.ts';

/**
 * Robustness report (DESIGN.md §7; Penha et al., ECIR 2022; the reproduction's Table 6): one metric on
 * the original queries and on every variation set of one model and search mode; absolute and relative
 * drop; paired tests original vs varied; mean and spread over sets of the same kind (the ten DL-typo
 * sets); and per query the texts and the metric delta for the drill-down. Pure: the experiment runner
 * supplies the per-query values (trec_eval per-query output) and the texts.
 *
 * Queries are paired by id: a set's numbers use only the queries that have a value both on the original
 * and on the varied queries (ids only on one side are listed, never silently averaged), so the original
 * mean of a set can differ from the run's overall mean when a set covers fewer queries.
 */

export type PerQueryValues = ReadonlyMap<string, number>;

export interface VariationText {
  text: string;
  changed: boolean;
  edit?: string;
}

export interface VariationSetValues {
  set: string;
  family: string;
  variant: string;
  /** Sets of one group are summarised together (mean and spread); default `family/variant`. */
  group?: string;
  values: PerQueryValues;
  variations?: ReadonlyMap<string, VariationText>;
}

export interface RobustnessInput {
  /** The measure as trec_eval names it, e.g. `ndcg_cut_10`; carried into the report. */
  measure: string;
  original: PerQueryValues;
  originalTexts?: ReadonlyMap<string, string>;
  sets: readonly VariationSetValues[];
}

/** The paired comparison of two per-query maps (default: the eval capability's compareRuns). */
export type CompareFn = (
  original: ReadonlyMap<string, number>,
  varied: ReadonlyMap<string, number>,
  options: PairedOptions,
) => PairedComparison;

export interface RobustnessOptions {
  /** Pair only the queries the set changed (default false: every query of the set, as Penha et al.). */
  changedOnly?: boolean;
  /** Significance level for the `significantSets` count (default 0.05, two-sided paired t-test). */
  alpha?: number;
  /** Options of the paired comparison (bootstrap resamples, permutations, seed). */
  paired?: PairedOptions;
  compare?: CompareFn;
}

export interface QueryDrillDown {
  queryId: string;
  originalText: string | null;
  variedText: string | null;
  changed: boolean | null;
  edit: string | null;
  original: number;
  varied: number;
  /** varied − original: negative when the variation hurt. */
  delta: number;
}

export interface SetRobustness {
  set: string;
  family: string;
  variant: string;
  group: string;
  /** Queries paired (value on both sides). */
  queries: number;
  changedQueries: number;
  original: number;
  varied: number;
  /** original − varied: positive when the variation hurt. */
  absoluteDrop: number;
  /** absoluteDrop / original; null when the original mean is 0. */
  relativeDrop: number | null;
  /**
   * Paired comparison original (A) vs varied (B): t-test, Wilcoxon signed-rank, bootstrap interval and
   * randomization test of the mean difference varied − original, win/tie/loss counts.
   */
  comparison: PairedComparison;
  onlyOriginal: string[];
  onlyVaried: string[];
  perQuery: QueryDrillDown[];
}

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single set. */
  std: number;
  min: number;
  max: number;
}

export interface GroupRobustness {
  group: string;
  family: string;
  variant: string;
  sets: number;
  original: Spread;
  varied: Spread;
  absoluteDrop: Spread;
  /** Over the sets whose relative drop is defined; null when none is. */
  relativeDrop: Spread | null;
  /** Sets whose paired t-test rejects "no difference" at `alpha`. */
  significantSets: number;
  alpha: number;
}

export interface RobustnessReport {
  measure: string;
  changedOnly: boolean;
  sets: SetRobustness[];
  groups: GroupRobustness[];
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { n: 0, mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min, max };
}

function mean(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : Number.NaN;
}

function evaluateSet(
  input: RobustnessInput,
  set: VariationSetValues,
  changedOnly: boolean,
  compare: CompareFn,
  paired: PairedOptions,
): SetRobustness {
  const ids: string[] = [];
  const onlyOriginal: string[] = [];
  for (const qid of input.original.keys()) {
    if (!set.values.has(qid)) onlyOriginal.push(qid);
    else if (!changedOnly || set.variations?.get(qid)?.changed === true) ids.push(qid);
  }
  const onlyVaried = [...set.values.keys()].filter((qid) => !input.original.has(qid));
  const original = new Float64Array(ids.length);
  const varied = new Float64Array(ids.length);
  const perQuery: QueryDrillDown[] = [];
  let changedQueries = 0;
  ids.forEach((qid, i) => {
    original[i] = input.original.get(qid) as number;
    varied[i] = set.values.get(qid) as number;
    const v = set.variations?.get(qid);
    if (v?.changed) changedQueries++;
    perQuery.push({
      queryId: qid,
      originalText: input.originalTexts?.get(qid) ?? null,
      variedText: v?.text ?? null,
      changed: v ? v.changed : null,
      edit: v?.edit ?? null,
      original: original[i],
      varied: varied[i],
      delta: varied[i] - original[i],
    });
  });
  const o = mean(original);
  const v = mean(varied);
  const comparison = compare(
    new Map(ids.map((q, i) => [q, original[i]])),
    new Map(ids.map((q, i) => [q, varied[i]])),
    paired,
  );
  return {
    set: set.set,
    family: set.family,
    variant: set.variant,
    group: set.group ?? `${set.family}/${set.variant}`,
    queries: ids.length,
    changedQueries,
    original: o,
    varied: v,
    absoluteDrop: o - v,
    relativeDrop: o !== 0 && Number.isFinite(o) ? (o - v) / o : null,
    comparison,
    onlyOriginal,
    onlyVaried,
    perQuery,
  };
}

export function evaluateRobustness(
  input: RobustnessInput,
  options: RobustnessOptions = {},
): RobustnessReport {
  const changedOnly = options.changedOnly ?? false;
  const alpha = options.alpha ?? 0.05;
  const compare = options.compare ?? compareRuns;
  const sets = input.sets.map((s) => evaluateSet(input, s, changedOnly, compare, options.paired ?? {}));
  const byGroup = new Map<string, SetRobustness[]>();
  for (const s of sets) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);
  const groups = [...byGroup.entries()].map(([group, members]): GroupRobustness => {
    const relative = members.flatMap((m) => (m.relativeDrop === null ? [] : [m.relativeDrop]));
    return {
      group,
      family: members[0].family,
      variant: members[0].variant,
      sets: members.length,
      original: spread(members.map((m) => m.original)),
      varied: spread(members.map((m) => m.varied)),
      absoluteDrop: spread(members.map((m) => m.absoluteDrop)),
      relativeDrop: relative.length ? spread(relative) : null,
      significantSets: members.filter((m) => m.comparison.tTest !== null && m.comparison.tTest.pValue < alpha)
        .length,
      alpha,
    };
  });
  return { measure: input.measure, changedOnly, sets, groups };
}
