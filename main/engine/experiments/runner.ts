import { AttackService } from '../attacks/index.ts';
import { WorkbenchError } from '../errors.ts';
import { type LatencyMeasurement, openPipeline, profileLatency } from '../latency/index.ts';
import { ModelRegistry } from '../models/index.ts';
import { type BuildProgress, SearchService } from '../search/index.ts';
import { canonicalJson, type JsonObject, type JsonValue, type Store } from '../store/index.ts';
import { configError, type ExperimentConfig, parseExperimentConfig } from './config.ts';
import { experimentEnvironment } from './environment.ts';
import { evaluateRankings } from './evaluate.ts';
import { prepareJob } from './job.ts';
import { LatencyRepository } from './latency-store.ts';
import { expandJobs, sha256 } from './plan.ts';
import { QuerySets } from './query-sets.ts';
import { type ExperimentRecord, ExperimentsRepository, type JobRecord } from './repository.ts';
import { ExperimentResources } from './resources.ts';
import { findPoint, type ValidatedExperiment, validateExperiment } from './validate.ts';

/**
 * Runs an experiment: validates its config against the data folder, records it with its jobs, then executes
 * the jobs in order — encode (or reuse) embeddings, encode queries, time the pipeline when a latency profile
 * is asked for, search, evaluate — and links each job to its run. A job's run, metrics, latency samples and
 * the job's `succeeded` mark are committed together at its end (the run itself by SearchService just
 * before), so an interruption at any point leaves finished jobs finished and nothing of the unfinished one
 * that a resume does not clean up. A cancel (AbortSignal) stops between batches and leaves the experiment
 * `interrupted`; `execute` again (resume) skips the jobs that succeeded and redoes the rest.
 */

export interface ExperimentProgress {
  experiment: string;
  event: 'start' | 'job-start' | 'job-progress' | 'job-done' | 'job-failed' | 'finish';
  jobsTotal: number;
  /** Jobs succeeded so far, including those found done by a resume. */
  jobsDone: number;
  jobsFailed: number;
  /** Overall, 0..1: finished jobs plus the running job's stage fraction. */
  fraction: number;
  job?: { position: number; runName: string; stage: string; done: number; total: number | null };
  message?: string;
}

export interface ExperimentOutcome {
  experiment: ExperimentRecord;
  jobs: JobRecord[];
  /** Jobs run now, found already done (resume), and failed. */
  ran: number;
  skipped: number;
  failed: number;
}

export interface RunnerDeps {
  store: Store;
  dataDir: string;
  models?: ModelRegistry;
  onProgress?: (progress: ExperimentProgress) => void;
}

const isCancel = (err: unknown) => err instanceof WorkbenchError && err.code === 'CANCELLED';

export class ExperimentRunner {
  readonly experiments: ExperimentsRepository;
  readonly latency: LatencyRepository;
  private readonly attacks: AttackService;
  private readonly models: ModelRegistry;

  constructor(private readonly deps: RunnerDeps) {
    this.experiments = new ExperimentsRepository(deps.store);
    this.latency = new LatencyRepository(deps.store);
    this.attacks = new AttackService(deps.store);
    this.models = deps.models ?? new ModelRegistry(deps.dataDir);
  }

  /** Checks a config against the data folder without recording or running anything. */
  check(config: ExperimentConfig, file = 'config'): ValidatedExperiment {
    return this.validate(config, file);
  }

  private validate(config: ExperimentConfig, file: string): ValidatedExperiment {
    return validateExperiment(
      config,
      { store: this.deps.store, models: this.models, variationSets: this.attacks.repository },
      file,
    );
  }

  /**
   * Checks the config against the data folder (models, datasets, splits, variation sets, run names) and
   * records the experiment with its jobs. Nothing is searched; every problem names its JSON path.
   */
  prepare(config: ExperimentConfig, options: { file?: string; sourcePath?: string } = {}): ExperimentRecord {
    const file = options.file ?? 'config';
    const v = this.validate(config, file);
    const existing = this.experiments.get(config.name);
    if (existing) {
      throw configError(file, [
        {
          path: 'name',
          message: `an experiment named "${config.name}" exists (${existing.status}); resume it with \`workbench experiments resume ${config.name}\`, or give this one another name`,
        },
      ]);
    }
    const querySets = new Map<string, string[]>();
    const attacks = Array.isArray(config.attacks) ? { sets: config.attacks } : config.attacks;
    for (const d of config.datasets) {
      const sets = this.attacks.resolve(d.name, {
        sets: (attacks.sets ?? []).filter((n) => this.attacks.repository.get(n)?.datasetName === d.name),
        generate: (attacks.generate ?? []).map((g) => ({ ...g, split: g.split ?? d.split })),
      });
      querySets.set(
        d.name,
        sets.map((s) => s.name),
      );
    }
    const jobs = expandJobs(v.config, querySets);
    const taken = jobs.filter((j) => this.deps.store.runs.get(j.runName));
    if (taken.length) {
      throw configError(file, [
        {
          path: 'name',
          message: `${taken.length} of this experiment's run names exist already (e.g. "${taken[0].runName}"); give the experiment another name, or delete those runs with \`workbench runs delete\``,
        },
      ]);
    }
    return this.experiments.create(
      {
        name: config.name,
        config: JSON.parse(canonicalJson(config)) as JsonObject,
        configHash: sha256(canonicalJson(config)),
        sourcePath: options.sourcePath ?? null,
        environment: experimentEnvironment(),
      },
      jobs,
    );
  }

