import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EMBEDDINGS_DIR,
  encodeHalf,
  importPrecomputedEmbeddings,
  readEmbeddings,
  writeNpy,
} from '../../../../main/engine/encode/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { type ModelPackage, readPackage } from '../../../../main/engine/models/index.ts';
import { generateTinyPackages } from '../../../fixtures/models/generate.ts';

const DIM = 8;
const corpusIds = ['d0', 'd1', 'd2', 'd3', 'd4#a', 'd5'];
const corpus = { hash: 'corpus-hash', ids: corpusIds };
let tmp: string;
let model: ModelPackage;
let n = 0;
const fresh = () => join(tmp, `case-${n++}`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-precomputed-'));
  const pkgs = await generateTinyPackages(join(tmp, 'pkg'), { seed: 1, dim: DIM });
  model = readPackage(pkgs.biencoder);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Row r of document `id`: values that identify it, so a misplaced row shows. */
const rowOf = (id: string) =>
  Float32Array.from({ length: DIM }, (_, d) => corpusIds.indexOf(id) * 100 + d + 0.25);

function files(
  ids: string[],
  options: { dim?: 6 | 8; half?: boolean; idsText?: string; mutate?: (a: Float32Array) => void } = {},
) {
  const dir = fresh();
  mkdirSync(dir, { recursive: true });
  const dim = options.dim ?? DIM;
  const data = new Float32Array(ids.length * dim);
  for (let r = 0; r < ids.length; r++) data.set(rowOf(ids[r]).subarray(0, dim), r * dim);
  options.mutate?.(data);
  const npyPath = join(dir, 'emb.npy');
  writeNpy(npyPath, options.half ? encodeHalf(data) : data, [ids.length, dim]);
  const idsPath = join(dir, 'ids.txt');
  writeFileSync(idsPath, options.idsText ?? `${ids.join('\n')}\n`);
  return { npyPath, idsPath, dataDir: join(dir, 'data') };
}

/** Every entry under artifacts/embeddings, hidden ones included. */
const registered = (dataDir: string) =>
  existsSync(join(dataDir, EMBEDDINGS_DIR)) ? readdirSync(join(dataDir, EMBEDDINGS_DIR)) : [];

async function failure(f: ReturnType<typeof files>): Promise<WorkbenchError> {
  try {
    await importPrecomputedEmbeddings({ ...f, model, corpus });
  } catch (err) {
    if (err instanceof WorkbenchError) {
      expect(registered(f.dataDir)).toEqual([]);
      return err;
    }
    throw err;
  }
  throw new Error('expected the import to fail');
}

describe('importPrecomputedEmbeddings', () => {
  it('reorders rows into corpus order', async () => {
    const shuffled = ['d3', 'd0', 'd5', 'd4#a', 'd1', 'd2'];
    const f = files(shuffled);
    const result = await importPrecomputedEmbeddings({ ...f, model, corpus });
    expect(result).toMatchObject({ reordered: true, reused: false });
    expect(result.meta).toMatchObject({
      source: 'precomputed',
      count: 6,
      dim: DIM,
      dtype: 'float32',
      corpus: { hash: 'corpus-hash' },
    });
    const { ids, vectors } = readEmbeddings(result.dir);
    expect(ids).toEqual(corpusIds);
    for (let i = 0; i < corpusIds.length; i++)
      expect(Array.from(vectors.subarray(i * DIM, (i + 1) * DIM))).toEqual(Array.from(rowOf(corpusIds[i])));
    // The same content again is recognised, wherever it comes from.
    const again = await importPrecomputedEmbeddings({
      ...files(shuffled),
      dataDir: f.dataDir,
      model,
      corpus,
    });
    expect(again).toMatchObject({ reused: true, dir: result.dir });
    expect(registered(f.dataDir)).toEqual([result.meta.key]);
  });

  it('keeps float16 files as float16', async () => {
    const f = files(corpusIds, { half: true });
    const result = await importPrecomputedEmbeddings({ ...f, model, corpus });
    expect(result).toMatchObject({
      reordered: false,
      meta: { dtype: 'float16', dataFile: 'embeddings.f16' },
    });
    expect(readEmbeddings(result.dir).vectors[DIM + 1]).toBe(101.25);
  });

  it('rejects embeddings of the wrong dimension', async () => {
    const err = await failure(files(corpusIds, { dim: 6 }));
    expect(err.message).toMatch(
      /emb\.npy: 6-dimensional embeddings, but model "tiny-biencoder" has embeddingDim 8/,
    );
    expect(err.details?.file).toMatch(/emb\.npy$/);
  });

  it('rejects a row count that does not cover the corpus', async () => {
    const err = await failure(files(corpusIds.slice(0, 5)));
    expect(err.message).toMatch(/emb\.npy: 5 rows, but the corpus has 6 documents/);
  });

  it('rejects an array that is not [documents, dimensions]', async () => {
    const f = files(corpusIds);
    writeNpy(f.npyPath, new Float32Array(8), [8]);
    const err = await failure(f);
    expect(err.message).toMatch(/emb\.npy:1: the array has shape \(8\), not \[documents, dimensions\]/);
    expect(err.message).toMatch(/Save a 2-D array/);
    expect(registered(f.dataDir)).toEqual([]);
  });

  it('checks the ids file line by line', async () => {
    const unknown = await failure(files(corpusIds, { idsText: 'd0\nd1\nd2\nx9\nd4#a\nd5\n' }));
    expect(unknown.message).toMatch(/ids\.txt:4: document id "x9" is not in the corpus/);
    expect(unknown.details?.line).toBe(4);
    const repeated = await failure(files(corpusIds, { idsText: 'd0\nd1\nd2\nd1\nd4#a\nd5\n' }));
    expect(repeated.message).toMatch(/ids\.txt:4: document id "d1" repeats line 2/);
    const short = await failure(files(corpusIds, { idsText: 'd0\nd1\nd2\n' }));
    expect(short.message).toMatch(/ids\.txt: 3 ids for 6 rows/);
    const blank = await failure(files(corpusIds, { idsText: 'd0\nd1\n\nd2\nd3\nd4#a\nd5\n' }));
    expect(blank.message).toMatch(/ids\.txt:3: empty line/);
  });

  it('rejects non-finite values and names the row', async () => {
    const err = await failure(files(corpusIds, { mutate: (a) => (a[3 * DIM + 2] = Number.NaN) }));
    expect(err.message).toMatch(/emb\.npy: row 3 \(0-based\), column 2 is not a finite number/);
  });
});
