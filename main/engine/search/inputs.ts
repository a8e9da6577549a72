import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../errors.ts';
import { readNpy } from '../io/npy.ts';
import {
  layerCount,
  parseQnetSpec,
  type QnetParams,
  type QnetSpec,
  qnetBiasName,
  qnetWeightName,
} from '../qnet/index.ts';
import { type Corpus, makeCorpus } from './corpus.ts';

/**
 * Precomputed search inputs on disk, until model packages encode corpora and queries themselves:
 * document or query embeddings as `.npy` [N, d] with an id list (one id per line, row order), and q-net
 * parameters as the hypernetwork emits them (DESIGN.md §3): a folder with `qnet.json` (the q-net
 * description), `query_ids.txt` and `qnet_w{j}.npy` [Q, d_j, d_{j+1}], `qnet_b{j}.npy` [Q, d_{j+1}].
 */

export const QNET_SPEC_FILE = 'qnet.json';
export const QUERY_IDS_FILE = 'query_ids.txt';

/** One id per line; blank lines are errors (they would shift every later row). */
export function readIdList(path: string, field: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw, i) => {
    const id = raw.replace(/\r$/, '');
    if (id.trim() === '' || /\s/.test(id)) {
      throw inputError(
        'INPUT_INVALID',
        { file: path, line: i + 1, field },
        `id ${JSON.stringify(id)} is empty or contains white space`,
        'Write one id per line, in row order',
      );
    }
    return id;
  });
}

function matrix(
  path: string,
  field: string,
  rows: number | undefined,
  idsFile: string,
): { data: Float32Array; rows: number; dim: number } {
  const npy = readNpy(path, field);
  if (npy.shape.length !== 2) {
    throw inputError(
      'INPUT_INVALID',
      { file: path, line: 1, field },
      `expected a 2-D matrix [rows, dim], got shape (${npy.shape.join(', ')})`,
      'Save one embedding per row',
    );
  }
  if (rows !== undefined && npy.shape[0] !== rows) {
    throw inputError(
      'INPUT_INVALID',
      { file: path, line: 1, field },
      `${npy.shape[0]} rows but ${idsFile} lists ${rows} ids`,
      'Give one id per embedding row, in row order',
    );
  }
  return { data: npy.data, rows: npy.shape[0], dim: npy.shape[1] };
}

/** Document embeddings + docnos as a search corpus (content hash = sha256 of the matrix bytes). */
export function readCorpusFiles(embeddingsPath: string, idsPath: string): Corpus {
  const docnos = readIdList(idsPath, 'docno');
  const m = matrix(embeddingsPath, 'embeddings', docnos.length, idsPath);
  return makeCorpus({ embeddings: m.data, dim: m.dim, docnos });
}

export interface EmbeddedQueries {
  ids: string[];
  embeddings: Float32Array;
  dim: number;
}

export function readQueryEmbeddings(embeddingsPath: string, idsPath: string): EmbeddedQueries {
  const ids = readIdList(idsPath, 'query_id');
  const m = matrix(embeddingsPath, 'query embeddings', ids.length, idsPath);
  return { ids, embeddings: m.data, dim: m.dim };
}

export interface QnetQueries {
  ids: string[];
  spec: QnetSpec;
  /** Batched parameters [Q, …], as `queryParams(spec, params, q)` slices them. */
  params: QnetParams;
}

export function readQnetQueries(dir: string): QnetQueries {
  const specFile = join(dir, QNET_SPEC_FILE);
  const idsFile = join(dir, QUERY_IDS_FILE);
  for (const file of [specFile, idsFile]) {
    if (!existsSync(file)) {
      throw inputError(
        'NOT_FOUND',
        { file, field: 'qnet' },
        'missing',
        `A q-net parameter folder holds ${QNET_SPEC_FILE}, ${QUERY_IDS_FILE} and qnet_w{j}.npy / qnet_b{j}.npy`,
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(specFile, 'utf8'));
  } catch (err) {
    throw inputError(
      'INPUT_INVALID',
      { file: specFile, line: 1, field: 'qnet' },
      `not JSON (${(err as Error).message})`,
      'Write the q-net description as in model.json',
    );
  }
  const spec = parseQnetSpec(json, { file: specFile });
  const ids = readIdList(idsFile, 'query_id');
  const Q = ids.length;
  const load = (name: string, shape: number[]) => {
    const file = join(dir, `${name}.npy`);
    if (!existsSync(file))
      throw inputError(
        'NOT_FOUND',
        { file, field: name },
        'missing',
        `The q-net [${spec.dims.join(', ')}] needs ${name}.npy`,
      );
    const npy = readNpy(file, name);
    if (npy.shape.length !== shape.length || npy.shape.some((n, i) => n !== shape[i])) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: 1, field: name },
        `shape (${npy.shape.join(', ')}), expected (${shape.join(', ')})`,
        `${Q} queries in ${QUERY_IDS_FILE}, dims [${spec.dims.join(', ')}]`,
      );
    }
    return npy.data;
  };
  const L = layerCount(spec);
  const { dims } = spec;
  const weights = Array.from({ length: L }, (_, j) => load(qnetWeightName(j), [Q, dims[j], dims[j + 1]]));
  const biases = Array.from({ length: L - 1 }, (_, j) => load(qnetBiasName(j), [Q, dims[j + 1]]));
  return { ids, spec, params: { weights, biases } };
}
