import { QueryVariationsRepository } from '../attacks/index.ts';
import { WorkbenchError } from '../errors.ts';
import {
  type Correction,
  ExperimentsRepository,
  experimentReport,
  type JobRecord,
  LatencyRepository,
  type ParetoReport,
} from '../experiments/index.ts';
import type { JsonObject, MetricSettings, RunRecord, Store } from '../store/index.ts';
import {
  type PerQueryValue,
  REPORT_FORMAT,
  REPORT_VERSION,
  type ReportDataset,
  type ReportMetric,
  type ReportModel,
  type ReportModelInfo,
  type ReportRun,
  type ReportSource,
  type SignificancePolicy,
} from './model.ts';
import {
  effectivenessGroups,
  type GroupInput,
  measureDescriptions,
  queryDifferences,
  robustnessFamilies,
  sweepTables,
} from './sections.ts';

export interface ReportOptions {
  title?: string;
  significance?: Partial<SignificancePolicy>;
  /** Run selections: the run the others are compared with (default: the first run of each dataset). */
  baseline?: string;
  /** Queries with the largest differences listed per comparison group (default 10). */
  topQueries?: number;
  seed?: number;
  resamples?: number;
  now?: () => Date;
}

export const PROFILE_SOURCE = 'p50 total (tokenize + encode + search) per query, batch 1';
export const SEARCH_SOURCE = 'p50 search per query as the run recorded it (query encoding excluded)';

export function policyOf(options: ReportOptions): SignificancePolicy {
  return {
    test: options.significance?.test ?? 'tTest',
    alpha: options.significance?.alpha ?? 0.05,
    correction: options.significance?.correction ?? 'holm',
  };
}

/** Aggregates as the run recorded them (config order), with their stored settings. */
function metricsOf(store: Pick<Store, 'metrics'>, run: RunRecord): ReportMetric[] {
  const stored = store.metrics.list(run.id, { aggregateOnly: true });
  const recorded = run.stats.metrics as
    | { measure: string; value: number; settings: MetricSettings }[]
    | undefined;
  if (recorded?.length) {
    // The stored row is the source of truth; the run's stats say which of a measure's settings it used.
    return recorded.map((m) => {
      const row = stored.find((s) => s.measure === m.measure && s.value === m.value);
      return row
        ? { measure: row.measure, value: row.value, settings: row.settings }
        : { measure: m.measure, value: m.value, settings: m.settings };
    });
  }
  const seen = new Set<string>();
  return stored
    .filter((m) => !seen.has(m.measure) && seen.add(m.measure))
    .map((m) => ({ measure: m.measure, value: m.value, settings: m.settings }));
}

export function reportRun(
  store: Store,
  latency: LatencyRepository,
  run: RunRecord,
  job: JobRecord | undefined,
): ReportRun {
  const lat = run.stats.latencyMs as { p50: number; p95: number; p99: number; mean: number } | undefined;
  return {
    name: run.name,
    runId: run.id,
    dataset: job?.dataset ?? run.datasetName,
    system: job?.system ?? null,
    point: job?.point ?? null,
    querySet: job?.querySet ?? null,
    params: job?.params ?? {},
    source: run.source,
    config: run.config,
    environment: { ...(job?.environment ?? {}), ...run.environment },
    createdAt: run.createdAt,
    queries: store.runs.queryCount(run.id),
    metrics: metricsOf(store, run),
    searchLatency: lat && typeof lat.p50 === 'number' ? lat : null,
    profiles: latency.list(run.id).map(({ settings, summary }) => ({ settings, summary })),
  };
}

function datasetsOf(store: Store, runs: readonly ReportRun[], config: JsonObject | null): ReportDataset[] {
  const configured = (config?.datasets ?? []) as {
    name: string;
    split?: string;
    relevanceLevel?: number;
    maxQueries?: number;
  }[];
  const names = [...new Set([...configured.map((d) => d.name), ...runs.map((r) => r.dataset)])].filter(
    (n): n is string => n !== null,
  );
  return names.map((name) => {
    const d = store.datasets.get(name);
    const c = configured.find((x) => x.name === name);
    return {
      name,
      format: d?.format ?? null,
      contentHash: d?.contentHash ?? null,
      documents: d?.stats.documents ?? null,
      queries: d?.stats.queries ?? null,
      judgedQueries: d?.stats.judgedQueries ?? null,
      judgments: d?.stats.judgments ?? null,
      meanDocLength: d?.stats.meanDocLength ?? null,
      meanQueryLength: d?.stats.meanQueryLength ?? null,
      split: c?.split ?? null,
      relevanceLevel: c ? (c.relevanceLevel ?? 1) : null,
      maxQueries: c?.maxQueries ?? null,
    };
  });
}

function modelsOf(jobs: readonly (JobRecord | undefined)[]): ReportModelInfo[] {
  const out = new Map<string, ReportModelInfo>();
  for (const j of jobs) {
    const m = j?.inputs.model as JsonObject | null | undefined;
    if (!m || typeof m.name !== 'string' || out.has(m.name)) continue;
    out.set(m.name, {
      name: m.name,
      kind: typeof m.kind === 'string' ? m.kind : null,
      source: typeof m.source === 'string' ? m.source : null,
      packageHash: typeof m.packageHash === 'string' ? m.packageHash : null,
      documentEncoderHash: typeof m.documentEncoderHash === 'string' ? m.documentEncoderHash : null,
      files: (m.files ?? {}) as Record<string, string>,
    });
  }
  return [...out.values()];
}

