import { readFileSync } from 'node:fs';
import { inputError } from '../errors.ts';
import type { QnetParams } from './params.ts';
import { layerCount, parseQnetSpec, type QnetSpec } from './spec.ts';

/**
 * Golden q-net vectors: a file of cases (dims, config, generator seed and scales, expected scores from
 * a PyTorch float64 run of the reference semantics; /work/shared/reference/qnet_reference.json). The
 * inputs are not stored but regenerated with xorshift32, so a case stays a few hundred bytes.
 */

export interface ConformanceCase {
  name: string;
  spec: QnetSpec;
  seed: number;
  nDocs: number;
  weightScale: number;
  biasScale: number;
  docScale: number;
  expectedScores: Float64Array;
}

export interface ConformanceFile {
  tolerance: number;
  cases: ConformanceCase[];
}

/**
 * `count` values of Marsaglia's xorshift32 (13, 17, 5) from `seed`: the first value uses the state
 * after one step; each is state/2³²·2 − 1 in float64, times `scale`, rounded to float32 on store.
 */
export function xorshift32Stream(seed: number, count: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = ((x / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** The generator's weights W_j (seed + 11j), biases b_j (seed + 1000 + 13j) and documents (seed + 5000). */
export function generateCaseInputs(c: Omit<ConformanceCase, 'name' | 'expectedScores'>): {
  params: QnetParams;
  docs: Float32Array;
} {
  const { dims } = c.spec;
  const L = layerCount(c.spec);
  const weights = Array.from({ length: L }, (_, j) =>
    xorshift32Stream(c.seed + 11 * j, dims[j] * dims[j + 1], c.weightScale),
  );
  const biases = Array.from({ length: L - 1 }, (_, j) =>
    xorshift32Stream(c.seed + 1000 + 13 * j, dims[j + 1], c.biasScale),
  );
  const docs = xorshift32Stream(c.seed + 5000, c.nDocs * dims[0], c.docScale);
  return { params: { weights, biases }, docs };
}

/** The file's rule: |got − expected| / max(1, |expected|), reported as the largest over a case's documents. */
export function maxRelativeError(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(got[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    // A NaN score is the worst possible result, not one that compares false and passes.
    if (!(err <= worst)) worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
  }
  return worst;
}

/**
 * Reads and checks a conformance file. Fields are located by JSON path (the file is one JSON document,
 * so line numbers are not meaningful per field).
 */
export function readConformanceFile(file: string): ConformanceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError('NOT_FOUND', { file }, 'File not found', 'Check the path');
    throw inputError(
      'INPUT_INVALID',
      { file },
      `Not valid JSON: ${(err as Error).message}`,
      'Give a file in the format of qnet_reference.json',
    );
  }
  const bad = (field: string, problem: string, hint: string) =>
    inputError('INPUT_INVALID', { file, field }, problem, hint);
  if (typeof raw !== 'object' || raw === null)
    throw bad('', 'The file must hold a JSON object', 'See qnet_reference.json');
  const root = raw as Record<string, unknown>;
  const tolerance = root.tolerance;
  if (typeof tolerance !== 'number' || !(tolerance > 0))
    throw bad('tolerance', 'tolerance must be a positive number', 'e.g. 0.0001');
  if (!Array.isArray(root.cases) || root.cases.length === 0)
    throw bad('cases', 'cases must be a non-empty list', 'Add at least one case');
  const cases = root.cases.map((value, i): ConformanceCase => {
    const at = `cases[${i}]`;
    if (typeof value !== 'object' || value === null)
      throw bad(at, 'Each case must be an object', 'See qnet_reference.json');
    const c = value as Record<string, unknown>;
    const num = (key: string, integer: boolean): number => {
      const v = c[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || (integer && (!Number.isInteger(v) || v < 0))) {
        throw bad(
          `${at}.${key}`,
          `${key} must be a ${integer ? 'whole number ≥ 0' : 'finite number'}`,
          `Got ${JSON.stringify(v)}`,
        );
      }
      return v;
    };
    const name = typeof c.name === 'string' ? c.name : `case ${i}`;
    const spec = parseQnetSpec({ dims: c.dims, config: c.config ?? {} }, { file, field: at });
    const nDocs = num('nDocs', true);
    const expected = c.expectedScores;
    if (
      !Array.isArray(expected) ||
      expected.length !== nDocs ||
      !expected.every((v) => typeof v === 'number')
    ) {
      throw bad(
        `${at}.expectedScores`,
        `expectedScores must list ${nDocs} numbers (one per document)`,
        'Regenerate the file',
      );
    }
    return {
      name,
      spec,
      seed: num('seed', true),
      nDocs,
      weightScale: num('weightScale', false),
      biasScale: num('biasScale', false),
      docScale: num('docScale', false),
      expectedScores: Float64Array.from(expected as number[]),
    };
  });
  return { tolerance, cases };
}

export interface ConformanceResult {
  name: string;
  dims: readonly number[];
  nDocs: number;
  maxRelativeError: number;
  passed: boolean;
}

/** Scores every case with `score` (any implementation) and compares with the expected scores. */
export async function checkConformance(
  file: ConformanceFile,
  score: (
    spec: QnetSpec,
    params: QnetParams,
    docs: Float32Array,
    nDocs: number,
  ) => Promise<ArrayLike<number>>,
): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const c of file.cases) {
    const { params, docs } = generateCaseInputs(c);
    const got = await score(c.spec, params, docs, c.nDocs);
    const err = maxRelativeError(got, c.expectedScores);
    results.push({
      name: c.name,
      dims: c.spec.dims,
      nDocs: c.nDocs,
      maxRelativeError: err,
      passed: err <= file.tolerance,
    });
  }
  return results;
}
