import { WorkbenchError } from '../errors.ts';
import type { ThreadSettings } from '../onnx/index.ts';
import { isShared, type SearchCorpus } from './corpus.ts';
import { cancelled } from './exhaustive.ts';
import type { GraphAdjacency } from './graph-search.ts';
import { type BuildProgress, DEFAULT_HNSW, HnswIndex, type HnswParams } from './hnsw.ts';
import { ExactKnn, KNN_BLOCK, type NeighbourMetric, withoutSelf } from './knn.ts';
import { floydSample } from './rng.ts';

/**
 * The neighbour graph of efficient search (DESIGN.md §5): for every document its k nearest other documents
 * by L2 (or inner product), nearest first, as an int32 N×k matrix. The reference's self-filter compares a
 * batch-local row index with a global one and so keeps self-loops after its first batch; here a row's own
 * index is removed by its global index in every block, and when the row is not among its k+1 nearest (inner
 * product, or exact duplicates) the (k+1)-th is dropped instead.
 */

export type GraphMethod = 'exact' | 'hnsw';

export interface NeighbourGraph extends GraphAdjacency {
  metric: NeighbourMetric;
  method: GraphMethod;
}

export const DEFAULT_GRAPH_K = 100;

/**
 * Exact (blocked Gemm + TopK) while its cost, proportional to N²·d, stays within that of 100k × 768 documents
 * (329 s for k = 100 on the 2-core development machine under load, against 197 s for HNSW at recall@100 0.989:
 * README.md), HNSW above, where exact grows with N² and HNSW about with N. The rule is about cost, not rows:
 * 128-dimensional embeddings stay exact up to ~245k documents.
 */
export const EXACT_GRAPH_BUDGET = 100_000 * 100_000 * 768;

export function chooseGraphMethod(rows: number, dim: number): GraphMethod {
  return rows * rows * dim <= EXACT_GRAPH_BUDGET ? 'exact' : 'hnsw';
}

export interface GraphBuildOptions {
  k?: number;
  metric?: NeighbourMetric;
  method?: GraphMethod | 'auto';
  hnsw?: Partial<HnswParams>;
  threads?: ThreadSettings;
  /** Documents whose approximate neighbours are checked against exact ones (HNSW builds). */
  recallSample?: number;
  /** Called when rows [first, end) of the graph are final (an artifact writer streams them out). */
  onRows?(first: number, end: number, neighbours: Int32Array): void | Promise<void>;
}

export interface GraphBuildReport {
  method: GraphMethod;
  metric: NeighbourMetric;
  k: number;
  rows: number;
  dim: number;
  buildMs: number;
  /** Mean recall@k of the stored neighbours against exact ones on `recallSample` documents; 1 for exact builds. */
  recallAtK: number;
  recallSample: number;
  graphBytes: number;
  /** Peak resident memory of the process during its life so far (getrusage maxrss). */
  peakRssBytes: number;
  /** Memory the build held beyond the graph: the HNSW index, or the exact path's score blocks. */
  workingBytes: number;
  threads?: { intraOpNumThreads: number; interOpNumThreads: number };
  hnsw?: HnswParams;
}

export function checkGraphK(k: number, rows: number): number {
  if (!Number.isInteger(k) || k < 1)
    throw new WorkbenchError('INVALID_ARGUMENT', `graph k must be a whole number ≥ 1 (got ${k})`, {
      field: 'k',
    });
  if (rows < 2)
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `a neighbour graph needs at least 2 documents (got ${rows})`,
      { field: 'embeddings' },
    );
  return Math.min(k, rows - 1);
}

async function exactRows(
  knn: ExactKnn,
  corpus: SearchCorpus,
  k: number,
  rowsToDo: Int32Array | null,
  out: Int32Array,
  job: BuildProgress,
  onRows?: GraphBuildOptions['onRows'],
): Promise<void> {
  const { dim, embeddings } = corpus;
  const total = rowsToDo ? rowsToDo.length : corpus.rows;
  const block = new Float32Array(KNN_BLOCK * dim);
  for (let first = 0; first < total; first += KNN_BLOCK) {
    if (job.signal?.aborted) throw cancelled('neighbour graph build');
    const n = Math.min(KNN_BLOCK, total - first);
    let queries: Float32Array;
    if (rowsToDo) {
      for (let i = 0; i < n; i++)
        block.set(embeddings.subarray(rowsToDo[first + i] * dim, (rowsToDo[first + i] + 1) * dim), i * dim);
      queries = block;
    } else if (isShared(embeddings)) {
      block.set(embeddings.subarray(first * dim, (first + n) * dim));
      queries = block;
    } else {
      queries = embeddings.subarray(first * dim, (first + n) * dim);
    }
    const take = k + 1;
    const { indices } = await knn.search(queries, n, take, job.signal);
    for (let i = 0; i < n; i++) {
      const row = rowsToDo ? rowsToDo[first + i] : first + i;
      withoutSelf(indices.subarray(i * take, (i + 1) * take), take, row, k, out, (first + i) * k);
    }
    await onRows?.(first, first + n, out);
    job.progress?.({
      done: first + n,
      total,
      stage: rowsToDo ? 'exact neighbours of the recall sample' : 'exact kNN',
    });
  }
}

