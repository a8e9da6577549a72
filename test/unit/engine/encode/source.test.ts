import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, planImport } from '../../../../main/engine/datasets/index.ts';
import {
  encodeBatch,
  encodeCorpus,
  readEmbeddings,
  sessionEncoder,
  storeCorpus,
} from '../../../../main/engine/encode/index.ts';
import { type ModelRuntime, openModel, readPackage } from '../../../../main/engine/models/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { fixtures } from '../../../fixtures/datasets/paths.ts';
import { generateTinyPackages } from '../../../fixtures/models/generate.ts';

let tmp: string;
let store: Store;
let model: ModelRuntime;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-source-'));
  const pkgs = await generateTinyPackages(join(tmp, 'pkg'), { seed: 4, dim: 8 });
  model = await openModel(readPackage(pkgs.biencoder));
  store = openStore(join(tmp, 'data'));
  await importDataset(store, planImport({ path: fixtures.beir, name: 'tiny', fullText: false }));
});
afterAll(async () => {
  store?.close();
  await model?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('storeCorpus', () => {
  it('encodes a dataset\'s passages from the store as "title text", keyed by its content hash', async () => {
    const dataset = store.datasets.get('tiny')!;
    const corpus = storeCorpus(dataset, store.documents);
    expect(corpus.hash).toBe(dataset.contentHash);
    const result = await encodeCorpus({
      dataDir: join(tmp, 'data'),
      encoder: sessionEncoder(model),
      corpus,
      batchSize: 2,
    });
    const docs = [...store.documents.iterate(dataset.id)];
    const { ids, vectors } = readEmbeddings(result.dir);
    expect(ids).toEqual(docs.map((d) => d.docId));
    expect(result.meta.corpus).toEqual({ hash: dataset.contentHash, count: docs.length });
    const d1 = docs.findIndex((d) => d.docId === 'd1');
    const d2 = docs.findIndex((d) => d.docId === 'd2');
    const withTitle = await encodeBatch(
      model.doc.session,
      model.tokenizer,
      ['Hypernetworks A hypernetwork produces the weights of another network.'],
      32,
    );
    // An empty title adds nothing, not even a leading space.
    const noTitle = await encodeBatch(
      model.doc.session,
      model.tokenizer,
      ['Dense retrieval scores documents by an inner product of embeddings.'],
      32,
    );
    const close = (row: number, want: Float32Array) => {
      for (let k = 0; k < 8; k++) expect(Math.abs(vectors[row * 8 + k] - want[k])).toBeLessThan(1e-5);
    };
    close(d1, withTitle);
    close(d2, noTitle);
  });
});
