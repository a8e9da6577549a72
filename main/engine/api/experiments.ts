import { z } from 'zod';
import {
  checkExperimentConfig,
  configError,
  type ExperimentProgress,
  type ExperimentRecord,
  ExperimentRunner,
} from '../experiments/index.ts';
import type { JobContext } from '../jobs/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

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

/** Maps the runner's progress (experiments/runner.ts) onto a job: overall fraction, stage of the running job. */
export function reportExperimentProgress(job: JobContext, p: ExperimentProgress): void {
  const j = p.job;
  const stage = j
    ? `job ${j.position + 1}/${p.jobsTotal} ${j.runName}: ${j.stage}${j.total ? ` ${j.done}/${j.total}` : ''}`
    : p.event;
  job.progress({ done: Math.round(p.fraction * STEPS), total: STEPS, stage });
}

export type StartExperiment = (config: unknown, label?: string) => { jobId: string; experiment: string };

export function experimentHandlers(ctx: ApiContext) {
  const { store, models, attacks, jobs, dataDir } = ctx;
  const runner = new ExperimentRunner({ store, dataDir, models });
  const sources = { store, models, variationSets: attacks.repository };

  /** Shape (zod) and meaning (the data folder's names, kinds, splits): every problem at once. */
  const check = (config: unknown): ConfigCheck => {
    const { config: parsed, problems } = checkExperimentConfig(config, sources);
    return { valid: parsed !== null && problems.length === 0, issues: problems, normalized: parsed };
  };

  /** Records the experiment, then runs its jobs as one workbench job; a cancel leaves it resumable. */
  const start: StartExperiment = (config, label) => {
    const { config: parsed, problems } = checkExperimentConfig(config, sources);
    if (!parsed || problems.length) throw configError('config', problems);
    const record = runner.prepare(parsed);
    const { id } = jobs.start('experiments:run', label ?? `experiment ${record.name}`, async (job) => {
      const own = new ExperimentRunner({
        store,
        dataDir,
        models,
        onProgress: (p) => reportExperimentProgress(job, p),
      });
      const outcome = await own.execute(record.name, { signal: job.signal });
      return { experiment: record.name, ran: outcome.ran, skipped: outcome.skipped, failed: outcome.failed };
    });
    return { jobId: id, experiment: record.name };
  };

  return {
    start,
    handlers: {
      /** Validates as the builder is typed: every problem at once, each with its JSON path. */
      validate: handler(z.object({ config: z.unknown() }).strict(), ({ config }) => check(config)),
      run: handler(z.object({ config: z.unknown() }).strict(), ({ config }) => start(config)),
      list: handler(noInput, (): ExperimentSummary[] =>
        runner.experiments.list().map((e) => {
          const all = runner.experiments.jobs(e.id);
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
    },
  };
}
