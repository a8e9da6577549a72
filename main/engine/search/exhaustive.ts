import { WorkbenchError } from '../errors.ts';
import type { QnetParams } from '../qnet/index.ts';
import { isShared, type SearchCorpus } from './corpus.ts';
import { type QnetDocumentScorer, SEARCH_CHUNK } from './scorer.ts';
import { type SearchHits, TopK } from './topk.ts';

/** Deepest ranking a search returns: trec_eval runs and the paper's retrieval depth stop at 1000. */
export const MAX_TOP_K = 1000;

export function checkTopK(k: number, field = 'topK'): number {
  if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_K) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `${field} must be a whole number from 1 to ${MAX_TOP_K} (got ${k})`,
      { field },
    );
  }
  return k;
}

export interface ExhaustiveOptions {
  /** Rows [start, end) of the corpus: a shard. Default: all rows. */
  start?: number;
  end?: number;
  chunkSize?: number;
  signal?: AbortSignal;
}

export function cancelled(what: string): WorkbenchError {
  return new WorkbenchError('CANCELLED', `${what} was cancelled`);
}

/**
 * Exhaustive q-net search (DESIGN.md §5 "exhaustive"): every document of the range is scored by the query's
 * q-net, chunk by chunk, and the exact top-k kept in a bounded heap, so memory stays O(k + chunk) whatever
 * the corpus size. Cancellation is checked between chunks.
 */
export async function exhaustiveQnetSearch(
  scorer: QnetDocumentScorer,
  params: QnetParams,
  corpus: SearchCorpus,
  k: number,
  options: ExhaustiveOptions = {},
): Promise<SearchHits> {
  checkTopK(k, 'k');
  const start = options.start ?? 0;
  const end = options.end ?? corpus.rows;
  if (
    !(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= corpus.rows)
  ) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `row range [${start}, ${end}) is outside the corpus of ${corpus.rows} rows`,
      { field: 'range' },
    );
  }
  if (corpus.dim !== scorer.spec.dims[0]) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `the q-net reads ${scorer.spec.dims[0]}-dimensional documents but the embeddings have ${corpus.dim} dimensions; use the embeddings of the same model`,
      { field: 'embeddings' },
    );
  }
  const chunk = options.chunkSize ?? scorer.preferredChunk ?? SEARCH_CHUNK;
  const { dim, embeddings } = corpus;
  const heap = new TopK(k, corpus.docnoOrder);
  const staging = isShared(embeddings) ? new Float32Array(chunk * dim) : undefined;
  const scores = new Float32Array(chunk);
  for (let first = start; first < end; first += chunk) {
    if (options.signal?.aborted) throw cancelled('exhaustive q-net search');
    const n = Math.min(chunk, end - first);
    let rows = embeddings.subarray(first * dim, (first + n) * dim);
    if (staging) {
      staging.set(rows);
      rows = staging.subarray(0, n * dim);
    }
    await scorer.score(params, rows, n, scores, options.signal);
    heap.pushRange(scores, first, n);
  }
  return { ...heap.sorted(), documentsScored: end - start, iterations: 1 };
}
