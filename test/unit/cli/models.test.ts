import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli.ts';
import { derivePackage, generateTinyPackages, type TinyPackages } from '../../fixtures/models/generate.ts';

let tmp: string;
let pkgs: TinyPackages;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-cli-models-'));
  pkgs = await generateTinyPackages(join(tmp, 'src'), { seed: 8, dim: 8 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the real CLI in-process with captured output. */
async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
  };
  const code = await main(args, io as never);
  return { code, stdout, stderr };
}

describe('workbench models', () => {
  it('import → list → show --json → validate → delete', async () => {
    const data = join(tmp, 'data');
    expect((await cli(['--data', data, 'models', 'list'])).stdout).toMatch(/^no models yet/);

    const imported = await cli(['--data', data, 'models', 'import', pkgs.hypencoder]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toBe(
      'imported model "tiny-hypencoder" (hypencoder, tiny-bert-1x8): embedding dim 8, q-net dims [8, 8, 8, 1]; validated on cpu\n',
    );
    expect((await cli(['--data', data, 'models', 'import', pkgs.biencoder, '--name', 'be'])).code).toBe(0);

    const rows = (await cli(['--data', data, 'models', 'list'])).stdout.trim().split('\n');
    expect(rows[0].split(/\s+/)).toEqual(['NAME', 'KIND', 'BACKBONE', 'DIM', 'Q-NET', 'IMPORTED']);
    expect(rows[1].split(/\s+/).slice(0, 5)).toEqual(['be', 'biencoder', 'tiny-bert-1x8', '8', '-']);
    expect(rows[2].split(/\s+/).slice(0, 5)).toEqual([
      'tiny-hypencoder',
      'hypencoder',
      'tiny-bert-1x8',
      '8',
      '[8,8,8,1]',
    ]);

    const show = await cli(['--data', data, 'models', 'show', 'tiny-hypencoder', '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({
      name: 'tiny-hypencoder',
      kind: 'hypencoder',
      embeddingDim: 8,
      query: { file: 'query.onnx', maxLength: 16 },
      qnet: {
        dims: [8, 8, 8, 1],
        activation: 'relu',
        layerNorm: true,
        residual: true,
        residualOnLast: false,
        lnEps: 1e-5,
      },
      packageHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      importedFrom: pkgs.hypencoder,
    });
    const text = (await cli(['--data', data, 'models', 'show', 'be'])).stdout;
    expect(text).toContain('model be (biencoder)');
    expect(text).toContain('similarity        inner product');

    const byName = await cli(['--data', data, 'models', 'validate', 'be']);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain(
      'ok  query graph encoder.onnx on cpu: probe 2 × 16 tokens → embedding [2, 8]',
    );
    const byDir = await cli(['--data', data, 'models', 'validate', pkgs.hypencoder]);
    expect(byDir.stdout).toContain('qnet_w2 [2, 8, 1]');

    expect((await cli(['--data', data, 'models', 'delete', 'be'])).stdout).toBe('deleted model "be"\n');
    const gone = await cli(['--data', data, 'models', 'show', 'be']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('error [NOT_FOUND]: No model named "be"');
  });

  it('reports a broken package with file and field, exit code 1, registering nothing', async () => {
    const data = join(tmp, 'data-broken');
    const broken = derivePackage(pkgs.biencoder, join(tmp, 'broken'), {
      manifest: (m) => ((m.qnet as unknown) = { dims: [8, 0, 1] }),
    });
    const result = await cli(['--data', data, 'models', 'import', broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error [INPUT_INVALID]: ${join(broken, 'model.json')}: qnet.dims[1]: expected a positive integer`,
    );
    expect((await cli(['--data', data, 'models', 'list'])).stdout).toMatch(/^no models yet/);
    const validate = await cli(['--data', data, 'models', 'validate', broken]);
    expect(validate.code).toBe(1);
  });

  it('rejects an unknown provider as a usage error', async () => {
    const result = await cli([
      '--data',
      join(tmp, 'x'),
      'models',
      'validate',
      pkgs.biencoder,
      '--provider',
      'tpu',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are auto, cpu, cuda, dml, coreml, webgpu/);
  });
});
