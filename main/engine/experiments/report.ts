import { resolveMeasures } from '../eval/index.ts';
import { type ParetoPoint, paretoFront } from '../latency/index.ts';
import type { JsonObject, RunRecord, Store } from '../store/index.ts';
import { type Correction, compareStoredRuns, type MeasureComparison } from './compare.ts';
import { parseExperimentConfig } from './config.ts';
import type { LatencyRepository } from './latency-store.ts';
import { gridPoints, systemsOf } from './plan.ts';
import type { ExperimentRecord, ExperimentsRepository, JobRecord } from './repository.ts';
import { findPoint } from './validate.ts';

/**
 * What an experiment produced, for `experiments show` and the UI: every job with its run's aggregate metrics
 * and latency; comparisons of every grid point with the baseline (per dataset and query set); the drop of
 * each grid point under each attack set; and per dataset the Pareto front of the first metric against
 * per-query latency.
 */

export interface JobRow extends JobRecord {
  metrics: Record<string, number>;
  /** p50 total (tokenize + encode + search) per query from the latency profile (batch 1, most threads). */
  profileMs: number | null;
  /** p50 search time per query as the search run recorded it (query encoding excluded). */
  searchMs: number | null;
  /** Queries per second measured by the latency profile (batch 1). */
  qps: number | null;
  /** Settings of the profile behind profileMs and qps. */
  profile: string | null;
}

export interface ComparisonGroup {
  dataset: string;
  querySet: string | null;
  baselineRun: string;
  measures: MeasureComparison[];
}

export interface RobustnessRow {
  dataset: string;
  point: string;
  querySet: string;
  measure: string;
  original: number;
  varied: number;
  /** original − varied over the queries both runs have. */
  drop: number;
  relativeDrop: number | null;
  pValue: number | null;
  n: number;
}

export interface ParetoReport {
  dataset: string;
  measure: string;
  points: (ParetoPoint & { run: string; latencySource: string })[];
  front: string[];
}

export interface ExperimentReport {
  experiment: ExperimentRecord;
  jobs: JobRow[];
  baseline: string | null;
  primaryMeasure: string;
  comparisons: ComparisonGroup[];
  robustness: RobustnessRow[];
  pareto: ParetoReport[];
}

export const PROFILE_SOURCE = 'p50 total (tokenize + encode + search) per query, batch 1';
export const SEARCH_SOURCE = 'p50 search per query as the run recorded it (query encoding excluded)';

/** A run's per-query latencies: from its latency profile (batch 1, most threads) and from its search. */
export function runLatency(
  run: RunRecord,
  latency: Pick<LatencyRepository, 'list'>,
): { profileMs: number | null; searchMs: number | null; qps: number | null; profile: string | null } {
  const profiles = latency.list(run.id).filter((p) => p.settings.batchSize === 1);
  const p = profiles.length
    ? profiles.reduce((a, b) => (b.settings.threads > a.settings.threads ? b : a))
    : undefined;
  const search = (run.stats.latencyMs as JsonObject | undefined)?.p50;
  return {
    profileMs: p ? p.summary.stages.total.p50 : null,
    searchMs: typeof search === 'number' ? search : null,
    qps: p ? p.summary.qps : null,
    profile: p
      ? `${p.settings.threads} threads, ${p.settings.provider}, ${p.settings.queries} queries × ${p.settings.repetitions}`
      : null,
  };
}

function aggregates(run: RunRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of (run.stats.metrics as { measure: string; value: number }[] | undefined) ?? [])
    out[m.measure] = m.value;
  return out;
}

