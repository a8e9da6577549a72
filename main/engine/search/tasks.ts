import { type QnetKernelRequest, type QnetParams, QnetScorer, type QnetSpec } from '../qnet/index.ts';
import { poolWorkerData, type TaskContext } from '../workers/index.ts';
import type { SearchCorpus } from './corpus.ts';
import { exhaustiveQnetSearch } from './exhaustive.ts';
import { type GraphAdjacency, GraphSearchScratch, graphSearch } from './graph-search.ts';
import type { GraphSearchParams } from './presets.ts';
import type { SearchHits } from './topk.ts';

/**
 * Search tasks for the worker pool. The corpus (and graph) arrive in SharedArrayBuffers, so every worker
 * reads the same memory; each worker keeps one q-net session per q-net shape and one graph-search scratch,
 * created on first use and reused by every later task (workers are long-lived).
 *
 * Served by the production worker entry (workers/worker.ts) next to the other tables; the pool's
 * `workerData` may carry `{ search: { intraOpNumThreads } }` (default 1 thread per worker: the pool is the
 * parallelism).
 */

export interface SearchWorkerData {
  search?: { intraOpNumThreads?: number };
}

const scorers = new Map<string, Promise<QnetScorer>>();
let scratch: GraphSearchScratch | undefined;

function scorerFor(spec: QnetSpec, kernel: QnetKernelRequest = 'auto'): Promise<QnetScorer> {
  const key = JSON.stringify([spec, kernel]);
  let scorer = scorers.get(key);
  if (!scorer) {
    const data = poolWorkerData<SearchWorkerData | undefined>();
    scorer = QnetScorer.create({
      spec,
      kernel,
      threads: { intraOpNumThreads: data?.search?.intraOpNumThreads ?? 1, interOpNumThreads: 1 },
    });
    scorers.set(key, scorer);
  }
  return scorer;
}

export interface QnetShardInput {
  corpus: SearchCorpus;
  spec: QnetSpec;
  kernel?: QnetKernelRequest;
  params: QnetParams;
  k: number;
  start: number;
  end: number;
}

export interface QnetGraphInput {
  corpus: SearchCorpus;
  graph: GraphAdjacency;
  spec: QnetSpec;
  kernel?: QnetKernelRequest;
  params: QnetParams;
  search: GraphSearchParams;
}

export const searchTasks = {
  /** Exhaustive q-net search over rows [start, end) of the corpus: that shard's exact top-k. */
  async qnetShard(input: QnetShardInput, ctx: TaskContext): Promise<SearchHits> {
    const scorer = await scorerFor(input.spec, input.kernel);
    return exhaustiveQnetSearch(scorer, input.params, input.corpus, input.k, {
      start: input.start,
      end: input.end,
      signal: ctx.signal,
    });
  },

  /** Graph search for one query. */
  async qnetGraph(input: QnetGraphInput, ctx: TaskContext): Promise<SearchHits> {
    const scorer = await scorerFor(input.spec, input.kernel);
    scratch ??= new GraphSearchScratch(input.corpus.rows);
    return graphSearch(scorer, input.params, input.corpus, input.graph, input.search, {
      signal: ctx.signal,
      scratch,
    });
  },
};

export type SearchTasks = typeof searchTasks;
