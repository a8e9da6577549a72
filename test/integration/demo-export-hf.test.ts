import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSamples } from '../../main/engine/demo/index.ts';
import { validatePackage } from '../../main/engine/models/index.ts';

/**
 * native-models/export_hf.py --self-test: tiny random checkpoints written under the real checkpoints'
 * state-dict names (HypencoderDualEncoder, a TextDualEncoder BERT, a DistilBERT) go through the converter
 * and must come out as valid packages whose ONNX graphs reproduce PyTorch. Needs python3 with torch
 * (WORKBENCH_PYTHON names the interpreter); skipped, loudly, without it.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

function pythonWithTorch(): string | null {
  const candidates = [process.env.WORKBENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string =>
    Boolean(c),
  );
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const python = pythonWithTorch();
if (!python)
  console.warn('demo-export-hf: skipped, no python3 with torch (set WORKBENCH_PYTHON to one that has it)');

const out = mkdtempSync(join(tmpdir(), 'wb-export-hf-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!python)('export_hf.py --self-test', () => {
  const cases = ['hypencoder', 'biencoder-bert', 'biencoder-distilbert'];

  it('converts checkpoints with the real state-dict names into packages that match PyTorch', async () => {
    const r = spawnSync(python!, [join(root, 'native-models', 'export_hf.py'), '--self-test', '--out', out], {
      encoding: 'utf8',
      cwd: join(root, 'native-models'),
    });
    expect(r.stderr.includes('Traceback') ? r.stderr : '').toBe('');
    expect(r.status).toBe(0);
    for (const c of cases) {
      const dir = join(out, 'packages', c);
      const report = await validatePackage(dir);
      const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(report.kind).toBe(c === 'hypencoder' ? 'hypencoder' : 'biencoder');
      if (c === 'hypencoder') {
        // The q-net comes from config.json's converter_kwargs, passages are CLS pooled (the reference's).
        expect(manifest.qnet.dims).toEqual([32, 32, 32, 1]);
        expect(manifest.pooling).toBe('cls');
      }
      const check = await checkSamples(dir);
      expect(check.tokenMismatches).toEqual([]);
      expect(check.pass, `${c}: worst ratio ${check.worstRatio}`).toBe(true);
      // The samples must not be degenerate (all-zero scores would hide a broken head).
      const samples = JSON.parse(readFileSync(join(dir, 'samples.json'), 'utf8')) as { scores: number[][] };
      expect(new Set(samples.scores.flat().map((s) => s.toFixed(4))).size).toBeGreaterThan(3);
    }
  });

  it('refuses a checkpoint whose names do not match the reference layout', () => {
    const ckpt = join(out, 'checkpoints', 'hypencoder');
    // Rename one head parameter as a different implementation might and convert again.
    const script = [
      'import torch, sys',
      `p = ${JSON.stringify(join(ckpt, 'pytorch_model.bin'))}`,
      'sd = torch.load(p)',
      "sd['query_encoder.hyper_base_matrix.0'] = sd.pop('query_encoder.hyper_base_matrices.0')",
      'torch.save(sd, p)',
    ].join('\n');
    expect(spawnSync(python!, ['-c', script], { encoding: 'utf8' }).status).toBe(0);
    const r = spawnSync(
      python!,
      [
        join(root, 'native-models', 'export_hf.py'),
        'hypencoder',
        ckpt,
        '--out',
        join(out, 'bad'),
        '--heads',
        '2',
        '--no-transformers-check',
      ],
      {
        encoding: 'utf8',
        cwd: join(root, 'native-models'),
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /does not match the reference layout: missing \['hyper_base_matrices\.0'\], unexpected \['hyper_base_matrix\.0'\]/,
    );
  });
});
