import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  createSession,
  defaultProviderEnvironment,
  GraphBuilder,
  type ProviderEnvironment,
  providerPlan,
  resolveThreads,
} from '../../../../main/engine/onnx/index.ts';

function tinyModel(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', 'float32', ['N']);
  g.output(g.op('Relu', [x], undefined, 'y'), 'float32', ['N']);
  return g.toBytes();
}

/** A machine description for the plan: what onnxruntime-node lists, and whether CUDA's libraries are present. */
function environment(
  platform: NodeJS.Platform,
  backends: [string, boolean][],
  cudaInstalled = false,
): ProviderEnvironment {
  return {
    platform,
    arch: 'x64',
    supportedBackends: () => backends.map(([name, bundled]) => ({ name, bundled })),
    providerLibraryPresent: () => cudaInstalled,
    logicalCores: 8,
  };
}

const LINUX_NPM: [string, boolean][] = [
  ['cpu', true],
  ['webgpu', true],
  ['cuda', false],
  ['tensorrt', false],
];

describe('providerPlan', () => {
  it('explains a CUDA request on a machine without the CUDA provider library and keeps CPU', () => {
    const plan = providerPlan('cuda', environment('linux', LINUX_NPM, false));
    expect(plan.candidates).toEqual(['cpu']);
    expect(plan.skipped[0]).toMatch(/^CUDA provider not installed: .*--onnxruntime-node-install=cuda12/);
  });

  it('tries CUDA first when its library is installed', () => {
    expect(providerPlan('cuda', environment('linux', LINUX_NPM, true)).candidates).toEqual(['cuda', 'cpu']);
  });

  it('orders auto by platform: DirectML on Windows, CoreML on macOS, then WebGPU, always ending on CPU', () => {
    const win = environment('win32', [
      ['cpu', true],
      ['dml', true],
      ['webgpu', true],
    ]);
    expect(providerPlan('auto', win).candidates).toEqual(['dml', 'webgpu', 'cpu']);
    const mac = environment('darwin', [
      ['cpu', true],
      ['coreml', true],
      ['webgpu', true],
    ]);
    expect(providerPlan('auto', mac).candidates).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(providerPlan('auto', environment('linux', LINUX_NPM, true)).candidates).toEqual([
      'cuda',
      'webgpu',
      'cpu',
    ]);
  });

  it('names a provider this build lacks', () => {
    const plan = providerPlan('coreml', environment('linux', LINUX_NPM));
    expect(plan.candidates).toEqual(['cpu']);
    expect(plan.skipped).toEqual(['CoreML provider is not part of onnxruntime-node on linux-x64']);
  });

  it('plans CPU alone for a CPU request', () => {
    expect(providerPlan('cpu', environment('linux', LINUX_NPM, true))).toEqual({
      candidates: ['cpu'],
      skipped: [],
    });
  });
});

describe('resolveThreads', () => {
  it('makes defaults explicit so the recorded counts are the ones that ran', () => {
    expect(resolveThreads({}, { logicalCores: 6 })).toEqual({ intraOpNumThreads: 6, interOpNumThreads: 1 });
    expect(resolveThreads({ intraOpNumThreads: 0, interOpNumThreads: 2 }, { logicalCores: 6 })).toEqual({
      intraOpNumThreads: 6,
      interOpNumThreads: 2,
    });
  });

  it('rejects fractional and negative counts, naming the field', () => {
    expect(() => resolveThreads({ intraOpNumThreads: 1.5 }, { logicalCores: 2 })).toThrow(
      /intraOpNumThreads must be a whole number/,
    );
    try {
      resolveThreads({ interOpNumThreads: -1 }, { logicalCores: 2 });
      expect.unreachable();
    } catch (err) {
      expect((err as WorkbenchError).code).toBe('INVALID_ARGUMENT');
      expect((err as WorkbenchError).details?.field).toBe('interOpNumThreads');
    }
  });
});

describe('createSession', () => {
  it('falls back from a CUDA request to CPU here, with a notice, and records the threads used', async () => {
    const env = defaultProviderEnvironment();
    const cudaReady =
      env.supportedBackends().some((b) => b.name === 'cuda') && env.providerLibraryPresent('cuda');
    if (cudaReady)
      console.warn(
        'CUDA provider libraries are installed on this machine: the fallback assertion is skipped',
      );
    const result = await createSession(tinyModel(), { provider: 'cuda', threads: { intraOpNumThreads: 1 } });
    try {
      if (!cudaReady) {
        expect(result.provider).toBe('cpu');
        expect(result.requested).toBe('cuda');
        expect(result.notice).toMatch(/^CUDA provider not installed: .*; using CPU$/);
      }
      expect(result.intraOpNumThreads).toBe(1);
      expect(result.interOpNumThreads).toBe(1);
      const out = await result.session.run({
        x: new (await import('onnxruntime-node')).Tensor('float32', Float32Array.from([-1, 2]), [2]),
      });
      expect(Array.from(out.y.data as Float32Array)).toEqual([0, 2]);
    } finally {
      await result.session.release();
    }
  });

  it('turns a provider that fails to start into a notice, not an error', async () => {
    // Claim this Linux build lists DirectML: onnxruntime then refuses it at session creation.
    const env = {
      ...defaultProviderEnvironment(),
      supportedBackends: () => [
        { name: 'cpu', bundled: true },
        { name: 'dml', bundled: true },
      ],
    };
    const result = await createSession(tinyModel(), { provider: 'dml', environment: env });
    try {
      expect(result.provider).toBe('cpu');
      expect(result.notice).toMatch(/^DirectML provider failed to start: .+; using CPU$/);
    } finally {
      await result.session.release();
    }
  });

  it('gives no notice when CPU was asked for', async () => {
    const result = await createSession(tinyModel(), { provider: 'cpu', threads: { intraOpNumThreads: 2 } });
    expect(result).toMatchObject({ provider: 'cpu', requested: 'cpu', intraOpNumThreads: 2 });
    expect(result.notice).toBeUndefined();
    await result.session.release();
  });

  it('reports a model even CPU cannot load as invalid input, naming the file', async () => {
    const err = await createSession(Uint8Array.from([1, 2, 3, 4]), {
      label: 'models/broken/query.onnx',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toMatch(/^models\/broken\/query\.onnx: onnxruntime could not load the model/);
    expect(err.details.file).toBe('models/broken/query.onnx');
  });

  it('rejects an unknown provider name', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately outside the typed set, as a CLI string could be.
    const err = await createSession(tinyModel(), { provider: 'tpu' as any }).catch((e) => e);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/auto, cpu, cuda, dml, coreml, webgpu/);
  });
});