export function experimentReport(
  store: Pick<Store, 'runs' | 'metrics'>,
  experiments: Pick<ExperimentsRepository, 'require' | 'jobs'>,
  latency: Pick<LatencyRepository, 'list'>,
  name: string,
  options: { correction?: Correction; seed?: number; resamples?: number } = {},
): ExperimentReport {
  const experiment = experiments.require(name);
  const config = parseExperimentConfig(experiment.config, `experiment "${name}"`);
  const primaryMeasure = resolveMeasures([config.metrics[0]], {
    relevanceLevel: 1,
    numDocsInCollection: 0,
  }).flatMap((i) => i.columns)[0].name;
  const systems = systemsOf(config);
  const points = new Map(systems.flatMap((s) => gridPoints(s)).map((p) => [p.id, p]));
  const baseline = config.baseline ? (findPoint(config.baseline, systems, points).point?.id ?? null) : null;

  const runs = new Map<number, RunRecord>();
  const jobs: JobRow[] = experiments.jobs(experiment.id).map((j) => {
    const run = j.runId !== null ? store.runs.getById(j.runId) : undefined;
    if (run) runs.set(j.id, run);
    const lat = run ? runLatency(run, latency) : null;
    return {
      ...j,
      metrics: run ? aggregates(run) : {},
      profileMs: lat?.profileMs ?? null,
      searchMs: lat?.searchMs ?? null,
      qps: lat?.qps ?? null,
      profile: lat?.profile ?? null,
    };
  });
  const done = jobs.filter((j) => j.status === 'succeeded' && runs.has(j.id));
  const compareOptions = { correction: options.correction, seed: options.seed, resamples: options.resamples };

  const comparisons: ComparisonGroup[] = [];
  if (baseline) {
    const groups = new Map<string, JobRow[]>();
    for (const j of done) {
      const key = `${j.dataset}\u0000${j.querySet ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), j]);
    }
    for (const group of groups.values()) {
      const base = group.find((j) => j.point === baseline);
      const others = group.filter((j) => j !== base);
      if (!base || others.length === 0) continue;
      const result = compareStoredRuns(
        store,
        runs.get(base.id)!,
        others.map((j) => runs.get(j.id)!),
        compareOptions,
      );
      comparisons.push({
        dataset: base.dataset,
        querySet: base.querySet,
        baselineRun: base.runName,
        measures: result.measures,
      });
    }
  }

  const robustness: RobustnessRow[] = [];
  for (const j of done) {
    if (j.querySet === null) continue;
    const original = done.find((o) => o.querySet === null && o.point === j.point && o.dataset === j.dataset);
    if (!original) continue;
    const result = compareStoredRuns(store, runs.get(original.id)!, [runs.get(j.id)!], {
      ...compareOptions,
      measures: [primaryMeasure],
      correction: 'none',
    });
    for (const m of result.measures) {
      const r = m.runs[0];
      const drop = r.paired.meanA - r.paired.meanB;
      robustness.push({
        dataset: j.dataset,
        point: j.point,
        querySet: j.querySet,
        measure: m.measure,
        original: r.paired.meanA,
        varied: r.paired.meanB,
        drop,
        relativeDrop: r.paired.meanA ? drop / r.paired.meanA : null,
        pValue: r.pValues.tTest,
        n: r.paired.n,
      });
    }
  }

  const pareto: ParetoReport[] = [];
  for (const d of config.datasets) {
    const original = done.filter(
      (j) => j.dataset === d.name && j.querySet === null && primaryMeasure in j.metrics,
    );
    // One kind of latency per front: full pipeline timings when the runs were profiled, else search timings.
    const profiled = original.filter((j) => j.profileMs !== null);
    const use = profiled.length ? profiled : original.filter((j) => j.searchMs !== null);
    if (use.length === 0) continue;
    const points = use.map((j) => ({
      id: j.point,
      run: j.runName,
      quality: j.metrics[primaryMeasure],
      latencyMs: (profiled.length ? j.profileMs : j.searchMs)!,
      latencySource: profiled.length ? `${PROFILE_SOURCE}, ${j.profile}` : SEARCH_SOURCE,
    }));
    pareto.push({
      dataset: d.name,
      measure: primaryMeasure,
      points,
      front: paretoFront(points).map((p) => p.id),
    });
  }
  return { experiment, jobs, baseline, primaryMeasure, comparisons, robustness, pareto };
}
