import { createHash } from 'node:crypto';
import { WorkbenchError } from '../errors.ts';
import { compareBytewise } from '../eval/index.ts';

/**
 * What every search reads: the document embeddings as one row-major float32 matrix, and for each row its
 * docno's rank in byte order so that score ties resolve as trec_eval resolves them (docno descending)
 * without string comparisons on the hot path.
 */
export interface SearchCorpus {
  /** [rows][dim], row-major. May live in a SharedArrayBuffer when worker threads read it. */
  embeddings: Float32Array;
  rows: number;
  dim: number;
  /** docnoOrder[i] = rank of row i's docno in byte order (0 = smallest); larger wins a score tie. */
  docnoOrder: Int32Array;
}

/** A corpus with its docnos and the content hash that names artifacts derived from it. */
export interface Corpus extends SearchCorpus {
  docnos: readonly string[];
  /** sha256 of the embedding matrix's bytes (or a hash the caller vouches for, e.g. an embeddings artifact's). */
  contentHash: string;
}

/** Rank of every docno in byte-wise (strcmp) order; duplicate docnos are an error, as in trec_eval runs. */
export function docnoOrder(docnos: readonly string[]): Int32Array {
  const index = Array.from({ length: docnos.length }, (_, i) => i);
  index.sort((a, b) => compareBytewise(docnos[a], docnos[b]));
  const order = new Int32Array(docnos.length);
  for (let r = 0; r < index.length; r++) {
    if (r > 0 && docnos[index[r]] === docnos[index[r - 1]]) {
      throw new WorkbenchError(
        'INPUT_DUPLICATE',
        `docno "${docnos[index[r]]}" appears twice (rows ${index[r - 1]} and ${index[r]}) in the document ids; every embedding row needs its own docno`,
        { field: 'docnos' },
      );
    }
    order[index[r]] = r;
  }
  return order;
}

/** sha256 of a matrix's bytes, hex. */
export function matrixHash(data: Float32Array | Int32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

export interface CorpusInput {
  embeddings: Float32Array;
  dim: number;
  docnos: readonly string[];
  /** Skip hashing the matrix when its hash is already known (e.g. from an embeddings artifact). */
  contentHash?: string;
}

export function makeCorpus(input: CorpusInput): Corpus {
  const { embeddings, dim, docnos } = input;
  if (!Number.isInteger(dim) || dim < 1 || embeddings.length % dim !== 0) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `embeddings hold ${embeddings.length} values, not a whole number of ${dim}-dimensional rows`,
      {
        field: 'embeddings',
      },
    );
  }
  const rows = embeddings.length / dim;
  if (docnos.length !== rows) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `${rows} embedding rows but ${docnos.length} document ids; give one id per row, in row order`,
      {
        field: 'docnos',
      },
    );
  }
  return {
    embeddings,
    rows,
    dim,
    docnos,
    docnoOrder: docnoOrder(docnos),
    contentHash: input.contentHash ?? matrixHash(embeddings),
  };
}

/** A copy in a SharedArrayBuffer, so worker threads read the same memory instead of each holding a copy. */
export function sharedCopy<T extends Float32Array | Int32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = (
    array instanceof Float32Array
      ? new Float32Array(new SharedArrayBuffer(array.byteLength))
      : new Int32Array(new SharedArrayBuffer(array.byteLength))
  ) as T;
  copy.set(array);
  return copy;
}

/** The search-relevant part of a corpus with its arrays in shared memory (for worker tasks). */
export function sharedCorpus(corpus: SearchCorpus): SearchCorpus {
  return {
    embeddings: sharedCopy(corpus.embeddings),
    rows: corpus.rows,
    dim: corpus.dim,
    docnoOrder: sharedCopy(corpus.docnoOrder),
  };
}

/**
 * onnxruntime-node refuses tensors over a SharedArrayBuffer ("Invalid argument"), so rows read from shared
 * memory are copied into a private staging buffer first: a 1024-row chunk copy costs well under 1 % of
 * scoring it with a q-net.
 */
export function isShared(array: ArrayBufferView): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

/** Copies rows `docs[0..n)` of the corpus into `into` (row-major), for scoring a gathered candidate set. */
export function gatherRows(
  corpus: SearchCorpus,
  docs: Int32Array,
  start: number,
  n: number,
  into: Float32Array,
): Float32Array {
  const { embeddings, dim } = corpus;
  for (let i = 0; i < n; i++) {
    const row = docs[start + i] * dim;
    into.set(embeddings.subarray(row, row + dim), i * dim);
  }
  return into.subarray(0, n * dim);
}
