import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  checkConformance,
  generateCaseInputs,
  maxRelativeError,
  readConformanceFile,
  scoreReference,
  xorshift32Stream,
} from '../../../../main/engine/qnet/index.ts';
import { REFERENCE_FILE, referenceExists, SMALL_DEFAULT, TOLERANCE } from './golden.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-qnet-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reference = async (
  spec: Parameters<typeof scoreReference>[0],
  params: Parameters<typeof scoreReference>[1],
  docs: Float32Array,
  n: number,
) => scoreReference(spec, params, docs, n);

describe('xorshift32Stream', () => {
  it('produces Marsaglia xorshift32 (13,17,5) from seed 1: 270369, 67634689, 2647435461 mapped to [-1, 1)', () => {
    const values = xorshift32Stream(1, 3, 1);
    expect(Array.from(values)).toEqual(
      [270369, 67634689, 2647435461].map((x) => Math.fround((x / 2 ** 32) * 2 - 1)),
    );
  });

  it('scales in float64 before rounding to float32', () => {
    const x = 270369;
    expect(xorshift32Stream(1, 1, 0.1)[0]).toBe(Math.fround(((x / 2 ** 32) * 2 - 1) * 0.1));
  });
});

describe('maxRelativeError', () => {
  it('divides by max(1, |expected|) and treats NaN as a failure', () => {
    expect(maxRelativeError([1.5, 10.5], [1, 10])).toBeCloseTo(0.5, 12);
    expect(maxRelativeError([0.2], [0.1])).toBeCloseTo(0.1, 12);
    expect(maxRelativeError([0, Number.NaN], [0, 1])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('golden vectors through the TypeScript reference', () => {
  it('reproduces the embedded small-default case', async () => {
    const { params, docs } = generateCaseInputs(SMALL_DEFAULT);
    expect(
      maxRelativeError(
        scoreReference(SMALL_DEFAULT.spec, params, docs, SMALL_DEFAULT.nDocs),
        SMALL_DEFAULT.expectedScores,
      ),
    ).toBeLessThan(1e-12);
  });

  it.skipIf(!referenceExists)('reproduces every case of the shared reference file', async () => {
    const file = readConformanceFile(REFERENCE_FILE);
    expect(file.tolerance).toBe(TOLERANCE);
    expect(file.cases.map((c) => c.name)).toContain('hypencoder-6-layer-shape');
    for (const r of await checkConformance(file, reference)) {
      expect(r.maxRelativeError, r.name).toBeLessThan(1e-10);
    }
  });

  it.skipIf(!referenceExists)(
    'fails the tolerance when the configuration is wrong (residualOnLast flipped)',
    async () => {
      const file = readConformanceFile(REFERENCE_FILE);
      const flipped = {
        ...file,
        cases: file.cases.map((c) => ({
          ...c,
          spec: { ...c.spec, config: { ...c.spec.config, residualOnLast: !c.spec.config.residualOnLast } },
        })),
      };
      const results = await checkConformance(flipped, reference);
      for (const r of results) {
        // small-no-ln-gelu has a single core block and no LN: flipping adds x to every layer's output.
        expect(r.passed, r.name).toBe(false);
        expect(r.maxRelativeError).toBeGreaterThan(100 * file.tolerance);
      }
    },
  );
});

describe('readConformanceFile', () => {
  const write = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const errorOf = (fn: () => unknown): WorkbenchError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(WorkbenchError);
      return err as WorkbenchError;
    }
    throw new Error('expected an error');
  };
  const good = {
    tolerance: 1e-4,
    cases: [
      {
        name: 'a',
        dims: [2, 1],
        config: {},
        seed: 1,
        nDocs: 1,
        weightScale: 1,
        biasScale: 1,
        docScale: 1,
        expectedScores: [0],
      },
    ],
  };

  it('reads a valid file with the reference defaults filled in', () => {
    const file = readConformanceFile(write('good.json', good));
    expect(file.cases[0].spec.config.activation).toBe('relu');
    expect(Array.from(file.cases[0].expectedScores)).toEqual([0]);
  });

  it('names the file and the JSON path of a bad field', () => {
    const bad = { ...good, cases: [{ ...good.cases[0], nDocs: 2 }] };
    const err = errorOf(() => readConformanceFile(write('bad.json', bad)));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.details).toMatchObject({ field: 'cases[0].expectedScores' });
    expect(err.message).toMatch(/bad\.json: expectedScores must list 2 numbers/);
    const badDims = errorOf(() =>
      readConformanceFile(write('dims.json', { ...good, cases: [{ ...good.cases[0], dims: [2, 3] }] })),
    );
    expect(badDims.details?.field).toBe('cases[0].dims');
  });

  it('reports a missing file and broken JSON', () => {
    expect(errorOf(() => readConformanceFile(join(dir, 'none.json'))).code).toBe('NOT_FOUND');
    expect(errorOf(() => readConformanceFile(write('broken.json', '{"tolerance": 1e-4,'))).message).toMatch(
      /Not valid JSON/,
    );
  });
});
