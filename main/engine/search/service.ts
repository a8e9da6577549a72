import { ensureFullTextIndex } from '../datasets/index.ts';
import { WorkbenchError } from '../errors.ts';
import type { ThreadSettings } from '../onnx/index.ts';
import { type QnetKernelRequest, QnetScorer, queryParams } from '../qnet/index.ts';
import type { JsonObject, JsonValue, Store } from '../store/index.ts';
import type { WorkerPool } from '../workers/index.ts';
import { BM25_PARAMETERS, bm25Search } from './bm25.ts';
import type { Corpus } from './corpus.ts';
import { searchEnvironment } from './environment.ts';
import { checkTopK, exhaustiveQnetSearch } from './exhaustive.ts';
import { FlatIndex, type Similarity } from './flat.ts';
import { GraphArtifacts } from './graph-artifact.ts';
import { GraphSearchScratch, graphSearch } from './graph-search.ts';
import { type BuildProgress, HnswIndex, type HnswParams } from './hnsw.ts';
import type { EmbeddedQueries, QnetQueries } from './inputs.ts';
import type { GraphBuildOptions } from './neighbour-graph.ts';
import { PooledQnetSearch } from './pooled.ts';
import {
  checkGraphSearchParams,
  DEFAULT_GRAPH_SEARCH,
  type GraphPresetName,
  type GraphSearchParams,
  resolvePreset,
} from './presets.ts';
import { queryRecall } from './recall.ts';
import { checkRunName, type QueryOutcome, recordSearchRun } from './record.ts';
import { docnoIndex, rerankCandidates, rerankWithEmbedding, rerankWithQnet } from './rerank.ts';
import type { SearchTasks } from './tasks.ts';
import type { SearchHits } from './topk.ts';

/**
 * One search over a query set, end to end: build or load what the mode needs (neighbour graph artifact,
 * HNSW index), search every query with timing and counters, and record the run in the store. Long work
 * reports progress and honours cancel between queries (and inside graph builds and q-net scoring).
 */