/** Mean |approximate ∩ exact| / k over the sampled rows. */
function recallOf(approx: Int32Array, exact: Int32Array, sample: Int32Array, k: number): number {
  let sum = 0;
  const want = new Set<number>();
  for (let s = 0; s < sample.length; s++) {
    want.clear();
    for (let j = 0; j < k; j++) if (exact[s * k + j] >= 0) want.add(exact[s * k + j]);
    let hit = 0;
    for (let j = 0; j < k; j++) if (want.has(approx[sample[s] * k + j])) hit++;
    sum += want.size ? hit / want.size : 1;
  }
  return sample.length ? sum / sample.length : 1;
}

export async function buildNeighbourGraph(
  corpus: SearchCorpus,
  options: GraphBuildOptions = {},
  job: BuildProgress = {},
): Promise<{ graph: NeighbourGraph; report: GraphBuildReport }> {
  const started = performance.now();
  const k = checkGraphK(options.k ?? DEFAULT_GRAPH_K, corpus.rows);
  const metric = options.metric ?? 'l2';
  if (metric !== 'l2' && metric !== 'ip') {
    throw new WorkbenchError('INVALID_ARGUMENT', `graph metric must be l2 or ip (got ${String(metric)})`, {
      field: 'metric',
    });
  }
  const method =
    !options.method || options.method === 'auto'
      ? chooseGraphMethod(corpus.rows, corpus.dim)
      : options.method;
  const neighbours = new Int32Array(corpus.rows * k);
  const knn = await ExactKnn.create(corpus, metric, options.threads);
  const report: Omit<GraphBuildReport, 'buildMs' | 'peakRssBytes'> = {
    method,
    metric,
    k,
    rows: corpus.rows,
    dim: corpus.dim,
    recallAtK: 1,
    recallSample: 0,
    graphBytes: neighbours.byteLength,
    workingBytes: KNN_BLOCK * Math.min(corpus.rows, 32_768) * 4,
    threads: knn.threads,
  };
  try {
    if (method === 'exact') {
      await exactRows(knn, corpus, k, null, neighbours, job, options.onRows);
    } else {
      const params = { ...DEFAULT_HNSW, ...options.hnsw };
      const index = await HnswIndex.build(corpus, metric, params, job);
      report.hnsw = params;
      report.workingBytes = index.estimatedBytes();
      const { rows, dim, embeddings } = corpus;
      const row = new Float32Array(dim);
      const batch = 1000;
      for (let first = 0; first < rows; first += batch) {
        if (job.signal?.aborted) throw cancelled('neighbour graph build');
        const end = Math.min(rows, first + batch);
        for (let i = first; i < end; i++) {
          row.set(embeddings.subarray(i * dim, (i + 1) * dim));
          const { neighbors, distances } = index.nearest(row, k + 1);
          // hnswlib's order among equal distances is unspecified: order by distance, then index, for determinism.
          const order = neighbors
            .map((_, j) => j)
            .sort((a, b) => distances[a] - distances[b] || neighbors[a] - neighbors[b]);
          withoutSelf(
            Int32Array.from(order, (j) => neighbors[j]),
            neighbors.length,
            i,
            k,
            neighbours,
            i * k,
          );
        }
        await options.onRows?.(first, end, neighbours);
        job.progress?.({ done: end, total: rows, stage: 'HNSW neighbours' });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const sampleSize = Math.min(rows, options.recallSample ?? 1000);
      const seen = new Set<number>();
      const sample = floydSample(
        rows,
        sampleSize,
        7,
        { taken: (i) => seen.has(i), take: (i) => seen.add(i) },
        new Int32Array(sampleSize),
      );
      const exact = new Int32Array(sampleSize * k);
      await exactRows(knn, corpus, k, sample, exact, job);
      report.recallAtK = recallOf(neighbours, exact, sample, k);
      report.recallSample = sampleSize;
    }
  } finally {
    await knn.dispose();
  }
  return {
    graph: { rows: corpus.rows, k, neighbours, metric, method },
    report: {
      ...report,
      buildMs: performance.now() - started,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
  };
}
