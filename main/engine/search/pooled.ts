import { WorkbenchError } from '../errors.ts';
import type { QnetKernelRequest, QnetParams, QnetSpec } from '../qnet/index.ts';
import type { WorkerPool } from '../workers/index.ts';
import { type SearchCorpus, sharedCopy, sharedCorpus } from './corpus.ts';
import { checkTopK } from './exhaustive.ts';
import type { GraphAdjacency } from './graph-search.ts';
import type { GraphSearchParams } from './presets.ts';
import type { SearchTasks } from './tasks.ts';
import { mergeRanked, type SearchHits } from './topk.ts';

/**
 * q-net search on the worker pool. Exhaustive search shards the corpus into contiguous row ranges, one task
 * per shard, and merges the shards' top-k (exact: every document is in exactly one shard); graph search
 * runs one query per task. Tasks queue FIFO in the pool, so many queries in flight keep every worker busy,
 * and a cancel drops queued shards at once and stops running ones between chunks.
 */
export class PooledQnetSearch {
  readonly corpus: SearchCorpus;
  private readonly sharedGraphs = new WeakMap<Int32Array, GraphAdjacency>();

  constructor(
    private readonly pool: WorkerPool<SearchTasks>,
    corpus: SearchCorpus,
    readonly spec: QnetSpec,
    private readonly shards = pool.size,
    /** The workers' q-net kernel (QnetScorer option `kernel`; each worker scores with one thread). */
    readonly kernel: QnetKernelRequest = 'auto',
  ) {
    if (!Number.isInteger(shards) || shards < 1)
      throw new WorkbenchError('INVALID_ARGUMENT', `shards must be a whole number ≥ 1 (got ${shards})`, {
        field: 'shards',
      });
    this.corpus = sharedCorpus(corpus);
  }

  /**
   * One query's parameters as standalone arrays: posting a view would copy its whole backing buffer (a batch
   * of queries) to the worker, since structured clone copies buffers, not views.
   */
  private own(params: QnetParams): QnetParams {
    const copy = (a: Float32Array) =>
      a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && !(a.buffer instanceof SharedArrayBuffer)
        ? a
        : a.slice();
    return { weights: params.weights.map(copy), biases: params.biases.map(copy) };
  }

  async exhaustive(params: QnetParams, k: number, signal?: AbortSignal): Promise<SearchHits> {
    checkTopK(k, 'k');
    const { rows } = this.corpus;
    const owned = this.own(params);
    const shards = Math.min(this.shards, Math.max(1, rows));
    const size = Math.ceil(rows / shards);
    const parts = await Promise.all(
      Array.from({ length: shards }, (_, s) =>
        this.pool.run(
          'qnetShard',
          {
            corpus: this.corpus,
            spec: this.spec,
            kernel: this.kernel,
            params: owned,
            k,
            start: Math.min(rows, s * size),
            end: Math.min(rows, (s + 1) * size),
          },
          { signal },
        ),
      ),
    );
    return { ...mergeRanked(parts, k, this.corpus.docnoOrder), documentsScored: rows, iterations: 1 };
  }

  async graphSearch(
    params: QnetParams,
    graph: GraphAdjacency,
    search: GraphSearchParams,
    signal?: AbortSignal,
  ): Promise<SearchHits> {
    // The graph goes to shared memory once, however many queries search it.
    let shared = this.sharedGraphs.get(graph.neighbours);
    if (!shared) {
      shared = { rows: graph.rows, k: graph.k, neighbours: sharedCopy(graph.neighbours) };
      this.sharedGraphs.set(graph.neighbours, shared);
    }
    return this.pool.run(
      'qnetGraph',
      {
        corpus: this.corpus,
        graph: shared,
        spec: this.spec,
        kernel: this.kernel,
        params: this.own(params),
        search,
      },
      { signal },
    );
  }
}
