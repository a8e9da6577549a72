import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { importPackage, ModelRegistry, openModel } from '../../../../main/engine/models/index.ts';
import { derivePackage, generateTinyPackages, type TinyPackages } from '../../../fixtures/models/generate.ts';

let tmp: string;
let pkgs: TinyPackages;
let n = 0;
const freshDataDir = () => join(tmp, `data-${n++}`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-registry-'));
  pkgs = await generateTinyPackages(join(tmp, 'src'), { seed: 5, dim: 8 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkbenchError) return err;
    throw err;
  }
  throw new Error('expected a WorkbenchError');
}

/** Everything under models/, hidden folders included: an import that failed must leave nothing. */
const modelsContent = (dataDir: string) =>
  existsSync(join(dataDir, 'models')) ? readdirSync(join(dataDir, 'models')).sort() : [];

describe('ModelRegistry', () => {
  it('imports a package as a verified copy and lists it', async () => {
    const dataDir = freshDataDir();
    const registry = new ModelRegistry(dataDir, () => new Date('2025-05-05T10:00:00Z'));
    const model = await registry.import(pkgs.hypencoder);
    expect(model.name).toBe('tiny-hypencoder');
    expect(model.dir).toBe(join(dataDir, 'models', 'tiny-hypencoder'));
    expect(model.importedAt).toBe('2025-05-05T10:00:00.000Z');
    expect(model.importedFrom).toBe(pkgs.hypencoder);
    expect(model.manifest.qnet?.dims).toEqual([8, 8, 8, 1]);
    expect(model.validation.graphs.map((g) => g.role)).toEqual(['query', 'doc']);
    expect(readdirSync(model.dir).sort()).toEqual([
      'doc.onnx',
      'model.json',
      'query.onnx',
      'registration.json',
      'tokenizer.json',
    ]);
    expect(registry.list().map((m) => m.name)).toEqual(['tiny-hypencoder']);
    // The registered copy opens and runs on its own.
    const runtime = await openModel(registry.package('tiny-hypencoder'));
    expect(runtime.query).not.toBe(runtime.doc);
    await runtime.close();
  });

  it("imports under another name and rewrites the copy's manifest", async () => {
    const dataDir = freshDataDir();
    const registry = new ModelRegistry(dataDir);
    await registry.import(pkgs.biencoder);
    const renamed = await registry.import(pkgs.biencoder, { name: 'be-copy' });
    expect(JSON.parse(readFileSync(join(renamed.dir, 'model.json'), 'utf8')).name).toBe('be-copy');
    expect(registry.list().map((m) => m.name)).toEqual(['be-copy', 'tiny-biencoder']);
    expect(renamed.packageHash).toBe(registry.get('tiny-biencoder').packageHash);
    expect((await registry.validate('be-copy')).name).toBe('be-copy');
    // The function form registers into the same folder.
    await importPackage(pkgs.hypencoder, { dataDir, name: 'hyp' });
    expect(registry.list().map((m) => m.name)).toEqual(['be-copy', 'hyp', 'tiny-biencoder']);
  });

  it('refuses a name that is taken or unusable, changing nothing', async () => {
    const dataDir = freshDataDir();
    const registry = new ModelRegistry(dataDir);
    await registry.import(pkgs.biencoder);
    const before = modelsContent(dataDir);
    const err = await rejection(registry.import(pkgs.biencoder));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/already registered.*--name/);
    expect((await rejection(registry.import(pkgs.biencoder, { name: '../escape' }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(modelsContent(dataDir)).toEqual(before);
  });

  it('registers nothing when the package is broken', async () => {
    const dataDir = freshDataDir();
    const registry = new ModelRegistry(dataDir);
    const corrupt = derivePackage(pkgs.biencoder, join(tmp, 'corrupt'), {
      files: { 'encoder.onnx': 'garbage' },
    });
    const err = await rejection(registry.import(corrupt));
    expect(err.message).toContain('onnxruntime could not load the model');
    const wrongDim = derivePackage(pkgs.biencoder, join(tmp, 'wrong-dim'), {
      manifest: (m) => (m.embeddingDim = 9),
    });
    expect((await rejection(registry.import(wrongDim))).message).toContain('model.json implies [B, 9]');
    expect(modelsContent(dataDir)).toEqual([]);
    expect(registry.list()).toEqual([]);
  });

  it('deletes a model and reports unknown names with the known ones', async () => {
    const dataDir = freshDataDir();
    const registry = new ModelRegistry(dataDir);
    await registry.import(pkgs.biencoder);
    await registry.import(pkgs.hypencoder);
    // Even a model whose manifest was damaged on disk can be deleted.
    writeFileSync(join(dataDir, 'models', 'tiny-biencoder', 'model.json'), '{ broken');
    expect(() => registry.get('tiny-biencoder')).toThrow(/not valid JSON/);
    registry.delete('tiny-biencoder');
    expect(registry.list().map((m) => m.name)).toEqual(['tiny-hypencoder']);
    expect(modelsContent(dataDir)).toEqual(['tiny-hypencoder']);
    const err = (() => {
      try {
        registry.get('tiny-biencoder');
      } catch (e) {
        return e as WorkbenchError;
      }
    })();
    expect(err?.code).toBe('NOT_FOUND');
    expect(err?.message).toMatch(/No model named "tiny-biencoder".*Known: tiny-hypencoder/);
  });
});
