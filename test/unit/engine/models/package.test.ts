import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  documentEncoderHash,
  packageHash,
  readPackage,
  validatePackage,
} from '../../../../main/engine/models/index.ts';
import { derivePackage, generateTinyPackages, type TinyPackages } from '../../../fixtures/models/generate.ts';
import { embeddingGraph } from '../../../fixtures/models/tiny-bert.ts';
import { tinyVocab, tokenizerJson } from '../../../fixtures/models/vocab.ts';

let tmp: string;
let pkgs: TinyPackages;
let n = 0;
const fresh = () => join(tmp, `case-${n++}`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-package-'));
  pkgs = await generateTinyPackages(join(tmp, 'src'), { seed: 3, dim: 16 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function failure(dir: string): Promise<WorkbenchError> {
  try {
    await validatePackage(dir);
  } catch (err) {
    if (err instanceof WorkbenchError) return err;
    throw err;
  }
  throw new Error(`${dir} validated, an error was expected`);
}

describe('validatePackage', () => {
  it('accepts the generated bi-encoder and reports the probe shapes', async () => {
    const report = await validatePackage(pkgs.biencoder);
    expect(report.kind).toBe('biencoder');
    expect(report.files.map((f) => f.file).sort()).toEqual(['encoder.onnx', 'tokenizer.json']);
    expect(report.graphs.map((g) => [g.role, g.probe.shapes])).toEqual([
      ['query', { embedding: [2, 16] }],
      ['doc', { embedding: [2, 16] }],
    ]);
    // The long probe text reaches maxLength, so position embeddings up to it were exercised.
    expect(report.graphs[1].probe.length).toBe(32);
    expect(report.tokenizer).toMatchObject({ prefix: [2], suffix: [3], pad: 0 });
  });

  it('accepts the generated Hypencoder and checks every q-net output', async () => {
    const report = await validatePackage(pkgs.hypencoder);
    expect(report.graphs[0].probe.shapes).toEqual({
      qnet_w0: [2, 16, 16],
      qnet_w1: [2, 16, 16],
      qnet_w2: [2, 16, 1],
      qnet_b0: [2, 16],
      qnet_b1: [2, 16],
    });
  });

  it('hashes content, not the name: a renamed package keeps its hashes', () => {
    const a = readPackage(pkgs.biencoder);
    const renamed = derivePackage(pkgs.biencoder, fresh(), { manifest: (m) => (m.name = 'other') });
    const b = readPackage(renamed);
    expect(b.packageHash).toBe(a.packageHash);
    expect(b.documentEncoderHash).toBe(a.documentEncoderHash);
    // Both packages share the document graph and tokenizer, so their document embeddings are interchangeable.
    expect(documentEncoderHash(readPackage(pkgs.hypencoder).manifest)).toBe(a.documentEncoderHash);
    expect(packageHash(readPackage(pkgs.hypencoder).manifest)).not.toBe(a.packageHash);
  });

  it('names a missing file', async () => {
    const dir = derivePackage(pkgs.hypencoder, fresh(), { keepHashes: true });
    unlinkSync(join(dir, 'doc.onnx'));
    const err = await failure(dir);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${join(dir, 'doc.onnx')}: missing`);
  });

  it('requires the external-data files a graph names, and keys document embeddings by them', async () => {
    type Role = { externalData?: string[] };
    const withData = (bytes: string) =>
      derivePackage(pkgs.hypencoder, fresh(), {
        files: { 'weights.bin': bytes },
        manifest: (m) => {
          (m.doc as Role).externalData = ['weights.bin'];
          (m.provenance as { files: Record<string, string> }).files['weights.bin'] = '';
        },
      });
    const a = readPackage(withData('one'));
    const b = readPackage(withData('two'));
    const plain = readPackage(pkgs.hypencoder);
    // A different weights file is a different document encoder; without external data the key is unchanged.
    expect(a.documentEncoderHash).not.toBe(b.documentEncoderHash);
    expect(a.documentEncoderHash).not.toBe(plain.documentEncoderHash);
    expect(documentEncoderHash(plain.manifest)).toBe(plain.documentEncoderHash);

    const gone = derivePackage(a.dir, fresh(), { keepHashes: true });
    unlinkSync(join(gone, 'weights.bin'));
    const err = await failure(gone);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${join(gone, 'weights.bin')}: missing`);

    const unlisted = derivePackage(pkgs.hypencoder, fresh(), {
      manifest: (m) => {
        (m.query as Role).externalData = ['weights.bin'];
      },
    });
    const bad = await failure(unlisted);
    expect(bad.details?.field).toBe('query.externalData[0]');
    expect(bad.message).toContain('"weights.bin" has no sha256 in provenance.files');
  });

  it('detects a file whose sha256 differs from the manifest', async () => {
    const dir = derivePackage(pkgs.biencoder, fresh(), { keepHashes: true });
    appendFileSync(join(dir, 'tokenizer.json'), ' ');
    const err = await failure(dir);
    expect(err.message).toMatch(
      /tokenizer\.json: sha256 [0-9a-f]{64} differs from [0-9a-f]{64} in model\.json provenance\.files/,
    );
    expect(err.details?.field).toBe('provenance.files.tokenizer.json');
  });

  it('rejects a corrupt ONNX file with the file named', async () => {
    const bytes = readFileSync(join(pkgs.biencoder, 'encoder.onnx'));
    const dir = derivePackage(pkgs.biencoder, fresh(), {
      files: { 'encoder.onnx': bytes.subarray(0, bytes.length >> 1) },
    });
    const err = await failure(dir);
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toContain(`${join(dir, 'encoder.onnx')}: onnxruntime could not load the model`);
    const garbage = derivePackage(pkgs.biencoder, fresh(), {
      files: { 'encoder.onnx': 'not an onnx model' },
    });
    expect((await failure(garbage)).message).toContain('onnxruntime could not load the model');
  });

  it('rejects a manifest whose output names disagree with the graph', async () => {
    const graph = embeddingGraph(pkgs.weights, pkgs.config, 'cls', { output: 'sentence_embedding' });
    const dir = derivePackage(pkgs.biencoder, fresh(), { files: { 'encoder.onnx': graph } });
    const err = await failure(dir);
    expect(err.message).toContain(
      'encoder.onnx: the graph has no output "embedding" (it declares "sentence_embedding")',
    );
    // A Hypencoder manifest pointing its query at an embedding graph lacks the q-net outputs.
    const wrongKind = derivePackage(pkgs.hypencoder, fresh(), {
      manifest: (m) => ((m.query as { file: string }).file = 'doc.onnx'),
    });
    expect((await failure(wrongKind)).message).toMatch(/doc\.onnx: the graph has no output "qnet_w0"/);
  });

  it('rejects a manifest whose dims disagree with the declared shapes', async () => {
    const dir = derivePackage(pkgs.biencoder, fresh(), { manifest: (m) => (m.embeddingDim = 24) });
    const err = await failure(dir);
    expect(err.message).toContain(
      'output "embedding" is declared [batch, 16] but model.json implies [B, 24]',
    );
    const qnet = derivePackage(pkgs.hypencoder, fresh(), {
      manifest: (m) => ((m.qnet as { dims: number[] }).dims = [16, 16, 1]),
    });
    expect((await failure(qnet)).message).toContain(
      'output "qnet_w1" is declared [batch, 16, 16] but model.json implies [B, 16, 1]',
    );
  });

  it('catches a dim mismatch in the probe run when the graph declares symbolic shapes', async () => {
    const graph = embeddingGraph(pkgs.weights, pkgs.config, 'cls', { outputDims: ['batch', 'dim'] });
    const dir = derivePackage(pkgs.biencoder, fresh(), {
      files: { 'encoder.onnx': graph },
      manifest: (m) => (m.embeddingDim = 24),
    });
    const err = await failure(dir);
    expect(err.message).toContain(
      'output "embedding" came out [2, 16] for a batch of 2, but model.json implies [2, 24]',
    );
    // The same graph with the right dim passes: symbolic dims alone are fine.
    const ok = derivePackage(pkgs.biencoder, fresh(), { files: { 'encoder.onnx': graph } });
    expect((await validatePackage(ok)).graphs[0].probe.shapes).toEqual({ embedding: [2, 16] });
  });

  it('rejects a graph that needs inputs the contract does not feed', async () => {
    const graph = embeddingGraph(pkgs.weights, pkgs.config, 'cls', { extraInputs: ['token_type_ids'] });
    const dir = derivePackage(pkgs.biencoder, fresh(), { files: { 'encoder.onnx': graph } });
    expect((await failure(dir)).message).toMatch(
      /needs an input "token_type_ids".*token_type_ids are all zero/,
    );
  });

  it("rejects a maxLength beyond the graph's position embeddings in the probe run", async () => {
    const dir = derivePackage(pkgs.biencoder, fresh(), {
      manifest: (m) => ((m.doc as { maxLength: number }).maxLength = 40),
    });
    expect((await failure(dir)).message).toMatch(/a probe run of 2 × 40 tokens failed.*position embeddings/);
  });

  it('rejects a tokenizer.json of an unsupported kind', async () => {
    const json = tokenizerJson(tinyVocab());
    const bpe = { ...json, model: { type: 'BPE', vocab: { a: 0 }, merges: [], unk_token: '[UNK]' } };
    const dir = derivePackage(pkgs.biencoder, fresh(), { files: { 'tokenizer.json': JSON.stringify(bpe) } });
    const err = await failure(dir);
    expect(err.message).toContain(`${join(dir, 'tokenizer.json')}: model.type: "BPE" is not supported`);
  });

  it('rejects a folder without model.json', async () => {
    const err = await failure(join(tmp, 'nowhere'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/model\.json: not found — is this a model package folder\?/);
  });
});