function distinct(objects: readonly JsonObject[]): JsonObject[] {
  const seen = new Map<string, JsonObject>();
  for (const o of objects) seen.set(JSON.stringify(o), o);
  return [...seen.values()];
}

/** The environment keys that describe the machine and library versions (per-run search knobs left out). */
const MACHINE_KEYS = [
  'os',
  'platform',
  'cpu',
  'logicalCores',
  'memoryBytes',
  'gpus',
  'provider',
  'workbench',
  'node',
  'onnxruntime',
  'hnswlib',
  'sqlite',
  'tokenizers',
];

function perQueryOf(store: Pick<Store, 'metrics'>, runs: readonly ReportRun[]): PerQueryValue[] {
  return runs.flatMap((r) =>
    store.metrics.list(r.runId, { aggregateOnly: false }).map((m) => ({
      run: r.name,
      queryId: m.queryId!,
      measure: m.measure,
      value: m.value,
      settings: m.settings,
    })),
  );
}

function profileLatency(run: ReportRun): { ms: number | null; source: string } {
  const batch1 = run.profiles.filter((p) => p.settings.batchSize === 1);
  if (batch1.length) {
    const p = batch1.reduce((a, b) => (b.settings.threads > a.settings.threads ? b : a));
    return { ms: p.summary.stages.total.p50, source: `${PROFILE_SOURCE}, ${p.settings.threads} threads` };
  }
  return { ms: run.searchLatency?.p50 ?? null, source: SEARCH_SOURCE };
}

export function assemble(
  store: Store,
  parts: {
    source: ReportSource;
    config: JsonObject | null;
    runs: ReportRun[];
    jobs: (JobRecord | undefined)[];
    groups: GroupInput[];
    pareto: ParetoReport[];
    robustness: ReportModel['robustness']['rows'];
    primaryMeasure: string;
  },
  options: ReportOptions,
): ReportModel {
  const policy = policyOf(options);
  const variations = new QueryVariationsRepository(store.db);
  const familyOf = (set: string) => variations.get(set)?.family ?? set.split('/')[1]?.split('-')[0] ?? set;
  const textOf = (dataset: string, queryId: string) => {
    const d = store.datasets.get(dataset);
    return d ? (store.queries.get(d.id, queryId)?.text ?? null) : null;
  };
  const { runs, groups } = parts;
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    title:
      options.title ?? `${parts.source.kind === 'experiment' ? 'Experiment' : 'Runs'} ${parts.source.name}`,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    source: parts.source,
    significance: policy,
    primaryMeasure: parts.primaryMeasure,
    setup: {
      datasets: datasetsOf(store, runs, parts.config),
      models: modelsOf(parts.jobs),
      environments: distinct(
        runs.map((r) =>
          Object.fromEntries(
            MACHINE_KEYS.filter((k) => k in r.environment).map((k) => [k, r.environment[k]]),
          ),
        ),
      ),
      config: parts.config,
    },
    measures: measureDescriptions(runs),
    runs,
    effectiveness: effectivenessGroups(groups, policy),
    pareto: parts.pareto,
    sweeps: sweepTables(runs, parts.primaryMeasure, profileLatency),
    robustness: { rows: parts.robustness, families: robustnessFamilies(parts.robustness, familyOf) },
    queryDifferences: queryDifferences(groups, parts.primaryMeasure, options.topQueries ?? 10, textOf),
    perQuery: perQueryOf(store, runs),
  };
}

/** The report of an experiment: its succeeded jobs' runs, comparisons, robustness and Pareto fronts. */
export function buildExperimentReport(store: Store, name: string, options: ReportOptions = {}): ReportModel {
  const experiments = new ExperimentsRepository(store);
  const latency = new LatencyRepository(store);
  const policy = policyOf(options);
  const base = experimentReport(store, experiments, latency, name, {
    correction: policy.correction as Correction,
    seed: options.seed,
    resamples: options.resamples,
  });
  const done = base.jobs.filter((j) => j.status === 'succeeded' && j.runId !== null);
  const pairs = done
    .map((j) => ({ job: j as JobRecord, run: store.runs.getById(j.runId!) }))
    .filter((p): p is { job: JobRecord; run: RunRecord } => p.run !== undefined);
  if (pairs.length === 0)
    throw new WorkbenchError(
      'NOT_FOUND',
      `experiment "${name}" has no finished runs to report. Run it (\`run CONFIG\`) or resume it (\`experiments resume ${name}\`) first`,
      { field: 'experiment' },
    );
  const runs = pairs.map((p) => reportRun(store, latency, p.run, p.job));
  const groups: GroupInput[] = [];
  for (const r of runs) {
    let g = groups.find((x) => x.dataset === r.dataset && x.querySet === r.querySet);
    if (!g) {
      const c = base.comparisons.find((x) => x.dataset === r.dataset && x.querySet === r.querySet);
      g = {
        dataset: r.dataset ?? '',
        querySet: r.querySet,
        baseline: c?.baselineRun ?? null,
        runs: [],
        comparisons: c?.measures ?? [],
      };
      groups.push(g);
    }
    g.runs.push(r);
  }
  const e = base.experiment;
  return assemble(
    store,
    {
      source: {
        kind: 'experiment',
        name: e.name,
        status: e.status,
        configHash: e.configHash,
        createdAt: e.createdAt,
        finishedAt: e.finishedAt,
      },
      config: e.config,
      runs,
      jobs: pairs.map((p) => p.job),
      groups,
      pareto: base.pareto,
      robustness: base.robustness,
      primaryMeasure: base.primaryMeasure,
    },
    options,
  );
}
