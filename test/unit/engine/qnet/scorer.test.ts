import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  checkConformance,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_GPU_CHUNK_SIZE,
  generateCaseInputs,
  maxRelativeError,
  parseQnetSpec,
  QNET_ACTIVATIONS,
  QnetScorer,
  type QnetSpec,
  queryParams,
  readConformanceFile,
  scoreReference,
  xorshift32Stream,
} from '../../../../main/engine/qnet/index.ts';
import { REFERENCE_FILE, randomParams, referenceExists, SMALL_DEFAULT, TOLERANCE } from './golden.ts';

const scorers: QnetScorer[] = [];
afterAll(async () => {
  for (const s of scorers) await s.dispose();
});

async function scorerFor(
  spec: QnetSpec,
  options: Partial<Parameters<typeof QnetScorer.create>[0]> = {},
): Promise<QnetScorer> {
  const scorer = await QnetScorer.create({ spec, threads: { intraOpNumThreads: 2 }, ...options });
  scorers.push(scorer);
  return scorer;
}

describe('QnetScorer against golden vectors', () => {
  it('reproduces the embedded small-default case in chunks of 7 (a short last chunk)', async () => {
    const { params, docs } = generateCaseInputs(SMALL_DEFAULT);
    const scorer = await scorerFor(SMALL_DEFAULT.spec, { chunkSize: 7 });
    const got = await scorer.score(params, docs, SMALL_DEFAULT.nDocs);
    expect(maxRelativeError(got, SMALL_DEFAULT.expectedScores)).toBeLessThan(TOLERANCE);
  });

  it.skipIf(!referenceExists)(
    'passes every case of the shared reference file, single and batched, LN as op and decomposed',
    async () => {
      const file = readConformanceFile(REFERENCE_FILE);
      for (const layerNorm of ['op', 'decomposed'] as const) {
        for (const mode of ['single', 'graph', 'per-query'] as const) {
          const results = await checkConformance(file, async (spec, params, docs, n) => {
            const batchMode = mode === 'single' ? 'auto' : mode;
            const scorer = await scorerFor(spec, { chunkSize: 5, layerNorm, batchMode });
            return mode === 'single' ? scorer.score(params, docs, n) : scorer.scoreBatch(params, docs, n);
          });
          for (const r of results) {
            expect(r.maxRelativeError, `${r.name} ${layerNorm} ${mode}`).toBeLessThan(file.tolerance);
          }
        }
      }
    },
  );

  it.skipIf(!referenceExists)(
    'fails the tolerance with residualOnLast flipped, so the check can fail',
    async () => {
      const file = readConformanceFile(REFERENCE_FILE);
      const results = await checkConformance(file, async (spec, params, docs, n) => {
        const wrong = { ...spec, config: { ...spec.config, residualOnLast: !spec.config.residualOnLast } };
        return (await scorerFor(wrong)).score(params, docs, n);
      });
      expect(results.map((r) => r.passed)).toEqual(results.map(() => false));
    },
  );
});

