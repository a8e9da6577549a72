import { z } from 'zod';
import { DEMO_EXPERIMENTS, type DemoExperiment, demoStatus, prepareDemo } from '../demo/index.ts';
import { WorkbenchError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import type { ExperimentsPort } from './experiments.ts';
import { handler, noInput } from './handler.ts';

/** `demo` compares the systems; `robustness` runs every query-variation family that can be generated. */
const RunInput = z
  .object({
    experiment: z.enum(Object.keys(DEMO_EXPERIMENTS) as [DemoExperiment, ...DemoExperiment[]]).optional(),
  })
  .strict()
  .optional();

/**
 * The demo a first start offers: the WordNet concept-search dataset (built from the bundled WordNet 3.1,
 * main/engine/demo) and the two tiny trained packages of native-models/packages, compared in one
 * experiment. Everything it needs ships with the app; nothing is downloaded.
 */

export function demoHandlers(ctx: ApiContext, experiments: ExperimentsPort) {
  const { store, models, jobs, dataDir } = ctx;
  return {
    status: handler(noInput, () => demoStatus(ctx.demoDir)),
    /**
     * Builds and imports what is missing (dataset, packages), then records and runs a demo experiment (the
     * comparison, or with `experiment: 'robustness'` the query-variation study), all as one job. Steps
     * already done (a second run) are skipped; each run gets a fresh experiment name.
     */
    run: handler(RunInput, (input) => {
      const experiment = input?.experiment ?? 'demo';
      const status = demoStatus(ctx.demoDir);
      if (!status.available)
        throw new WorkbenchError('UNAVAILABLE', `the demo cannot run here: ${status.reason}`);
      const base = experiment === 'demo' ? 'demo' : `demo-${experiment}`;
      const title = experiment === 'demo' ? 'the demo experiment' : `the ${experiment} demo experiment`;
      const { id } = jobs.start('experiments:demo', title, async (job) => {
        const config = await prepareDemo({
          store,
          dataDir,
          models,
          demoDir: ctx.demoDir!,
          signal: job.signal,
          stage: (stage) => job.progress({ done: 0, total: null, stage }),
          experiment,
        });
        let n = 1;
        while (experiments.experiments.get(n === 1 ? base : `${base}-${n}`)) n++;
        const record = experiments.prepare({ ...config, name: n === 1 ? base : `${base}-${n}` });
        return experiments.execute(job, record.name);
      });
      return { jobId: id };
    }),
  };
}
