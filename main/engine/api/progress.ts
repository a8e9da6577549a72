import type { JobContext } from '../jobs/index.ts';

/**
 * A job's progress callback that names the stage only when it changes. JobManager sends every update that
 * names a stage at once and throttles the rest, so passing an unchanged stage each time would send every
 * update (one per query or batch) to every window and event stream.
 */
export function stagedProgress(
  job: JobContext,
): (update: { done: number; total: number | null; stage: string }) => void {
  let last: string | undefined;
  return ({ done, total, stage }) => {
    job.progress({ done, total, stage: stage === last ? undefined : stage });
    last = stage;
  };
}