describe('QnetScorer semantics beyond the golden file', () => {
  const configs: [string, Record<string, unknown>][] = [
    ...QNET_ACTIVATIONS.map((activation): [string, Record<string, unknown>] => [activation, { activation }]),
    ['no LN, no residual', { layerNorm: false, residual: false }],
    ['LN after residual, residual on last', { layerNormBeforeResidual: false, residualOnLast: true }],
    ['LN eps 0.1', { lnEps: 0.1 }],
  ];
  for (const [label, config] of configs) {
    it(`matches the TypeScript reference: ${label}`, async () => {
      const spec = parseQnetSpec({ dims: [16, 16, 16, 1], ...config });
      const params = randomParams(spec, 1, 11);
      const docs = xorshift32Stream(77, 50 * 16, 1);
      const want = scoreReference(spec, params, docs, 50);
      for (const layerNorm of ['op', 'decomposed'] as const) {
        const got = await (await scorerFor(spec, { chunkSize: 16, layerNorm })).score(params, docs, 50);
        expect(maxRelativeError(got, want), layerNorm).toBeLessThan(1e-5);
      }
    });
  }

  it('handles widths that change where there is no residual, and a q-net with no core block', async () => {
    for (const spec of [
      parseQnetSpec({ dims: [12, 20, 6, 1], residual: false }),
      parseQnetSpec({ dims: [9, 1] }),
    ]) {
      const params = randomParams(spec, 1, 5);
      const docs = xorshift32Stream(8, 10 * spec.dims[0], 1);
      const got = await (await scorerFor(spec, { chunkSize: 3 })).score(params, docs, 10);
      expect(maxRelativeError(got, scoreReference(spec, params, docs, 10))).toBeLessThan(1e-5);
    }
  });

  for (const batchMode of ['graph', 'per-query'] as const) {
    it(`scores a batch query-major (${batchMode}), equal to scoring the queries one by one`, async () => {
      const spec = parseQnetSpec({ dims: [24, 24, 24, 1] });
      const queries = 3;
      const nDocs = 23;
      const params = randomParams(spec, queries, 21);
      const docs = xorshift32Stream(99, nDocs * 24, 1);
      const scorer = await scorerFor(spec, { chunkSize: 10, batchMode });
      expect(scorer.settings.batchMode).toBe(batchMode);
      const batch = await scorer.scoreBatch(params, docs, nDocs);
      expect(batch.length).toBe(queries * nDocs);
      expect(maxRelativeError(batch, scoreReference(spec, params, docs, nDocs))).toBeLessThan(1e-5);
      for (let q = 0; q < queries; q++) {
        const one = await scorer.score(queryParams(spec, params, q), docs, nDocs);
        expect(maxRelativeError(batch.subarray(q * nDocs, (q + 1) * nDocs), one)).toBeLessThan(1e-6);
      }
    });
  }

  it('writes into the caller’s output array and reads documents from an offset view', async () => {
    const spec = SMALL_DEFAULT.spec;
    const { params, docs } = generateCaseInputs(SMALL_DEFAULT);
    // The documents start 5 rows into a larger buffer: views must honour byteOffset.
    const padded = new Float32Array(docs.length + 10 * 32);
    padded.set(docs, 5 * 32);
    const view = padded.subarray(5 * 32, 5 * 32 + docs.length);
    const out = new Float32Array(60).fill(Number.NaN);
    const scorer = await scorerFor(spec, { chunkSize: 16 });
    const returned = await scorer.score(params, view, SMALL_DEFAULT.nDocs, out);
    expect(returned).toBe(out);
    expect(maxRelativeError(out.subarray(0, 40), SMALL_DEFAULT.expectedScores)).toBeLessThan(TOLERANCE);
    expect(Number.isNaN(out[40])).toBe(true);
  });

  it('records the provider and thread counts that produced the scores', async () => {
    const scorer = await scorerFor(SMALL_DEFAULT.spec, {
      threads: { intraOpNumThreads: 1 },
      chunkSize: 256,
      kernel: 'onnxruntime',
    });
    expect(scorer.settings).toEqual({
      provider: 'cpu',
      requested: 'cpu',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      kernel: 'onnxruntime',
      chunkSize: 256,
      layerNorm: 'op',
      // On CPU a batch runs the fused single-query graph once per query and chunk.
      batchMode: 'per-query',
    });
  });

  it('takes its default chunk from the provider actually used: 1024 on CPU, also after a GPU request fell back', async () => {
    const cpu = await scorerFor(SMALL_DEFAULT.spec);
    expect(cpu.settings).toMatchObject({ provider: 'cpu', chunkSize: DEFAULT_CHUNK_SIZE });
    // No CUDA provider library in this install: the request falls back, with a notice, to CPU-sized chunks.
    const fallback = await scorerFor(SMALL_DEFAULT.spec, { provider: 'cuda' });
    expect(fallback.settings).toMatchObject({
      provider: 'cpu',
      requested: 'cuda',
      chunkSize: DEFAULT_CHUNK_SIZE,
    });
    expect(fallback.settings.notice).toMatch(/CUDA provider not installed/);
    expect(DEFAULT_GPU_CHUNK_SIZE).toBeGreaterThan(DEFAULT_CHUNK_SIZE);
  });

  it('stops between chunks when cancelled', async () => {
    const { params, docs } = generateCaseInputs(SMALL_DEFAULT);
    const scorer = await scorerFor(SMALL_DEFAULT.spec, { chunkSize: 4 });
    const controller = new AbortController();
    controller.abort();
    const err = await scorer.score(params, docs, 40, undefined, controller.signal).catch((e) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err.code).toBe('CANCELLED');
    const batchErr = await scorer.scoreBatch(params, docs, 40, undefined, controller.signal).catch((e) => e);
    expect(batchErr.code).toBe('CANCELLED');
  });

  it('rejects parameters and buffers that do not fit the dims', async () => {
    const { params, docs } = generateCaseInputs(SMALL_DEFAULT);
    const scorer = await scorerFor(SMALL_DEFAULT.spec);
    const short = { ...params, biases: [params.biases[0], params.biases[1].subarray(1)] };
    await expect(scorer.score(short, docs, 40)).rejects.toThrow(/qnet_b1 has 31 values; 1 × 32 expected/);
    await expect(scorer.score(params, docs, 41)).rejects.toThrow(/41 documents × 32 dimensions need 1312/);
    await expect(scorer.score(params, docs, 40, new Float32Array(39))).rejects.toThrow(/out holds 39 scores/);
    const two = randomParams(SMALL_DEFAULT.spec, 2, 1);
    await expect(scorer.score(two, docs, 40)).rejects.toThrow(/use scoreBatch/);
    expect(await scorer.score(params, docs, 0)).toHaveLength(0);
  });
});
