import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  checkConformance,
  generateCaseInputs,
  HYPENCODER_6_LAYER,
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
import {
  NATIVE_BUILD_HINT,
  nativeConfig,
  nativeIsas,
  nativeKernelStatus,
  scoreNative,
} from '../../../../main/engine/qnet/native/index.ts';
import { REFERENCE_FILE, randomParams, referenceExists, SMALL_DEFAULT, TOLERANCE } from './golden.ts';

// The kernel is built by `npm ci` (postinstall) wherever a C compiler is present; on x86-64 Linux (this
// project's CI and development machines) its absence is a failure, not a skip.
const x64Linux = process.platform === 'linux' && process.arch === 'x64';
const cpuFlags = x64Linux ? (readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '') : '';
const isas = nativeIsas();

const scorers: QnetScorer[] = [];
afterAll(async () => {
  for (const s of scorers) await s.dispose();
});
async function scorerFor(spec: QnetSpec, options: Partial<Parameters<typeof QnetScorer.create>[0]> = {}) {
  const scorer = await QnetScorer.create({ spec, ...options });
  scorers.push(scorer);
  return scorer;
}

/** The same values at a start address `shift` floats past a 64-byte boundary of a fresh buffer. */
function shifted(a: Float32Array, shift: number): Float32Array {
  const out = new Float32Array(a.length + 16).subarray(shift, shift + a.length);
  out.set(a);
  return out;
}

describe('q-net CPU kernel: build and instruction set', () => {
  it.runIf(x64Linux)(
    'is built and loads on x86-64 Linux, with the widest instruction set the CPU has',
    () => {
      const status = nativeKernelStatus();
      expect(status, `the kernel must be built here: ${NATIVE_BUILD_HINT}`).toMatchObject({
        available: true,
      });
      const widest = /\bavx512f\b/.test(cpuFlags) ? 'avx512' : 'avx2';
      expect(status.available && status.isa).toBe(widest);
      expect(isas[0]).toBe(widest);
    },
  );
});