  /** Runs every job that has not succeeded yet (all of them the first time; the rest on a resume). */
  async execute(name: string, job: BuildProgress = {}): Promise<ExperimentOutcome> {
    const store = this.deps.store;
    const exp = this.experiments.require(name);
    const file = `experiment "${name}"`;
    const v = this.validate(parseExperimentConfig(exp.config, file), file);
    const config = v.config;
    let jobs = this.experiments.jobs(exp.id);
    // Leftovers of an interrupted attempt: the run of a job that never got marked done, and jobs whose run
    // was deleted since. Both are redone from scratch.
    store.transaction(() => {
      for (const j of jobs) {
        if (j.status === 'succeeded' && j.runId !== null) continue;
        const leftover = store.runs.get(j.runName);
        if (leftover && !this.experiments.jobOf(leftover.id)) store.runs.delete(j.runName);
        if (j.status !== 'pending') this.experiments.resetJob(j.id);
      }
    });
    jobs = this.experiments.jobs(exp.id);
    this.experiments.setStatus(exp.id, 'running');

    const total = jobs.length;
    let done = jobs.filter((j) => j.status === 'succeeded').length;
    const skipped = done;
    let ran = 0;
    let failed = 0;
    const emit = (event: ExperimentProgress['event'], extra: Partial<ExperimentProgress> = {}) => {
      const stageFraction = extra.job?.total ? Math.min(1, extra.job.done / extra.job.total) : 0;
      this.deps.onProgress?.({
        experiment: name,
        event,
        jobsTotal: total,
        jobsDone: done,
        jobsFailed: failed,
        fraction: total
          ? Math.min(1, (done + failed + (event === 'job-progress' ? stageFraction * 0.999 : 0)) / total)
          : 1,
        ...extra,
      });
      job.progress?.({ done: done + failed, total, stage: extra.job?.stage ?? event });
    };
    emit('start');

    const resources = new ExperimentResources(
      store,
      this.deps.dataDir,
      this.models,
      config.latency?.provider ?? 'cpu',
    );
    const querySets = new QuerySets(store, this.attacks.repository, config.seed);
    const environment = experimentEnvironment({ provider: config.latency?.provider ?? 'cpu' });
    try {
      for (const j of jobs) {
        if (j.status === 'succeeded') continue;
        if (job.signal?.aborted) throw new WorkbenchError('CANCELLED', `experiment "${name}" was cancelled`);
        this.experiments.startJob(j.id);
        const current = {
          position: j.position,
          runName: j.runName,
          stage: 'starting',
          done: 0,
          total: null as number | null,
        };
        emit('job-start', { job: { ...current } });
        const report = (stage: string, d: number, t: number | null) => {
          current.stage = stage;
          current.done = d;
          current.total = t;
          emit('job-progress', { job: { ...current } });
        };
        try {
          const result = await this.runJob(j, jobs, v, resources, querySets, environment, {
            signal: job.signal,
            progress: (u) => report(u.stage ?? current.stage, u.done, u.total ?? null),
          });
          done++;
          ran++;
          emit('job-done', { job: { ...current, stage: 'done' }, message: result });
        } catch (err) {
          if (isCancel(err) || job.signal?.aborted) {
            this.experiments.resetJob(j.id);
            throw err;
          }
          failed++;
          this.experiments.failJob(j.id, (err as Error).message);
          emit('job-failed', { job: { ...current }, message: (err as Error).message });
        }
      }
    } catch (err) {
      this.experiments.setStatus(exp.id, isCancel(err) || job.signal?.aborted ? 'interrupted' : 'failed');
      if (job.signal?.aborted && !isCancel(err))
        throw new WorkbenchError('CANCELLED', `experiment "${name}" was cancelled`);
      throw err;
    } finally {
      await resources.close();
    }
    this.experiments.setStatus(exp.id, failed ? 'failed' : 'succeeded');
    emit('finish');
    return {
      experiment: this.experiments.getById(exp.id)!,
      jobs: this.experiments.jobs(exp.id),
      ran,
      skipped,
      failed,
    };
  }

