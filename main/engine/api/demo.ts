import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset, planImport } from '../datasets/index.ts';
import { buildWordnetDemo } from '../demo/index.ts';
import { WorkbenchError } from '../errors.ts';
import { readManifest } from '../models/index.ts';
import type { ApiContext } from './context.ts';
import type { ExperimentsPort } from './experiments.ts';
import { handler, noInput } from './handler.ts';

/**
 * The demo a first start offers: the WordNet concept-search dataset (built from the bundled WordNet 3.1,
 * main/engine/demo) and the two tiny trained packages of native-models/packages, compared in one
 * experiment. Everything it needs ships with the app; nothing is downloaded.
 */

export const DEMO_PACKAGES = ['wordnet-tiny-hypencoder', 'wordnet-tiny-biencoder'] as const;
export const DEMO_DATASET = 'wordnet-demo';
/** An experiment config that replaces the built-in one when present (`<demoDir>/demo/experiment.json`). */
export const DEMO_CONFIG = join('demo', 'experiment.json');

export interface DemoStatus {
  available: boolean;
  /** Why the demo cannot run here, in words that say what is missing. */
  reason: string | null;
  packages: string[];
}

/** The demo's experiment: both models exhaustive, the Hypencoder's efficient search, BM25; latency profiled. */
export function demoExperiment(name: string, hypencoder: string, biencoder: string): Record<string, unknown> {
  return {
    name,
    description:
      'Hypencoder (exhaustive and graph search) against a bi-encoder and BM25 on WordNet concept search',
    datasets: [{ name: DEMO_DATASET, split: 'test', maxQueries: 200 }],
    models: [
      { name: hypencoder, modes: [{ mode: 'exhaustive' }, { mode: 'graph', preset: 'efficient1' }] },
      { name: biencoder, modes: [{ mode: 'flat' }] },
    ],
    lexical: [{ mode: 'bm25' }],
    metrics: ['nDCG@10', 'RR@10', 'R@100', 'R@1000'],
    baseline: `${biencoder}/flat`,
    topK: 1000,
    latency: { queries: 50, warmup: 5, repetitions: 2, batchSizes: [1], provider: 'cpu' },
  };
}

export function demoStatus(ctx: Pick<ApiContext, 'demoDir'>): DemoStatus {
  if (!ctx.demoDir)
    return { available: false, reason: 'this build ships no demo folder (native-models/)', packages: [] };
  const packages = DEMO_PACKAGES.map((p) => join(ctx.demoDir!, 'packages', p));
  const missing = packages.filter((p) => !existsSync(join(p, 'model.json')));
  if (missing.length)
    return {
      available: false,
      reason: `the demo model packages are not built yet (${missing.join(', ')} missing; native-models/README.md says how to build them)`,
      packages: [],
    };
  return { available: true, reason: null, packages };
}

export function demoHandlers(ctx: ApiContext, experiments: ExperimentsPort) {
  const { store, models, jobs, dataDir } = ctx;
  return {
    status: handler(noInput, () => demoStatus(ctx)),
    /**
     * Builds and imports what is missing (dataset, packages), then records and runs the demo experiment,
     * all as one job. Steps already done (a second run) are skipped; each run gets a fresh experiment name.
     */
    run: handler(noInput, () => {
      const status = demoStatus(ctx);
      if (!status.available)
        throw new WorkbenchError('UNAVAILABLE', `the demo cannot run here: ${status.reason}`);
      const { id } = jobs.start('experiments:demo', 'the demo experiment', async (job) => {
        if (!store.datasets.get(DEMO_DATASET)) {
          job.progress({ done: 0, total: null, stage: 'building the WordNet dataset' });
          const folder = join(dataDir, 'demo', 'wordnet');
          await buildWordnetDemo(folder, { subset: 'demo', signal: job.signal });
          job.progress({ done: 0, total: null, stage: 'importing the dataset' });
          await importDataset(store, planImport({ path: folder, name: DEMO_DATASET }), {
            signal: job.signal,
          });
        }
        const names: string[] = [];
        for (const dir of status.packages) {
          const name = readManifest(dir).name;
          if (!models.has(name)) {
            job.progress({ done: 0, total: null, stage: `importing model ${name}` });
            await models.import(dir, { signal: job.signal });
          }
          names.push(name);
        }
        const file = join(ctx.demoDir!, DEMO_CONFIG);
        let n = 1;
        while (experiments.experiments.get(n === 1 ? 'demo' : `demo-${n}`)) n++;
        const name = n === 1 ? 'demo' : `demo-${n}`;
        const config = existsSync(file)
          ? { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), name }
          : demoExperiment(name, names[0], names[1]);
        const record = experiments.prepare(config);
        return experiments.execute(job, record.name);
      });
      return { jobId: id };
    }),
  };
}
