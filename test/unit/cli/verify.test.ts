import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerVerifyCommands } from '../../../main/cli/verify.ts';
import { WorkbenchError } from '../../../main/engine/errors.ts';
import { defaultProviderEnvironment } from '../../../main/engine/onnx/index.ts';
import { nativeKernelStatus } from '../../../main/engine/qnet/index.ts';
import { REFERENCE_FILE, referenceExists, SMALL_DEFAULT } from '../engine/qnet/golden.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `verify …` through a real Commander program; returns the output and the error a failing run throws. */
async function verify(args: string[]): Promise<{ out: string; err: string; error?: unknown }> {
  let out = '';
  let err = '';
  const program = new Command('workbench').exitOverride();
  registerVerifyCommands(program, {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
  });
  try {
    await program.parseAsync(['verify', ...args], { from: 'user' });
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

/** A one-case file in the reference format built from the embedded golden case. */
function smallDefaultFile(changes: { config?: Record<string, unknown>; scoreOffset?: number } = {}): string {
  const c = SMALL_DEFAULT;
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      tolerance: 1e-4,
      cases: [
        {
          name: c.name,
          dims: c.spec.dims,
          config: { ...c.spec.config, ...changes.config },
          seed: c.seed,
          nDocs: c.nDocs,
          weightScale: c.weightScale,
          biasScale: c.biasScale,
          docScale: c.docScale,
          expectedScores: Array.from(c.expectedScores, (v, i) =>
            i === 3 ? v + (changes.scoreOffset ?? 0) : v,
          ),
        },
      ],
    }),
  );
  return file;
}

describe('workbench verify qnet', () => {
  it('prints each case with its max relative error and succeeds within tolerance', async () => {
    const { out, error } = await verify(['qnet', smallDefaultFile(), '--chunk-size', '7', '--threads', '1']);
    expect(error).toBeUndefined();
    expect(out).toMatch(/on cpu \(requested cpu\), 1 intra-op \/ 1 inter-op threads, chunks of 7 documents/);
    expect(out).toMatch(/float32, kernel (native-avx512|native-avx2|onnxruntime), on cpu/);
    const row = out.split('\n').find((l) => l.startsWith('small-default'));
    expect(row).toMatch(/^small-default\s+32-32-32-1\s+40\s+(\S+)\s+(\S+)\s+ok$/);
    const [, single] = row!.match(/40\s+(\S+)/)!;
    expect(Number(single)).toBeLessThan(1e-4);
    expect(out).toMatch(/all 1 cases within tolerance/);
  });

  it('verifies through onnxruntime and, where it is built, the native kernel, and refuses unknown kernels', async () => {
    const onnx = await verify(['qnet', smallDefaultFile(), '--threads', '1', '--kernel', 'onnxruntime']);
    expect(onnx.error).toBeUndefined();
    expect(onnx.out).toMatch(/float32, kernel onnxruntime, on cpu/);
    if (nativeKernelStatus().available) {
      const native = await verify(['qnet', smallDefaultFile(), '--kernel', 'native']);
      expect(native.error).toBeUndefined();
      expect(native.out).toMatch(/float32, kernel native-avx(512|2), on cpu \(requested cpu\), \d+ intra-op/);
      expect(native.out).toMatch(/all 1 cases within tolerance/);
    }
    const bad = await verify(['qnet', smallDefaultFile(), '--kernel', 'blas']);
    expect((bad.error as WorkbenchError).message).toMatch(/Unknown q-net kernel "blas"/);
  });

  it('fails with a WorkbenchError (exit 1 in main) when a score is off, naming the case', async () => {
    const { out, error } = await verify(['qnet', smallDefaultFile({ scoreOffset: 0.01 })]);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).message).toMatch(
      /1 of 1 q-net cases exceed the tolerance 0\.0001: small-default \(1\.00e-2\)/,
    );
    expect(out).toMatch(/small-default .*FAIL/);
  });

  it('fails when the file describes another configuration than the one that produced the scores', async () => {
    const { error } = await verify([
      'qnet',
      smallDefaultFile({ config: { layerNormBeforeResidual: false } }),
    ]);
    expect(error).toBeInstanceOf(WorkbenchError);
  });

  it('reports the fallback notice when CUDA is asked for on a machine without it', async () => {
    const { err, out, error } = await verify(['qnet', smallDefaultFile(), '--provider', 'cuda']);
    expect(error).toBeUndefined();
    const env = defaultProviderEnvironment();
    if (env.supportedBackends().some((b) => b.name === 'cuda') && env.providerLibraryPresent('cuda')) {
      console.warn(
        'CUDA provider libraries are installed on this machine: the fallback notice is not checked',
      );
      return;
    }
    expect(out).toMatch(/on cpu \(requested cuda\)/);
    expect(err).toMatch(/^notice: CUDA provider not installed: .*; using CPU$/m);
  });

  it('rejects an unknown provider and a bad chunk size before reading the file', async () => {
    const bad = await verify(['qnet', 'missing.json', '--provider', 'tpu']);
    expect((bad.error as WorkbenchError).code).toBe('INVALID_ARGUMENT');
    const chunk = await verify(['qnet', 'missing.json', '--chunk-size', '0']);
    expect((chunk.error as WorkbenchError).message).toMatch(/--chunk-size must be a whole number/);
    const missing = await verify(['qnet', join(dir, 'missing.json')]);
    expect((missing.error as WorkbenchError).code).toBe('NOT_FOUND');
  });

  it('exits 0 within tolerance and 1 outside it through the real CLI entry', async () => {
    const { main } = await import('../../../main/cli.ts');
    const run = async (file: string) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const io = {
        stdout: { write: (s: string) => stdout.push(s) > 0 },
        stderr: { write: (s: string) => stderr.push(s) > 0 },
      };
      const code = await main(['--data', join(dir, 'data'), 'verify', 'qnet', file], io);
      return { code, stdout: stdout.join(''), stderr: stderr.join('') };
    };
    expect((await run(smallDefaultFile())).code).toBe(0);
    const failed = await run(smallDefaultFile({ scoreOffset: 0.5 }));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error \[INTERNAL\]: .*small-default \(5\.00e-1\)/);
  });

  it.skipIf(!referenceExists)('passes the shared reference file, listing every case', async () => {
    const { out, error } = await verify(['qnet', REFERENCE_FILE]);
    expect(error).toBeUndefined();
    const names = (
      JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as { cases: { name: string }[] }
    ).cases.map((c) => c.name);
    for (const name of names) expect(out).toMatch(new RegExp(`^${name}\\s.*ok$`, 'm'));
  });
});
