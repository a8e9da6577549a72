import { z } from 'zod';
import {
  checkExperimentConfig,
  configError,
  type ExperimentProgress,
  type ExperimentRecord,
  ExperimentRunner,
  type ValidationSources,
} from '../experiments/index.ts';
import type { JobContext } from '../jobs/index.ts';
import type { RunRecord } from '../store/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';
import { stagedProgress } from './progress.ts';
import { experimentOf } from './runs.ts';

export interface ConfigIssue {
  /** JSON path of the entry, e.g. `models[0].modes[1].params.nCandidates`. */
  path: string;
  message: string;
}

export interface ConfigCheck {
  valid: boolean;
  issues: ConfigIssue[];
  /** The config with its defaults filled in, when its shape is right. */
  normalized: unknown;
}

export interface ExperimentSummary {
  name: string;
  status: ExperimentRecord['status'];
  createdAt: string;
  finishedAt: string | null;
  jobs: number;
  succeeded: number;
  failed: number;
}

/** Progress steps per experiment job, so that the job system's rate and ETA see steady progress. */
const STEPS = 1000;

/**
 * Maps the runner's progress (experiments/runner.ts) onto a job: the overall fraction, and as the stage the
 * running experiment job and what it does (`job 3/10 exp/scifact/bm25: searching`).
 */
export function experimentProgress(job: JobContext): (p: ExperimentProgress) => void {
  const report = stagedProgress(job);
  return (p) => {
    const j = p.job;
    const stage = j ? `job ${j.position + 1}/${p.jobsTotal} ${j.runName}: ${j.stage}` : p.event;
    report({ done: Math.round(p.fraction * STEPS), total: STEPS, stage });
  };
}

/** Checks, records and executes experiment configs for the handlers below and for the demo. */
export class ExperimentsPort {
  private readonly runner: ExperimentRunner;
  private readonly sources: ValidationSources;

  constructor(private readonly ctx: ApiContext) {
    this.runner = new ExperimentRunner({ store: ctx.store, dataDir: ctx.dataDir, models: ctx.models });
    this.sources = { store: ctx.store, models: ctx.models, variationSets: ctx.attacks.repository };
  }

  get experiments(): ExperimentRunner['experiments'] {
    return this.runner.experiments;
  }

  /** The qrels split an experiment's run was evaluated on (its dataset entry's `split`), else null. */
  splitOf(run: RunRecord): string | null {
    const name = experimentOf(run)?.name;
    if (!name || !run.datasetName) return null;
    const config = this.runner.experiments.get(name)?.config as {
      datasets?: { name: string; split?: string }[];
    };
    return config?.datasets?.find((d) => d.name === run.datasetName)?.split ?? null;
  }

  /** Shape (zod) and meaning (the data folder's names, kinds, splits): every problem at once. */
  check(config: unknown): ConfigCheck {
    const { config: parsed, problems } = checkExperimentConfig(config, this.sources);
    return { valid: parsed !== null && problems.length === 0, issues: problems, normalized: parsed };
  }

  /** Validates and records the experiment with its jobs; throws every problem with its JSON path. */
  prepare(config: unknown): ExperimentRecord {
    const { config: parsed, problems } = checkExperimentConfig(config, this.sources);
    if (!parsed || problems.length) throw configError('config', problems);
    return this.runner.prepare(parsed);
  }

  /** Runs (or resumes) a recorded experiment inside a workbench job; a cancel leaves it resumable. */
  async execute(job: JobContext, name: string) {
    const { store, dataDir, models } = this.ctx;
    const runner = new ExperimentRunner({
      store,
      dataDir,
      models,
      onProgress: experimentProgress(job),
    });
    const outcome = await runner.execute(name, { signal: job.signal });
    return { experiment: name, ran: outcome.ran, skipped: outcome.skipped, failed: outcome.failed };
  }

  /** Records the experiment now (so that config problems answer the call), then runs it as a job. */
  start(config: unknown, label?: string): { jobId: string; experiment: string } {
    const record = this.prepare(config);
    const { id } = this.ctx.jobs.start('experiments:run', label ?? `experiment ${record.name}`, (job) =>
      this.execute(job, record.name),
    );
    return { jobId: id, experiment: record.name };
  }
}

export function experimentHandlers(port: ExperimentsPort) {
  return {
    /** Validates as the builder is typed: every problem at once, each with its JSON path. */
    validate: handler(z.object({ config: z.unknown() }).strict(), ({ config }) => port.check(config)),
    run: handler(z.object({ config: z.unknown() }).strict(), ({ config }) => port.start(config)),
    list: handler(noInput, (): ExperimentSummary[] =>
      port.experiments.list().map((e) => {
        const all = port.experiments.jobs(e.id);
        return {
          name: e.name,
          status: e.status,
          createdAt: e.createdAt,
          finishedAt: e.finishedAt,
          jobs: all.length,
          succeeded: all.filter((j) => j.status === 'succeeded').length,
          failed: all.filter((j) => j.status === 'failed').length,
        };
      }),
    ),
    runnerAvailable: handler(noInput, () => ({ available: true, reason: null as string | null })),
  };
}
