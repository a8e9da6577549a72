import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import { type ExportedFile, exportReport, REPORT_FORMATS } from '../reports/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

const ExportRequest = z
  .object({
    /** Exactly one of an experiment and a run selection (reports/README.md). */
    experiment: z.string().min(1).max(200).optional(),
    runs: z.array(z.string().min(1).max(500)).min(1).max(200).optional(),
    baseline: z.string().min(1).max(500).optional(),
    formats: z.array(z.enum(REPORT_FORMATS)).min(1),
    outDir: z.string().min(1).max(4096),
    force: z.boolean().optional(),
  })
  .strict();

export function reportHandlers(ctx: ApiContext) {
  const { store, jobs } = ctx;
  return {
    formats: handler(noInput, () => [...REPORT_FORMATS]),
    /** Writes the report's files into a folder, as a job (a PDF prints through headless Chromium). */
    export: handler(ExportRequest, (input) => {
      if ((input.experiment === undefined) === (input.runs === undefined))
        throw new WorkbenchError('INVALID_ARGUMENT', 'give either an experiment or a selection of runs', {
          field: 'experiment',
        });
      if (!isAbsolute(input.outDir))
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `output folder "${input.outDir}" is not an absolute path: give the full path, e.g. /home/me/report`,
          { field: 'outDir' },
        );
      const { id } = jobs.start(
        'reports:export',
        `report of ${input.experiment ?? `${input.runs!.length} runs`}`,
        async (job) => {
          job.progress({ done: 0, total: 1, stage: `writing ${input.formats.join(', ')}` });
          const r = await exportReport({ store, ...input });
          job.progress({ done: 1, total: 1, stage: `wrote ${r.files.length} files` });
          return { outDir: r.outDir, files: r.files as ExportedFile[] };
        },
      );
      return { jobId: id };
    }),
  };
}
