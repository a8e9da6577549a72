import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { manifestToJson, parseJsonFile, parseManifest } from '../../../../main/engine/models/index.ts';

const sha = (c: string) => c.repeat(64);

function hypencoder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    formatVersion: 1,
    kind: 'hypencoder',
    name: 'hypencoder.6_layer',
    backbone: 'bert-base-uncased',
    embeddingDim: 768,
    query: { file: 'query.onnx', maxLength: 64 },
    doc: { file: 'doc.onnx', maxLength: 512 },
    pooling: 'cls',
    qnet: { dims: [768, 768, 768, 768, 768, 768, 768, 1] },
    provenance: {
      source: 'jfkback/hypencoder.6_layer',
      exporter: 'native-models/export.py',
      createdAt: '2025-03-01T10:00:00Z',
      files: { 'query.onnx': sha('a'), 'doc.onnx': sha('b'), 'tokenizer.json': sha('c') },
    },
    ...overrides,
  };
}

function errorOf(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WorkbenchError) return err;
    throw err;
  }
  throw new Error('expected a WorkbenchError');
}

describe('parseManifest', () => {
  it('accepts a Hypencoder manifest and fills the reference q-net defaults', () => {
    const m = parseManifest(hypencoder());
    expect(m.kind).toBe('hypencoder');
    expect(m.qnet?.dims).toEqual([768, 768, 768, 768, 768, 768, 768, 1]);
    expect(m.qnet?.config).toEqual({
      activation: 'relu',
      layerNorm: true,
      residual: true,
      residualOnLast: false,
      layerNormBeforeResidual: true,
      lnEps: 1e-5,
    });
    // Written back flat, the documented form.
    expect((manifestToJson(m).qnet as Record<string, unknown>).layerNormBeforeResidual).toBe(true);
    expect(parseManifest(manifestToJson(m))).toEqual(m);
  });

  it('accepts a shared-graph bi-encoder', () => {
    const m = parseManifest({
      ...hypencoder({ kind: 'biencoder', name: 'BE-base', similarity: 'ip', qnet: undefined }),
      query: { file: 'encoder.onnx', maxLength: 32 },
      doc: { file: 'encoder.onnx', maxLength: 256 },
      provenance: {
        source: 's',
        exporter: 'e',
        createdAt: '2025-03-01T10:00:00+01:00',
        files: { 'encoder.onnx': sha('a'), 'tokenizer.json': sha('b') },
      },
    });
    expect(m.similarity).toBe('ip');
    expect(m.qnet).toBeUndefined();
  });

  it('names the JSON path and the file of a bad value', () => {
    const bad = hypencoder({ qnet: { dims: [768, 768, -3, 1] } });
    const err = errorOf(() => parseManifest(bad, '/pkg/model.json'));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toMatch(/^\/pkg\/model\.json: qnet\.dims\[2\]: expected a positive integer/);
    expect(err.details).toMatchObject({ file: '/pkg/model.json', field: 'qnet.dims[2]' });
  });

  it('reports missing fields, unknown keys and wrong enums by path', () => {
    const { embeddingDim: _drop, ...noDim } = hypencoder();
    expect(() => parseManifest(noDim)).toThrow(/model\.json: embeddingDim: missing/);
    expect(() => parseManifest(hypencoder({ query: { file: 'query.onnx', maxLenght: 64 } }))).toThrow(
      /query: unknown key "maxLenght"/,
    );
    expect(() => parseManifest(hypencoder({ kind: 'colbert' }))).toThrow(
      /kind: expected one of "hypencoder", "biencoder"/,
    );
    expect(() => parseManifest(hypencoder({ doc: { file: '../doc.onnx', maxLength: 512 } }))).toThrow(
      /doc\.file: expected a plain file name/,
    );
    expect(() => parseManifest(hypencoder({ formatVersion: 2 }))).toThrow(/formatVersion: expected 1/);
  });

  it('checks the fields that depend on the kind', () => {
    expect(() => parseManifest(hypencoder({ qnet: undefined }))).toThrow(/qnet: missing: a hypencoder needs/);
    expect(() => parseManifest(hypencoder({ similarity: 'ip' }))).toThrow(
      /similarity: applies to bi-encoders only/,
    );
    expect(() => parseManifest(hypencoder({ kind: 'biencoder' }))).toThrow(/qnet: a bi-encoder has no q-net/);
    expect(() => parseManifest(hypencoder({ embeddingDim: 384 }))).toThrow(
      /qnet\.dims\[0\]: the q-net's input size 768 differs from embeddingDim 384/,
    );
  });

  it('passes q-net semantics to the q-net module (last dim 1, square residual blocks)', () => {
    expect(() => parseManifest(hypencoder({ qnet: { dims: [768, 768, 2] } }))).toThrow(
      /last dimension must be 1/,
    );
    expect(() => parseManifest(hypencoder({ qnet: { dims: [768, 512, 512, 1] } }))).toThrow(
      /residual connection/,
    );
    expect(() => parseManifest(hypencoder({ qnet: { dims: [768, 1], activation: 'swish' } }))).toThrow(
      /qnet\.activation: expected one of/,
    );
  });

  it('requires a sha256 for every file the manifest uses', () => {
    const m = hypencoder();
    const files = { 'query.onnx': sha('a'), 'tokenizer.json': sha('c') };
    expect(() => parseManifest({ ...m, provenance: { ...(m.provenance as object), files } })).toThrow(
      /provenance\.files: has no sha256 for doc\.file "doc\.onnx"/,
    );
    const badHash = { ...files, 'doc.onnx': 'XYZ' };
    expect(() =>
      parseManifest({ ...m, provenance: { ...(m.provenance as object), files: badHash } }),
    ).toThrow(/provenance\.files\.doc\.onnx: expected a lower-case hex sha256/);
  });

  it('locates JSON syntax errors by line and column', () => {
    expect(() => parseJsonFile('{\n  "kind": "hypencoder",\n  oops\n}', '/pkg/model.json')).toThrow(
      /^\/pkg\/model\.json:3:3: not valid JSON/,
    );
  });
});