  /** Validates, records and executes in one go. */
  async run(
    config: ExperimentConfig,
    options: { file?: string; sourcePath?: string } = {},
    job: BuildProgress = {},
  ): Promise<ExperimentOutcome> {
    const exp = this.prepare(config, options);
    return this.execute(exp.name, job);
  }

  /** One job; returns a one-line summary of its first metric. */
  private async runJob(
    j: JobRecord,
    jobs: readonly JobRecord[],
    v: ValidatedExperiment,
    resources: ExperimentResources,
    querySets: QuerySets,
    environment: JsonObject,
    job: BuildProgress,
  ): Promise<string> {
    const store = this.deps.store;
    const config = v.config;
    const entry = config.datasets.find((d) => d.name === j.dataset)!;
    const dataset = store.datasets.require(j.dataset);
    const queries = querySets.get(dataset, entry, j.querySet);
    const point = v.points.get(j.point);
    if (!point)
      throw new WorkbenchError('INTERNAL', `job ${j.position}: grid point "${j.point}" is not in the config`);
    let baseRun: string | undefined;
    if (point.system.mode === 'rerank') {
      const basePoint = findPoint(point.system.over!, v.systems, v.points).point!;
      const base = jobs.find(
        (x) => x.point === basePoint.id && x.dataset === j.dataset && x.querySet === j.querySet,
      );
      if (!base || !store.runs.get(base.runName)) {
        throw new WorkbenchError(
          'NOT_FOUND',
          `re-ranking needs the run of "${basePoint.id}" ("${base?.runName}"), which did not succeed; see its error, fix it and resume`,
          { field: 'over' },
        );
      }
      baseRun = base.runName;
    }
    const prepared = await prepareJob({
      config,
      runName: j.runName,
      dataset,
      queries,
      point,
      baseRun,
      store,
      dataDir: this.deps.dataDir,
      resources,
      job,
    });

    // Timed before the search run is recorded, so an interruption here leaves no run behind.
    let measurements: LatencyMeasurement[] = [];
    const latency = config.latency;
    if (latency && j.querySet === null && queries.ids.length > 0) {
      const n = Math.min(latency.queries, queries.ids.length);
      const spec = await prepared.pipeline(n);
      measurements = await profileLatency(
        (threads) => openPipeline(spec, { threads, provider: latency.provider }),
        queries.texts.slice(0, n),
        {
          warmup: latency.warmup,
          repetitions: latency.repetitions,
          batchSizes: latency.batchSizes,
          threads: latency.threads,
          signal: job.signal,
          onProgress: (d, t) => job.progress?.({ done: d, total: t, stage: 'latency' }),
        },
      );
    }

    const summary = await new SearchService({ store, dataDir: this.deps.dataDir }).run(prepared.request, job);
    try {
      job.progress?.({ done: 0, total: 1, stage: 'evaluating' });
      const { values } = evaluateRankings(
        j.runName,
        store.runs.getRankings(summary.runId),
        queries.qrels,
        config.metrics,
        { relevanceLevel: entry.relevanceLevel ?? 1 },
      );
      const inputs: JsonObject = { ...prepared.inputs, graph: (summary.config.graph as JsonValue) ?? null };
      const aggregates = values
        .filter((x) => x.queryId === null)
        .map((x) => ({ measure: x.measure, value: x.value, settings: x.settings }));
      const stats: JsonObject = {
        ...summary.stats,
        experiment: {
          name: v.config.name,
          job: j.position,
          key: j.key,
          system: point.system.id,
          point: point.id,
          mode: point.system.mode,
          params: point.params,
          querySet: j.querySet,
        },
        metrics: aggregates as unknown as JsonValue,
        latency: measurements.map((m) => ({
          settings: m.settings,
          summary: m.summary,
        })) as unknown as JsonValue,
      };
      store.transaction(() => {
        store.metrics.save(summary.runId, values);
        this.latency.save(summary.runId, measurements);
        store.runs.finish(summary.runId, 'ready', stats);
        this.experiments.finishJob(j.id, summary.runId, inputs, environment);
      });
      const first = aggregates[0];
      return first ? `${first.measure} ${first.value.toFixed(4)}` : '';
    } catch (err) {
      store.runs.delete(j.runName);
      throw err;
    }
  }
}
