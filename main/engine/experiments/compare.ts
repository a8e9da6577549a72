import { WorkbenchError } from '../errors.ts';
import { adjustPValues, compareRuns, type PairedComparison, type Qrels } from '../eval/index.ts';
import {
  canonicalJson,
  type JsonObject,
  type JsonValue,
  type MetricSettings,
  type MetricValue,
  type RunRecord,
  type Store,
} from '../store/index.ts';
import { evaluateRankings } from './evaluate.ts';

/**
 * Comparisons of stored runs with a baseline, query by query (main/engine/eval `compareRuns`): per measure the
 * means and their difference, wins/ties/losses, paired t-test, Wilcoxon signed-rank and randomization test
 * with Holm or Bonferroni correction over the runs compared, a bootstrap interval, the per-query deltas, and
 * the parameters in which the runs differ. Values come from the metrics stored with the runs; only values
 * produced under the same settings (relevance level, cutoff, averaging, depth, qrels) are paired.
 */

export type Correction = 'holm' | 'bonferroni' | 'none';

export interface StoredMeasure {
  measure: string;
  settings: MetricSettings;
  /** Identity of the settings that must agree for two values to be compared. */
  key: string;
  aggregate: number | null;
  perQuery: Map<string, number>;
  /** false when the values were computed now from the stored rankings (not stored with the run). */
  stored: boolean;
}

export interface ComparedRun {
  run: string;
  mean: number;
  paired: PairedComparison;
  /** p-values after correction over the runs compared with the baseline on this measure. */
  pValues: { tTest: number | null; wilcoxon: number | null; randomization: number | null };
  perQuery: { queryId: string; baseline: number; value: number; delta: number }[];
}

export interface MeasureComparison {
  measure: string;
  settings: MetricSettings;
  baseline: { run: string; mean: number };
  runs: ComparedRun[];
}

export interface ParameterDifference {
  parameter: string;
  baseline: JsonValue | undefined;
  values: (JsonValue | undefined)[];
}

export interface RunsComparison {
  baseline: string;
  runs: string[];
  correction: Correction;
  measures: MeasureComparison[];
  /** Measures the baseline has under settings no compared run shares (or the reverse). */
  unmatched: string[];
  parameters: ParameterDifference[];
}

export interface CompareOptions {
  /** Measure names as stored (column names, e.g. nDCG@10, ndcg_cut_10); default: every shared measure. */
  measures?: readonly string[];
  correction?: Correction;
  seed?: number;
  resamples?: number;
  /**
   * Evaluates runs that lack a requested measure from their stored rankings against these qrels
   * (not stored). Without it, a missing measure is an error.
   */
  qrelsFor?: (run: RunRecord) => { qrels: Qrels; relevanceLevel: number } | undefined;
}

const SETTINGS_IDENTITY = [
  'relevanceLevel',
  'cutoff',
  'averaging',
  'depth',
  'judgedOnly',
  'qrelsHash',
  'scorePrecision',
];

export function settingsKey(s: MetricSettings): string {
  return canonicalJson(Object.fromEntries(SETTINGS_IDENTITY.map((k) => [k, s[k] ?? null])));
}

/** A run's stored metrics grouped by measure and settings (means only: counts are not paired-tested). */
export function storedMeasures(store: Pick<Store, 'metrics'>, runId: number): StoredMeasure[] {
  return measuresOf(store.metrics.list(runId), true);
}

function computed(
  store: Pick<Store, 'runs'>,
  run: RunRecord,
  measures: readonly string[],
  options: CompareOptions,
): StoredMeasure[] {
  const source = options.qrelsFor?.(run);
  if (!source) return [];
  const { values } = evaluateRankings(run.name, store.runs.getRankings(run.id), source.qrels, measures, {
    relevanceLevel: source.relevanceLevel,
  });
  return measuresOf(values);
}

function flatten(value: JsonValue | undefined, prefix: string, out: Map<string, JsonValue>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) out.set(prefix, value);
}

/** What describes how a run was made: its config and, for experiment runs, the grid point and query set. */
export function runParameters(run: RunRecord): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  flatten(run.config, 'config', out);
  const exp = run.stats.experiment as JsonObject | undefined;
  if (exp) {
    flatten(exp.params, 'params', out);
    flatten(exp.system, 'system', out);
    flatten(exp.querySet, 'querySet', out);
  }
  out.set('source', run.source);
  if (run.datasetName) out.set('dataset', run.datasetName);
  return out;
}

/** Only the parameters whose values are not the same in every run. */
export function differingParameters(
  baseline: RunRecord,
  others: readonly RunRecord[],
): ParameterDifference[] {
  const base = runParameters(baseline);
  const rest = others.map(runParameters);
  const names = new Set([...base.keys(), ...rest.flatMap((m) => [...m.keys()])]);
  const out: ParameterDifference[] = [];
  for (const name of [...names].sort()) {
    const b = base.get(name);
    const values = rest.map((m) => m.get(name));
    if (values.every((v) => canonicalJson(v ?? null) === canonicalJson(b ?? null))) continue;
    out.push({ parameter: name, baseline: b, values });
  }
  return out;
}

