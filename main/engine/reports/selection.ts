import { WorkbenchError } from '../errors.ts';
import {
  type Correction,
  compareStoredRuns,
  ExperimentsRepository,
  LatencyRepository,
  type MeasureComparison,
  type ParetoReport,
  runLatency,
} from '../experiments/index.ts';
import { paretoFront } from '../latency/index.ts';
import type { Store } from '../store/index.ts';
import { assemble, PROFILE_SOURCE, policyOf, type ReportOptions, reportRun, SEARCH_SOURCE } from './build.ts';
import type { ReportModel } from './model.ts';
import { type GroupInput, measureOrder } from './sections.ts';

/**
 * The report of a selection of runs: per dataset, every run compared with the baseline (the named one, else
 * the dataset's first run) on the measures they share under the same settings.
 */
export function buildRunsReport(
  store: Store,
  names: readonly string[],
  options: ReportOptions = {},
): ReportModel {
  if (names.length === 0)
    throw new WorkbenchError('INVALID_ARGUMENT', 'no runs selected: name at least one run', {
      field: 'runs',
    });
  const experiments = new ExperimentsRepository(store);
  const latency = new LatencyRepository(store);
  const policy = policyOf(options);
  if (options.baseline !== undefined && !names.includes(options.baseline))
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `baseline "${options.baseline}" is not one of the selected runs (${names.join(', ')}). Select it too`,
      { field: 'baseline' },
    );
  const records = names.map((n) => store.runs.require(n));
  const jobs = records.map((r) => experiments.jobOf(r.id) ?? undefined);
  const runs = records.map((r, i) => ({ ...reportRun(store, latency, r, jobs[i]), querySet: null }));
  const groups: GroupInput[] = [];
  for (const r of runs) {
    const dataset = r.dataset ?? '(no dataset)';
    let g = groups.find((x) => x.dataset === dataset);
    if (!g) {
      g = { dataset, querySet: null, baseline: null, runs: [], comparisons: [] };
      groups.push(g);
    }
    g.runs.push(r);
  }
  for (const g of groups) {
    const base = g.runs.find((r) => r.name === options.baseline) ?? g.runs[0];
    g.baseline = base.name;
    const others = g.runs.filter((r) => r !== base);
    if (others.length === 0) continue;
    const comparison = compareStoredRuns(
      store,
      store.runs.getById(base.runId)!,
      others.map((r) => store.runs.getById(r.runId)!),
      { correction: policy.correction as Correction, seed: options.seed, resamples: options.resamples },
    );
    g.comparisons = comparison.measures as MeasureComparison[];
  }
  const primaryMeasure = measureOrder(runs)[0] ?? '';
  const pareto: ParetoReport[] = [];
  for (const g of groups) {
    const usable = g.runs.filter((r) => r.metrics.some((m) => m.measure === primaryMeasure));
    const timed = usable.map((r) => ({ r, lat: runLatency(store.runs.getById(r.runId)!, latency) }));
    const profiled = timed.filter((t) => t.lat.profileMs !== null);
    const use = profiled.length ? profiled : timed.filter((t) => t.lat.searchMs !== null);
    if (use.length === 0) continue;
    const points = use.map(({ r, lat }) => ({
      id: r.name,
      run: r.name,
      quality: r.metrics.find((m) => m.measure === primaryMeasure)!.value,
      latencyMs: (profiled.length ? lat.profileMs : lat.searchMs)!,
      latencySource: profiled.length ? `${PROFILE_SOURCE}, ${lat.profile}` : SEARCH_SOURCE,
    }));
    pareto.push({
      dataset: g.dataset,
      measure: primaryMeasure,
      points,
      front: paretoFront(points).map((p) => p.id),
    });
  }
  return assemble(
    store,
    {
      source: {
        kind: 'runs',
        name: names.length === 1 ? names[0] : `${names.length} runs`,
        status: null,
        configHash: null,
        createdAt: null,
        finishedAt: null,
      },
      config: null,
      runs,
      jobs,
      groups,
      pareto,
      robustness: [],
      primaryMeasure,
    },
    options,
  );
}
