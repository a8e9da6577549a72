import { WorkbenchError } from '../errors.ts';
import type { QnetParams } from '../qnet/index.ts';
import { type Corpus, gatherRows } from './corpus.ts';
import type { Similarity } from './flat.ts';
import type { QnetDocumentScorer } from './scorer.ts';
import { type SearchHits, TopK } from './topk.ts';

/**
 * Re-ranking: a q-net or a bi-encoder scores the top `depth` documents of another run (e.g. BM25) and
 * ranks them anew in trec_eval order; the result holds at most `depth` documents. A base-run document
 * without an embedding cannot be scored: it is left out and counted (`missing`), never silently kept.
 */

export interface RerankCandidates {
  docs: Int32Array;
  /** Base-run docnos among the top `depth` that the corpus does not hold. */
  missing: number;
}

/** Row indices of a corpus by docno, built once per corpus. */
export function docnoIndex(corpus: Pick<Corpus, 'docnos'>): Map<string, number> {
  const index = new Map<string, number>();
  corpus.docnos.forEach((d, i) => {
    index.set(d, i);
  });
  return index;
}

export function rerankCandidates(
  baseDocnos: readonly string[],
  depth: number,
  index: Map<string, number>,
): RerankCandidates {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `re-ranking depth must be a whole number ≥ 1 (got ${depth})`,
      { field: 'depth' },
    );
  }
  const n = Math.min(depth, baseDocnos.length);
  const docs = new Int32Array(n);
  let found = 0;
  for (let i = 0; i < n; i++) {
    const row = index.get(baseDocnos[i]);
    if (row === undefined) continue;
    docs[found++] = row;
  }
  return { docs: docs.subarray(0, found), missing: n - found };
}

function ranked(docs: Int32Array, scores: Float32Array | Float64Array, corpus: Corpus): SearchHits {
  if (docs.length === 0)
    return { docs: new Int32Array(0), scores: new Float64Array(0), documentsScored: 0, iterations: 1 };
  const heap = new TopK(docs.length, corpus.docnoOrder);
  for (let i = 0; i < docs.length; i++) heap.push(docs[i], scores[i]);
  return { ...heap.sorted(), documentsScored: docs.length, iterations: 1 };
}

export async function rerankWithQnet(
  scorer: QnetDocumentScorer,
  params: QnetParams,
  corpus: Corpus,
  docs: Int32Array,
  signal?: AbortSignal,
): Promise<SearchHits> {
  const rows = gatherRows(corpus, docs, 0, docs.length, new Float32Array(docs.length * corpus.dim));
  const scores = docs.length
    ? await scorer.score(params, rows, docs.length, undefined, signal)
    : new Float32Array(0);
  return ranked(docs, scores, corpus);
}

/** Inner product (or cosine) of the query with each candidate, accumulated in float64. */
export function rerankWithEmbedding(
  query: Float32Array,
  similarity: Similarity,
  corpus: Corpus,
  docs: Int32Array,
): SearchHits {
  const { dim, embeddings } = corpus;
  if (query.length !== dim) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `the query embedding has ${query.length} dimensions, the documents ${dim}; use the same model for both`,
      { field: 'query' },
    );
  }
  let qNorm = 0;
  for (let j = 0; j < dim; j++) qNorm += query[j] * query[j];
  const scores = new Float64Array(docs.length);
  for (let i = 0; i < docs.length; i++) {
    const o = docs[i] * dim;
    let dot = 0;
    let dNorm = 0;
    for (let j = 0; j < dim; j++) {
      dot += embeddings[o + j] * query[j];
      dNorm += embeddings[o + j] * embeddings[o + j];
    }
    scores[i] = similarity === 'cos' ? (dNorm && qNorm ? dot / Math.sqrt(dNorm * qNorm) : 0) : dot;
  }
  return ranked(docs, scores, corpus);
}