const adjust = (ps: (number | null)[], correction: Correction): (number | null)[] => {
  if (correction === 'none') return ps;
  const present = ps.map((p, i) => [p, i] as const).filter(([p]) => p !== null) as [number, number][];
  const adjusted = present.length
    ? adjustPValues(
        present.map(([p]) => p),
        correction,
      )
    : [];
  const out: (number | null)[] = ps.map(() => null);
  present.forEach(([, i], k) => {
    out[i] = adjusted[k];
  });
  return out;
};

/** Per measure, every run paired with the baseline on the measures both have under the same settings. */
export function compareMeasureSets(
  baseline: { name: string; measures: readonly StoredMeasure[] },
  others: readonly { name: string; measures: readonly StoredMeasure[] }[],
  options: Pick<CompareOptions, 'correction' | 'seed' | 'resamples'> = {},
): Pick<RunsComparison, 'baseline' | 'runs' | 'correction' | 'measures' | 'unmatched'> {
  if (others.length === 0)
    throw new WorkbenchError('INVALID_ARGUMENT', 'compare needs at least one run besides the baseline', {
      field: 'runs',
    });
  const correction = options.correction ?? 'holm';
  const measures: MeasureComparison[] = [];
  const unmatched: string[] = [];
  for (const b of baseline.measures) {
    const matches = others.map((o) => o.measures.find((m) => m.measure === b.measure && m.key === b.key));
    if (matches.some((m) => m === undefined)) {
      unmatched.push(b.measure);
      continue;
    }
    const paired = matches.map((m) =>
      compareRuns(b.perQuery, m!.perQuery, {
        seed: options.seed,
        resamples: options.resamples,
        permutations: options.resamples,
      }),
    );
    const t = adjust(
      paired.map((x) => x.tTest?.pValue ?? null),
      correction,
    );
    const w = adjust(
      paired.map((x) => x.wilcoxon?.pValue ?? null),
      correction,
    );
    const r = adjust(
      paired.map((x) => x.randomization?.pValue ?? null),
      correction,
    );
    measures.push({
      measure: b.measure,
      settings: b.settings,
      baseline: { run: baseline.name, mean: b.aggregate ?? Number.NaN },
      runs: matches.map((m, i) => ({
        run: others[i].name,
        mean: m!.aggregate ?? Number.NaN,
        paired: paired[i],
        pValues: { tTest: t[i], wilcoxon: w[i], randomization: r[i] },
        perQuery: [...b.perQuery]
          .filter(([q]) => m!.perQuery.has(q))
          .map(([queryId, value]) => {
            const v = m!.perQuery.get(queryId)!;
            return { queryId, baseline: value, value: v, delta: v - value };
          }),
      })),
    });
  }
  return {
    baseline: baseline.name,
    runs: others.map((o) => o.name),
    correction,
    measures,
    unmatched: [...new Set(unmatched)],
  };
}

/** Measures of an evaluation in the shape stored metrics are grouped in (for comparing run files). */
export function measuresOf(values: readonly MetricValue[], stored = false): StoredMeasure[] {
  const out = new Map<string, StoredMeasure>();
  for (const v of values) {
    const key = settingsKey(v.settings);
    const id = `${v.measure}\u0000${key}`;
    let g = out.get(id);
    if (!g) {
      g = { measure: v.measure, settings: v.settings, key, aggregate: null, perQuery: new Map(), stored };
      out.set(id, g);
    }
    if (v.queryId === null) g.aggregate = v.value;
    else g.perQuery.set(v.queryId, v.value);
  }
  return [...out.values()].filter(
    (m) => m.settings.aggregate === undefined || m.settings.aggregate === 'mean',
  );
}

/** Compares runs with a baseline run on their stored per-query metrics. */
export function compareStoredRuns(
  store: Pick<Store, 'metrics' | 'runs'>,
  baseline: RunRecord,
  others: readonly RunRecord[],
  options: CompareOptions = {},
): RunsComparison {
  const load = (run: RunRecord) => {
    let measures = storedMeasures(store, run.id);
    const wanted = options.measures;
    if (wanted?.length) {
      const missing = wanted.filter((m) => !measures.some((s) => s.measure === m));
      if (missing.length) measures = [...measures, ...computed(store, run, missing, options)];
      const still = wanted.filter((m) => !measures.some((s) => s.measure === m));
      if (still.length) {
        const have = [...new Set(measures.map((s) => s.measure))];
        throw new WorkbenchError(
          'NOT_FOUND',
          `run "${run.name}" has no stored ${still.join(', ')} (it has ${have.length ? have.join(', ') : 'no metrics'}); name stored measures with -m, or compare run files with --qrels`,
          { field: 'measure', run: run.name },
        );
      }
      measures = measures.filter((s) => wanted.includes(s.measure));
    }
    return { name: run.name, measures };
  };
  return {
    ...compareMeasureSets(load(baseline), others.map(load), options),
    parameters: differingParameters(baseline, others),
  };
}
