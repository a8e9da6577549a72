import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset, planImport } from '../datasets/index.ts';
import { inputError } from '../errors.ts';
import { type ModelRegistry, readManifest } from '../models/index.ts';
import type { Store } from '../store/index.ts';
import { wordnetDatasetCard } from './dataset-card.ts';
import { buildWordnetDemo } from './wordnet.ts';

/**
 * The demo a first start offers and `npm run demo` runs: the WordNet concept-search dataset (built from the
 * bundled WordNet 3.1) and the two tiny trained packages of native-models/packages, compared in the
 * experiment of native-models/demo/experiment.json. Everything ships with the app; nothing is downloaded.
 */

export const DEMO_DATASET = 'wordnet-demo';
export const DEMO_PACKAGES = ['wordnet-tiny-hypencoder', 'wordnet-tiny-biencoder'] as const;
/** The demo experiment's config, relative to the demo folder (native-models/). */
export const DEMO_CONFIG = join('demo', 'experiment.json');
/**
 * The demo's experiments by name, configs relative to the demo folder: `demo` compares the systems
 * (DEMO_CONFIG); `robustness` runs every query-variation family that can be generated against them.
 */
export const DEMO_EXPERIMENTS = {
  demo: DEMO_CONFIG,
  robustness: join('demo', 'robustness.json'),
} as const;
export type DemoExperiment = keyof typeof DEMO_EXPERIMENTS;

export interface DemoStatus {
  available: boolean;
  /** Why the demo cannot run here, in words that say what is missing. */
  reason: string | null;
  packages: string[];
}

export function demoStatus(demoDir: string | undefined): DemoStatus {
  if (!demoDir)
    return { available: false, reason: 'this build ships no demo folder (native-models/)', packages: [] };
  const packages = DEMO_PACKAGES.map((p) => join(demoDir, 'packages', p));
  const missing = packages.filter((p) => !existsSync(join(p, 'model.json')));
  if (missing.length) {
    return {
      available: false,
      reason: `the demo model packages are not built (${missing.join(', ')} missing; native-models/README.md says how to build them)`,
      packages: [],
    };
  }
  if (!existsSync(join(demoDir, DEMO_CONFIG))) {
    return {
      available: false,
      reason: `the demo experiment ${join(demoDir, DEMO_CONFIG)} is missing`,
      packages: [],
    };
  }
  return { available: true, reason: null, packages };
}

export interface PrepareDemoOptions {
  store: Store;
  dataDir: string;
  models: Pick<ModelRegistry, 'has' | 'import'>;
  demoDir: string;
  signal?: AbortSignal;
  stage?: (message: string) => void;
  /** Which demo experiment's config to return (default `demo`). */
  experiment?: DemoExperiment;
}

/**
 * Builds and imports what the demo needs and is missing (the dataset, the packages); a second call costs
 * nothing. Returns the config of the demo experiment asked for.
 */
export async function prepareDemo(options: PrepareDemoOptions): Promise<Record<string, unknown>> {
  const { store, dataDir, models, demoDir, signal, stage } = options;
  const status = demoStatus(demoDir);
  if (!status.available)
    throw inputError('UNAVAILABLE', { file: demoDir }, `the demo cannot run here: ${status.reason}`);
  const file = join(demoDir, DEMO_EXPERIMENTS[options.experiment ?? 'demo']);
  if (!existsSync(file))
    throw inputError('UNAVAILABLE', { file }, 'the demo cannot run here: its experiment config is missing');
  if (!store.datasets.get(DEMO_DATASET)) {
    stage?.('building the WordNet 3.1 concept-search dataset');
    const folder = join(dataDir, 'demo', 'wordnet');
    await buildWordnetDemo(folder, { subset: 'demo', signal, card: wordnetDatasetCard() });
    stage?.('importing the dataset');
    await importDataset(store, planImport({ path: folder, name: DEMO_DATASET }), { signal });
  }
  for (const dir of status.packages) {
    const name = readManifest(dir).name;
    if (!models.has(name)) {
      stage?.(`importing model ${name}`);
      await models.import(dir, { signal });
    }
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
