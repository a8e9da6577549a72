import type { MetricValue, RunRecord, Store } from '../store/index.ts';
import type { LatencyRepository, StoredLatency } from './latency-store.ts';
import type { ExperimentsRepository, JobRecord } from './repository.ts';

/**
 * Everything behind a stored run's numbers: the settings that made it (run config, grid point, query set),
 * the input hashes (dataset, queries, qrels, model files, embeddings and graph artifacts), the environment
 * (machine, provider, threads, versions), and each metric with its evaluation settings and each latency
 * profile with its measurement settings. Runs imported from a bundle carry the same in `stats.bundle`.
 */
export interface RunTrace {
  run: RunRecord;
  queries: number;
  experiment: {
    name: string;
    job: Pick<
      JobRecord,
      | 'position'
      | 'key'
      | 'system'
      | 'point'
      | 'querySet'
      | 'params'
      | 'inputs'
      | 'environment'
      | 'attempts'
      | 'startedAt'
      | 'finishedAt'
    >;
  } | null;
  metrics: MetricValue[];
  perQueryValues: number;
  latency: Omit<StoredLatency, 'samples'>[];
  latencySamples: number;
}

export function traceRun(
  store: Pick<Store, 'runs' | 'metrics'>,
  experiments: Pick<ExperimentsRepository, 'jobOf' | 'getById'>,
  latency: Pick<LatencyRepository, 'list'>,
  name: string,
): RunTrace {
  const run = store.runs.require(name);
  const all = store.metrics.list(run.id);
  const job = experiments.jobOf(run.id);
  let experiment: RunTrace['experiment'] = null;
  if (job) {
    experiment = { name: experiments.getById(job.experimentId)?.name ?? '?', job };
  } else {
    const bundled = (run.stats.bundle as { experiment?: RunTrace['experiment'] } | undefined)?.experiment;
    if (bundled) experiment = bundled;
  }
  const profiles = latency.list(run.id);
  return {
    run,
    queries: store.runs.queryCount(run.id),
    experiment,
    metrics: all.filter((m) => m.queryId === null),
    perQueryValues: all.filter((m) => m.queryId !== null).length,
    latency: profiles.map(({ samples: _s, ...rest }) => rest),
    latencySamples: profiles.reduce((a, p) => a + (p.samples.total?.length ?? 0), 0),
  };
}