describe.each(isas)('q-net CPU kernel (%s) against the float64 reference', (isa) => {
  const configs: [string, Record<string, unknown>][] = [
    ...QNET_ACTIVATIONS.map((activation): [string, Record<string, unknown>] => [activation, { activation }]),
    ['no LN', { layerNorm: false }],
    ['LN after residual, residual on last', { layerNormBeforeResidual: false, residualOnLast: true }],
    ['LN eps 0.1', { lnEps: 0.1 }],
  ];
  for (const [label, config] of configs) {
    it(`${label}: partial column strips, row counts across blocks and chunks, misaligned weights`, async () => {
      // 53 columns = one full AVX-512 strip and a partial one (three strips and a partial on AVX2); 300
      // documents cross the kernel's 256-row pass; 1, 13 and 25 leave uneven row blocks.
      const spec = parseQnetSpec({ dims: [53, 53, 53, 53, 1], ...config });
      const params = randomParams(spec, 1, 5);
      const docs = xorshift32Stream(9, 300 * 53, 1);
      const want = scoreReference(spec, params, docs, 300);
      for (const shift of [0, 1, 3, 7]) {
        const moved = { weights: params.weights.map((w) => shifted(w, shift)), biases: params.biases };
        for (const n of [0, 1, 13, 25, 300]) {
          const out = new Float32Array(n);
          await scoreNative(nativeConfig(spec), moved, docs, n, out, isa);
          expect(maxRelativeError(out, want.subarray(0, n)), `shift ${shift}, ${n} documents`).toBeLessThan(
            1e-5,
          );
        }
      }
    });
  }

  it('handles widths that change without residuals, and a q-net with no core block', async () => {
    for (const spec of [
      parseQnetSpec({ dims: [12, 40, 6, 1], residual: false }),
      parseQnetSpec({ dims: [9, 1] }),
    ]) {
      const params = randomParams(spec, 1, 3);
      const docs = xorshift32Stream(4, 30 * spec.dims[0], 1);
      const out = await scoreNative(nativeConfig(spec), params, docs, 30, new Float32Array(30), isa);
      expect(maxRelativeError(out, scoreReference(spec, params, docs, 30))).toBeLessThan(1e-5);
    }
  });

  it('reproduces the embedded small-default golden case', async () => {
    const { params, docs } = generateCaseInputs(SMALL_DEFAULT);
    const out = new Float32Array(SMALL_DEFAULT.nDocs);
    await scoreNative(nativeConfig(SMALL_DEFAULT.spec), params, docs, SMALL_DEFAULT.nDocs, out, isa);
    expect(maxRelativeError(out, SMALL_DEFAULT.expectedScores)).toBeLessThan(TOLERANCE);
  });

  it.skipIf(!referenceExists)('passes every case of the shared PyTorch reference file', async () => {
    const file = readConformanceFile(REFERENCE_FILE);
    const results = await checkConformance(file, async (spec, params, docs, n) => {
      const scorer = await scorerFor(spec, { kernel: `native-${isa}`, chunkSize: 5 });
      return scorer.score(params, docs, n);
    });
    for (const r of results) expect(r.maxRelativeError, r.name).toBeLessThan(file.tolerance);
  });

  it('rejects arrays that do not match the dims, naming the argument', async () => {
    const spec = parseQnetSpec({ dims: [8, 8, 1] });
    const params = randomParams(spec, 1, 1);
    const docs = new Float32Array(8 * 4);
    const bad = { weights: [params.weights[0].subarray(0, 60), params.weights[1]], biases: params.biases };
    const config = nativeConfig(spec);
    await expect(scoreNative(config, bad, docs, 4, new Float32Array(4), isa)).rejects.toThrow(/weights\[j\]/);
    await expect(scoreNative(config, params, docs, 5, new Float32Array(5), isa)).rejects.toThrow(/nDocs/);
    await expect(scoreNative(config, params, docs, 4, new Float32Array(3), isa)).rejects.toThrow(/out/);
  });

  it('keeps the JavaScript thread free while it scores, and serialises calls that overlap', async () => {
    const spec = HYPENCODER_6_LAYER;
    const params = randomParams(spec, 1, 41);
    const docs = xorshift32Stream(42, 2000 * 768, 1);
    const config = nativeConfig(spec);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const [a, b] = await Promise.all([
      scoreNative(config, params, docs, 2000, new Float32Array(2000), isa),
      scoreNative(config, params, docs, 2000, new Float32Array(2000), isa, 2),
    ]);
    clearInterval(timer);
    // ~0.1–0.5 s of scoring: timers kept firing, and both calls gave the same floats.
    expect(ticks).toBeGreaterThan(5);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});

describe.runIf(isas.length > 0)('QnetScorer with the native kernel', () => {
  it('scores hypencoder.6_layer like onnxruntime, per query and in batches', async () => {
    const spec = HYPENCODER_6_LAYER;
    const params = randomParams(spec, 3, 21);
    const docs = xorshift32Stream(22, 700 * 768, 1);
    const ort = await scorerFor(spec, { kernel: 'onnxruntime', threads: { intraOpNumThreads: 2 } });
    const native = await scorerFor(spec, {
      kernel: 'native',
      chunkSize: 256,
      threads: { intraOpNumThreads: 2 },
    });
    expect(native.settings).toMatchObject({
      kernel: `native-${isas[0]}`,
      provider: 'cpu',
      intraOpNumThreads: 2,
    });
    const want = await ort.scoreBatch(params, docs, 700);
    const got = await native.scoreBatch(params, docs, 700);
    expect(maxRelativeError(got, want)).toBeLessThan(1e-4);
    const one = await native.score(queryParams(spec, params, 1), docs, 700);
    expect(Array.from(one)).toEqual(Array.from(got.subarray(700, 1400)));
  });

  it('is what `auto` picks for a one-thread CPU scorer with AVX-512, and onnxruntime otherwise', async () => {
    const spec = parseQnetSpec({ dims: [16, 16, 1] });
    const one = await scorerFor(spec, { threads: { intraOpNumThreads: 1 } });
    const auto = isas[0] === 'avx512' ? 'native-avx512' : 'onnxruntime';
    expect(one.settings.kernel).toBe(auto);
    expect(QnetScorer.plannedKernel({ spec, threads: { intraOpNumThreads: 1 } })).toBe(auto);
    const two = await scorerFor(spec, { threads: { intraOpNumThreads: 2 } });
    expect(two.settings.kernel).toBe('onnxruntime');
    expect(QnetScorer.plannedKernel({ spec, threads: { intraOpNumThreads: 2 } })).toBe('onnxruntime');
    const ort = await scorerFor(spec, { kernel: 'onnxruntime', threads: { intraOpNumThreads: 1 } });
    expect(ort.settings.kernel).toBe('onnxruntime');
    const threaded = await scorerFor(spec, { kernel: 'native', threads: { intraOpNumThreads: 2 } });
    expect(threaded.settings).toMatchObject({ kernel: `native-${isas[0]}`, intraOpNumThreads: 2 });
  });

  it('gives bit-identical scores for every thread count and batch size', async () => {
    // 600 documents: with 2 threads each takes whole 256-document passes; with 3 they share each pass
    // (column strips, then documents); batches of 37 are graph search's shape.
    const spec = HYPENCODER_6_LAYER;
    const params = randomParams(spec, 1, 31);
    const docs = xorshift32Stream(32, 600 * 768, 1);
    const one = await (await scorerFor(spec, { kernel: 'native', threads: { intraOpNumThreads: 1 } })).score(
      params,
      docs,
      600,
    );
    for (const [threads, chunkSize] of [
      [2, 1024],
      [3, 1024],
      [2, 37],
    ]) {
      const scorer = await scorerFor(spec, {
        kernel: 'native',
        threads: { intraOpNumThreads: threads },
        chunkSize,
      });
      const got = await scorer.score(params, docs, 600);
      expect(Array.from(got), `${threads} threads, chunks of ${chunkSize}`).toEqual(Array.from(one));
    }
    expect(maxRelativeError(one.subarray(0, 20), scoreReference(spec, params, docs, 20))).toBeLessThan(1e-5);
  });

  it('refuses unknown kernels and GPU providers with the native kernel, and cancels between chunks', async () => {
    const spec = parseQnetSpec({ dims: [16, 16, 1] });
    await expect(QnetScorer.create({ spec, kernel: 'fast' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'kernel' },
    });
    await expect(QnetScorer.create({ spec, kernel: 'native', provider: 'webgpu' })).rejects.toBeInstanceOf(
      WorkbenchError,
    );
    const scorer = await scorerFor(spec, { kernel: 'native', chunkSize: 4 });
    const controller = new AbortController();
    controller.abort();
    await expect(
      scorer.score(randomParams(spec, 1, 2), new Float32Array(16 * 10), 10, undefined, controller.signal),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
