import { demoStatus, prepareDemo } from '../demo/index.ts';
import { WorkbenchError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import type { ExperimentsPort } from './experiments.ts';
import { handler, noInput } from './handler.ts';

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
     * Builds and imports what is missing (dataset, packages), then records and runs the demo experiment,
     * all as one job. Steps already done (a second run) are skipped; each run gets a fresh experiment name.
     */
    run: handler(noInput, () => {
      const status = demoStatus(ctx.demoDir);
      if (!status.available)
        throw new WorkbenchError('UNAVAILABLE', `the demo cannot run here: ${status.reason}`);
      const { id } = jobs.start('experiments:demo', 'the demo experiment', async (job) => {
        const config = await prepareDemo({
          store,
          dataDir,
          models,
          demoDir: ctx.demoDir!,
          signal: job.signal,
          stage: (stage) => job.progress({ done: 0, total: null, stage }),
        });
        let n = 1;
        while (experiments.experiments.get(n === 1 ? 'demo' : `demo-${n}`)) n++;
        const record = experiments.prepare({ ...config, name: n === 1 ? 'demo' : `demo-${n}` });
        return experiments.execute(job, record.name);
      });
      return { jobId: id };
    }),
  };
}
