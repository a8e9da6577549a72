import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ConformanceCase,
  parseQnetSpec,
  type QnetParams,
  type QnetSpec,
  xorshift32Stream,
} from '../../../../main/engine/qnet/index.ts';

/** The shared golden file (PyTorch float64 reference), found beside the repository as ../shared. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const REFERENCE_FILE = resolve(repoRoot, '../shared/reference/qnet_reference.json');
export const referenceExists = existsSync(REFERENCE_FILE);
if (!referenceExists) {
  console.warn(
    `q-net golden tests skipped: ${REFERENCE_FILE} is missing (the shared folder beside the repository)`,
  );
}

/**
 * Case "small-default" of qnet_reference.json, copied so that one golden assertion runs even without
 * the shared folder: dims [32,32,32,1], the released checkpoints' configuration, seed 2.
 */
export const SMALL_DEFAULT: ConformanceCase = {
  name: 'small-default',
  spec: parseQnetSpec({ dims: [32, 32, 32, 1] }),
  seed: 2,
  nDocs: 40,
  weightScale: 0.25,
  biasScale: 0.1,
  docScale: 1.0,
  expectedScores: Float64Array.from([
    0.13939839939340182, 0.010573102386543576, 0.733543121803226, -0.4556082791482453, -1.8254352886447975,
    0.4783861474655322, 0.12834088389874315, 0.867375590115885, 0.3893061228259594, -0.48836319167495457,
    -0.08898820399148669, 0.029719029626277038, 1.8720593770844909, -0.017173714571526166,
    -0.5389789147792324, -1.0099730778942653, -1.2242286438333347, 0.5989242984209721, 0.9522040111486452,
    -1.6517883466261085, 0.665927354781988, -0.6302543670250877, 1.7891113303821125, 1.0831725527099676,
    0.30699210452600634, -0.13137559938724308, 0.8229348921419988, 1.19598459408587, -0.30221784919004036,
    -0.1534582780191402, 1.2411877821556625, -0.13015630127846572, 0.21674223853138935, 0.6878845391913535,
    0.6512043600310453, 0.3229474093146263, -1.48225298579769, 0.13313707608424846, 0.40471606523355375,
    1.0145175610448962,
  ]),
};

export const TOLERANCE = 1e-4;

/** Random parameters for `queries` q-nets, scaled like the golden cases (≈ 1/√d keeps activations O(1)). */
export function randomParams(spec: QnetSpec, queries: number, seed: number): QnetParams {
  const { dims } = spec;
  return {
    weights: dims
      .slice(0, -1)
      .map((d, j) => xorshift32Stream(seed + j, queries * d * dims[j + 1], Math.sqrt(3 / d))),
    biases: dims.slice(1, -1).map((d, j) => xorshift32Stream(seed + 100 + j, queries * d, 0.1)),
  };
}
