import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch, encodeQueries, tokenizeQueries } from '../../../../main/engine/encode/index.ts';
import { type ModelRuntime, openModel, readPackage } from '../../../../main/engine/models/index.ts';
import { QnetScorer, queryParams, scoreReference } from '../../../../main/engine/qnet/index.ts';
import { generateTinyPackages } from '../../../fixtures/models/generate.ts';

let tmp: string;
let bi: ModelRuntime;
let hyp: ModelRuntime;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-query-'));
  const pkgs = await generateTinyPackages(tmp, { seed: 11, dim: 16, qnetDims: [16, 16, 16, 1] });
  bi = await openModel(readPackage(pkgs.biencoder));
  hyp = await openModel(readPackage(pkgs.hypencoder));
});
afterAll(async () => {
  await bi?.close();
  await hyp?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const queries = [
  'what is a neural retrieval model',
  'covid vaccine',
  'the best sleep and diet for the heart',
];
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

describe('encodeQueries', () => {
  it('gives a bi-encoder embedding per query, independent of padding in the batch', async () => {
    const enc = await encodeQueries(bi, queries);
    if (enc.kind !== 'biencoder') throw new Error('expected bi-encoder output');
    expect(enc.count).toBe(3);
    expect(enc.embeddings.length).toBe(3 * 16);
    for (let q = 0; q < queries.length; q++) {
      const alone = await encodeBatch(
        bi.query.session,
        bi.tokenizer,
        [queries[q]],
        bi.manifest.query.maxLength,
      );
      // The attention mask must make padding irrelevant: only float rounding may differ.
      expect(maxDiff(enc.embeddings.subarray(q * 16, (q + 1) * 16), alone)).toBeLessThan(1e-5);
    }
    expect(maxDiff(enc.embeddings.subarray(0, 16), enc.embeddings.subarray(16, 32))).toBeGreaterThan(1e-2);
  });

  it('truncates queries to the query maxLength', () => {
    const batch = tokenizeQueries(bi, ['the '.repeat(100)]);
    expect(batch.length).toBe(bi.manifest.query.maxLength);
  });

  it('gives each Hypencoder query its q-net in the layout the q-net scorer consumes', async () => {
    const enc = await encodeQueries(hyp, queries);
    if (enc.kind !== 'hypencoder') throw new Error('expected q-net parameters');
    const { spec, params } = enc;
    expect(spec.dims).toEqual([16, 16, 16, 1]);
    expect(params.weights.map((w) => w.length)).toEqual([3 * 256, 3 * 256, 3 * 16]);
    expect(params.biases.map((b) => b.length)).toEqual([3 * 16, 3 * 16]);
    // Query-specific: the hypernetwork gives different queries different weights.
    expect(maxDiff(params.weights[0].subarray(0, 256), params.weights[0].subarray(256, 512))).toBeGreaterThan(
      1e-3,
    );
    // Batch-independent, like the embeddings.
    const alone = await encodeQueries(hyp, [queries[1]]);
    if (alone.kind !== 'hypencoder') throw new Error('expected q-net parameters');
    const one = queryParams(spec, params, 1);
    for (let j = 0; j < 3; j++) expect(maxDiff(one.weights[j], alone.params.weights[j])).toBeLessThan(1e-4);

    // The q-net module scores these parameters as its float64 reference does.
    const nDocs = 5;
    const docs = Float32Array.from({ length: nDocs * 16 }, (_, i) => Math.sin(i * 0.7));
    const scorer = await QnetScorer.create({ spec });
    try {
      const got = await scorer.scoreBatch(params, docs, nDocs);
      const want = scoreReference(spec, params, docs, nDocs);
      expect(maxDiff(got, want)).toBeLessThan(1e-3);
    } finally {
      await scorer.dispose();
    }
  });

  it('refuses an empty query list', async () => {
    await expect(encodeQueries(bi, [])).rejects.toThrow(/No queries to encode/);
  });
});
