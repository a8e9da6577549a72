import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import type { JobSnapshot } from '../jobs/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

const jobId = z.object({ id: z.string().min(1).max(100) }).strict();

export function jobHandlers(ctx: ApiContext) {
  const { jobs } = ctx;
  const require = (id: string): JobSnapshot => {
    const job = jobs.get(id);
    if (!job)
      throw new WorkbenchError(
        'NOT_FOUND',
        `no job "${id}": it belongs to an earlier session or never existed; see the Jobs list`,
        { field: 'id' },
      );
    return job;
  };
  return {
    /** Newest first. */
    list: handler(noInput, () => jobs.list().reverse()),
    get: handler(jobId, ({ id }) => require(id)),
    /** Requests a cancel; the job ends `cancelled` at its next check (between batches). False when it had ended. */
    cancel: handler(jobId, ({ id }) => {
      require(id);
      return { cancelling: jobs.cancel(id) };
    }),
  };
}