export const SEARCH_MODES = ['qnet', 'qnet-graph', 'flat', 'hnsw', 'bm25', 'rerank'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

interface Common {
  runName: string;
  datasetId: number | null;
  topK: number;
  threads?: ThreadSettings;
  /** Who computes q-nets on the CPU (QnetScorer option `kernel`; default auto). */
  qnetKernel?: QnetKernelRequest;
  /** Query texts to store beside each ranking (from the dataset), by query id. */
  queryTexts?: ReadonlyMap<string, string>;
}

export type SearchRequest = Common &
  (
    | { mode: 'qnet'; corpus: Corpus; queries: QnetQueries }
    | {
        mode: 'qnet-graph';
        corpus: Corpus;
        queries: QnetQueries;
        preset?: GraphPresetName;
        search?: Partial<GraphSearchParams>;
        graph?: GraphBuildOptions;
      }
    | { mode: 'flat'; corpus: Corpus; queries: EmbeddedQueries; similarity: Similarity }
    | {
        mode: 'hnsw';
        corpus: Corpus;
        queries: EmbeddedQueries;
        similarity: Similarity;
        hnsw?: Partial<HnswParams>;
      }
    | { mode: 'bm25'; datasetId: number; queries: { ids: string[]; texts: string[] } }
    | {
        mode: 'rerank';
        corpus: Corpus;
        baseRun: string;
        depth: number;
        queries: QnetQueries | EmbeddedQueries;
        similarity?: Similarity;
      }
  );

export interface SearchRunSummary {
  runId: number;
  name: string;
  stats: JsonObject;
  config: JsonObject;
}

export interface SearchServiceDeps {
  store: Pick<Store, 'runs' | 'transaction' | 'documents' | 'datasets' | 'busyWith'>;
  dataDir: string;
  /** When given, q-net searches run on the pool (corpus in shared memory); otherwise in this thread. */
  pool?: WorkerPool<SearchTasks>;
}

type Job = BuildProgress;

async function eachQuery(
  count: number,
  concurrency: number,
  job: Job,
  one: (q: number) => Promise<SearchHits>,
): Promise<{ hits: SearchHits[]; ms: Float64Array }> {
  const hits: SearchHits[] = new Array(count);
  const ms = new Float64Array(count);
  let next = 0;
  let done = 0;
  // After a failure the other lanes stop taking queries, so nothing keeps running behind a rejected search.
  let failed = false;
  const lane = async () => {
    while (next < count && !failed) {
      if (job.signal?.aborted)
        throw new WorkbenchError('CANCELLED', `search cancelled after ${done} of ${count} queries`);
      const q = next++;
      const started = performance.now();
      try {
        hits[q] = await one(q);
      } catch (err) {
        failed = true;
        throw err;
      }
      ms[q] = performance.now() - started;
      done++;
      job.progress?.({ done, total: count, stage: 'searching' });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return { hits, ms };
}

function isQnet(queries: QnetQueries | EmbeddedQueries): queries is QnetQueries {
  return 'spec' in queries;
}

export class SearchService {
  constructor(private readonly deps: SearchServiceDeps) {}

  async run(request: SearchRequest, job: Job = {}): Promise<SearchRunSummary> {
    checkTopK(request.topK);
    checkRunName(this.deps.store, request.runName);
    const config: JsonObject = { mode: request.mode, topK: request.topK };
    const extraStats: JsonObject = {};
    const environment: JsonObject = {};
    let outcomes: QueryOutcome[];
    let corpusRows: number | undefined;
    const text = (id: string) => request.queryTexts?.get(id) ?? null;

    const fromHits = (
      ids: string[],
      corpus: Corpus,
      hits: SearchHits[],
      ms: Float64Array,
      extra?: (q: number) => Partial<QueryOutcome['counters']>,
    ): QueryOutcome[] =>
      ids.map((queryId, q) => ({
        queryId,
        queryText: text(queryId),
        docnos: Array.from(hits[q].docs, (d) => corpus.docnos[d]),
        scores: hits[q].scores,
        counters: {
          searchMs: ms[q],
          documentsScored: hits[q].documentsScored,
          iterations: hits[q].iterations,
          ...extra?.(q),
        },
      }));

    switch (request.mode) {
      case 'qnet':
      case 'qnet-graph': {
        const { corpus, queries } = request;
        corpusRows = corpus.rows;
        config.corpus = { embeddingsHash: corpus.contentHash, rows: corpus.rows, dim: corpus.dim };
        config.qnet = queries.spec as unknown as JsonValue;
        let search: GraphSearchParams | undefined;
        let graph: Awaited<ReturnType<GraphArtifacts['resolve']>> | undefined;
        if (request.mode === 'qnet-graph') {
          if (request.preset) {
            const resolved = resolvePreset(request.preset, corpus.rows, { topK: request.topK });
            search = checkGraphSearchParams(
              { ...resolved.params, ...request.search, topK: request.topK },
              corpus.rows,
            );
            config.preset = { name: request.preset, rule: resolved.rule, scale: resolved.scale };
          } else {
            const p = request.search ?? {};
            if (p.numEntryPoints === undefined || p.nCandidates === undefined || p.maxIter === undefined) {
              throw new WorkbenchError(
                'INVALID_ARGUMENT',
                'graph search needs a preset (efficient1, efficient2) or numEntryPoints, nCandidates and maxIter',
                { field: 'preset' },
              );
            }
            search = checkGraphSearchParams(
              { ...DEFAULT_GRAPH_SEARCH, ...p, topK: request.topK } as GraphSearchParams,
              corpus.rows,
            );
          }
          config.graphSearch = { ...search };
          graph = await new GraphArtifacts(this.deps.dataDir).resolve(
            corpus,
            { ...request.graph, threads: request.graph?.threads ?? request.threads },
            job,
          );
          config.graph = { key: graph.meta.key, ...graph.meta.inputs };
          extraStats.graph = { reused: graph.reused, ...graph.meta.report } as unknown as JsonObject;
        }
        const pool = this.deps.pool;
        if (pool) {
          const kernel = request.qnetKernel ?? 'auto';
          const pooled = new PooledQnetSearch(pool, corpus, queries.spec, pool.size, kernel);
          environment.workers = pool.size;
          // Each worker scores with one thread; record the kernel they run.
          environment.kernel = QnetScorer.plannedKernel({
            spec: queries.spec,
            kernel,
            threads: { intraOpNumThreads: 1 },
          });
          const { hits, ms } = await eachQuery(queries.ids.length, pool.size, job, (q) => {
            const params = queryParams(queries.spec, queries.params, q);
            return search && graph
              ? pooled.graphSearch(params, graph.graph, search, job.signal)
              : pooled.exhaustive(params, request.topK, job.signal);
          });
          outcomes = fromHits(queries.ids, corpus, hits, ms);
        } else {
          // Graph search scores a few dozen to a few hundred documents per call: it defaults to one intra-op
          // thread, where `auto` picks the native q-net kernel (search README, measured), unless threads were
          // asked for.
          const threads =
            search && request.threads?.intraOpNumThreads === undefined
              ? { ...request.threads, intraOpNumThreads: 1 }
              : request.threads;
          const scorer = await QnetScorer.create({ spec: queries.spec, threads, kernel: request.qnetKernel });
          Object.assign(environment, scorer.settings);
          const scratch = new GraphSearchScratch(corpus.rows);
          try {
            const { hits, ms } = await eachQuery(queries.ids.length, 1, job, (q) => {
              const params = queryParams(queries.spec, queries.params, q);
              return search && graph
                ? graphSearch(scorer, params, corpus, graph.graph, search, { signal: job.signal, scratch })
                : exhaustiveQnetSearch(scorer, params, corpus, request.topK, { signal: job.signal });
            });
            outcomes = fromHits(queries.ids, corpus, hits, ms);
          } finally {
            await scorer.dispose();
          }
        }
        break;
      }
      case 'flat':
      case 'hnsw': {
        const { corpus, queries, similarity } = request;
        corpusRows = corpus.rows;
        config.corpus = { embeddingsHash: corpus.contentHash, rows: corpus.rows, dim: corpus.dim };
        config.similarity = similarity;
        const flat = await FlatIndex.create(corpus, similarity, request.threads);
        Object.assign(environment, flat.settings);
        const { dim } = queries;
        const vector = (q: number) => queries.embeddings.subarray(q * dim, (q + 1) * dim);
        try {
          if (request.mode === 'flat') {
            const { hits, ms } = await eachQuery(queries.ids.length, 1, job, (q) =>
              flat.search(vector(q), request.topK),
            );
            outcomes = fromHits(queries.ids, corpus, hits, ms);
          } else {
            const index = await HnswIndex.build(corpus, similarity, request.hnsw, job);
            config.hnsw = { ...index.params };
            extraStats.hnswBuildMs = Number(index.buildMs.toFixed(1));
            extraStats.hnswBytes = index.estimatedBytes();
            const { hits, ms } = await eachQuery(queries.ids.length, 1, job, async (q) =>
              index.search(vector(q), request.topK),
            );
            // recall against exact search, measured after the timed loop so that it does not inflate latency.
            const recalls = new Float64Array(hits.length);
            const recalls10 = new Float64Array(hits.length);
            for (let q = 0; q < hits.length; q++) {
              const exact = await flat.search(vector(q), request.topK);
              recalls[q] = queryRecall(hits[q].docs, exact.docs, request.topK);
              recalls10[q] = queryRecall(hits[q].docs, exact.docs, Math.min(10, request.topK));
            }
            extraStats.meanRecallAt10 = Number(
              (recalls10.reduce((a, b) => a + b, 0) / Math.max(1, recalls10.length)).toFixed(4),
            );
            outcomes = fromHits(queries.ids, corpus, hits, ms, (q) => ({ recall: recalls[q] }));
          }
        } finally {
          await flat.dispose();
        }
        break;
      }
      case 'bm25': {
        config.bm25 = {
          ...BM25_PARAMETERS,
          columns: [...BM25_PARAMETERS.columns],
          columnWeights: [...BM25_PARAMETERS.columnWeights],
        };
        // BM25 needs the dataset's complete full-text index: one missing or interrupted is built (resumed) first.
        const index = await ensureFullTextIndex(this.deps.store, request.datasetId, {
          signal: job.signal,
          onProgress: (p) =>
            job.progress?.({ done: p.indexed, total: p.documents, stage: 'full-text index' }),
        });
        if (!index.alreadyBuilt) {
          extraStats.fullTextIndexBuild = {
            documents: index.documents,
            indexed: index.indexed,
            resumedAt: index.resumedAt,
            elapsedMs: index.elapsedMs,
          };
        }
        const { ids, texts } = request.queries;
        outcomes = [];
        for (let q = 0; q < ids.length; q++) {
          if (job.signal?.aborted)
            throw new WorkbenchError('CANCELLED', `search cancelled after ${q} of ${ids.length} queries`);
          const started = performance.now();
          const ranking = bm25Search(this.deps.store.documents, request.datasetId, texts[q], request.topK);
          outcomes.push({
            queryId: ids[q],
            queryText: texts[q],
            ...ranking,
            counters: { searchMs: performance.now() - started, documentsScored: null, iterations: 1 },
          });
          job.progress?.({ done: q + 1, total: ids.length, stage: 'searching' });
        }
        break;
      }
      case 'rerank': {
        const { corpus, queries, depth } = request;
        corpusRows = corpus.rows;
        const base = this.deps.store.runs.getRankings(this.deps.store.runs.require(request.baseRun).id);
        config.rerank = {
          baseRun: request.baseRun,
          depth,
          scorer: isQnet(queries) ? 'qnet' : `embedding-${request.similarity ?? 'ip'}`,
        };
        config.corpus = { embeddingsHash: corpus.contentHash, rows: corpus.rows, dim: corpus.dim };
        const index = docnoIndex(corpus);
        const present = queries.ids.map((id, q) => [id, q] as const).filter(([id]) => base.has(id));
        extraStats.queriesNotInBaseRun = queries.ids.length - present.length;
        const missing = new Int32Array(present.length);
        let run: (q: number) => Promise<SearchHits>;
        let scorer: QnetScorer | undefined;
        if (isQnet(queries)) {
          config.qnet = queries.spec as unknown as JsonValue;
          scorer = await QnetScorer.create({
            spec: queries.spec,
            threads: request.threads,
            kernel: request.qnetKernel,
          });
          Object.assign(environment, scorer.settings);
          const s = scorer;
          run = async (i) => {
            const candidates = rerankCandidates(base.get(present[i][0])?.docnos ?? [], depth, index);
            missing[i] = candidates.missing;
            return rerankWithQnet(
              s,
              queryParams(queries.spec, queries.params, present[i][1]),
              corpus,
              candidates.docs,
              job.signal,
            );
          };
        } else {
          const { dim } = queries;
          run = async (i) => {
            const candidates = rerankCandidates(base.get(present[i][0])?.docnos ?? [], depth, index);
            missing[i] = candidates.missing;
            const q = present[i][1];
            return rerankWithEmbedding(
              queries.embeddings.subarray(q * dim, (q + 1) * dim),
              request.similarity ?? 'ip',
              corpus,
              candidates.docs,
            );
          };
        }
        try {
          const { hits, ms } = await eachQuery(present.length, 1, job, run);
          outcomes = fromHits(
            present.map(([id]) => id),
            corpus,
            hits.map((h) => ({
              ...h,
              docs: h.docs.subarray(0, request.topK),
              scores: h.scores.subarray(0, request.topK),
            })),
            ms,
            (i) => ({ missing: missing[i] }),
          );
        } finally {
          await scorer?.dispose();
        }
        break;
      }
    }
    const { runId, stats } = recordSearchRun(
      this.deps.store,
      {
        name: request.runName,
        datasetId: request.datasetId,
        source: `search:${request.mode}`,
        config,
        environment: searchEnvironment(environment),
        corpusRows,
        extraStats,
      },
      outcomes,
    );
    return { runId, name: request.runName, stats, config };
  }
}
