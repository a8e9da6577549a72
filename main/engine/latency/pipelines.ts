import { type QueryEncoding, runQueryEncoder, tokenizeQueries } from '../encode/index.ts';
import { type ModelPackage, openModel, type TokenBatch } from '../models/index.ts';
import type { ProviderRequest } from '../onnx/index.ts';
import { QnetScorer, queryParams } from '../qnet/index.ts';
import {
  bm25Match,
  bm25Search,
  type Corpus,
  exhaustiveQnetSearch,
  FlatIndex,
  type GraphAdjacency,
  type GraphSearchParams,
  GraphSearchScratch,
  graphSearch,
  type HnswIndex,
  rerankWithEmbedding,
  rerankWithQnet,
  type SearchHits,
  type Similarity,
} from '../search/index.ts';
import type { DocumentsRepository } from '../store/index.ts';
import type { LatencyPipeline } from './profile.ts';

/**
 * The retrieval pipelines whose stages are timed: a model's query encoder in front of each search mode of
 * main/engine/search, and BM25. Each pipeline opens its own sessions with the thread count under test.
 * Search inputs that do not depend on threads (document embeddings, the neighbour graph, an HNSW index, a
 * re-ranking run's candidates) come in built, so that building them is never part of a timing.
 */

interface ModelSpec {
  model: ModelPackage;
  corpus: Corpus;
  topK: number;
}

export type PipelineSpec =
  | ({ mode: 'qnet' } & ModelSpec)
  | ({ mode: 'qnet-graph'; graph: GraphAdjacency; search: GraphSearchParams } & ModelSpec)
  | ({ mode: 'flat'; similarity: Similarity } & ModelSpec)
  | ({ mode: 'hnsw'; index: HnswIndex } & ModelSpec)
  | ({ mode: 'rerank'; candidates: (query: number) => Int32Array; similarity?: Similarity } & ModelSpec)
  | {
      mode: 'bm25';
      documents: Pick<DocumentsRepository, 'searchFullText'>;
      datasetId: number;
      topK: number;
    };

export interface PipelineOptions {
  threads?: number;
  provider?: ProviderRequest;
}

const n = (x: number) => x.toLocaleString('en-US');

function describe(spec: PipelineSpec): string {
  switch (spec.mode) {
    case 'qnet':
      return `q-net exhaustive: every one of ${n(spec.corpus.rows)} documents scored, top ${spec.topK}`;
    case 'qnet-graph': {
      const s = spec.search;
      return `q-net graph search (numEntryPoints ${s.numEntryPoints}, nCandidates ${s.nCandidates}, maxIter ${s.maxIter}, earlyStop ${s.earlyStop}) over ${n(spec.corpus.rows)} documents, k=${spec.graph.k} graph, top ${s.topK}`;
    }
    case 'flat':
      return `flat ${spec.similarity} over ${n(spec.corpus.rows)} documents (onnxruntime MatMul + exact top ${spec.topK})`;
    case 'hnsw':
      return `HNSW (M ${spec.index.params.M}, efConstruction ${spec.index.params.efConstruction}, efSearch ${spec.index.ef}) over ${n(spec.corpus.rows)} documents, top ${spec.topK}; index built beforehand`;
    case 'rerank':
      return `re-scoring the base run's candidates (${spec.model.manifest.kind === 'hypencoder' ? 'q-net' : `embedding ${spec.similarity ?? 'ip'}`}); the base run's own search is not included`;
    case 'bm25':
      return `BM25 via SQLite FTS5, top ${spec.topK}; "tokenize" builds the MATCH expression, "encode" is empty`;
  }
}

function bm25Pipeline(spec: Extract<PipelineSpec, { mode: 'bm25' }>): LatencyPipeline<string[], string[]> {
  return {
    provider: 'sqlite-fts5',
    threads: 1,
    description: describe(spec),
    tokenize: (texts) => {
      for (const t of texts) bm25Match(t);
      return [...texts];
    },
    encode: async (texts) => texts,
    search: async (texts, row) => bm25Search(spec.documents, spec.datasetId, texts[row], spec.topK),
    dispose: async () => {},
  };
}

/** Opens the sessions of one pipeline: the model's query encoder plus the search's own sessions. */
export async function openPipeline(
  spec: PipelineSpec,
  options: PipelineOptions = {},
): Promise<LatencyPipeline> {
  if (spec.mode === 'bm25') return bm25Pipeline(spec) as LatencyPipeline;
  const threads = options.threads === undefined ? {} : { intraOpNumThreads: options.threads };
  const runtime = await openModel(spec.model, { provider: options.provider ?? 'cpu', threads });
  const disposers: Array<() => Promise<void>> = [() => runtime.close()];
  const dispose = async () => {
    for (const d of disposers.splice(0).reverse()) await d();
  };
  try {
    const { corpus, topK } = spec;
    const dim = corpus.dim;
    const vector = (enc: QueryEncoding, row: number) => {
      if (enc.kind !== 'biencoder') throw new Error('expected query embeddings');
      return enc.embeddings.subarray(row * dim, (row + 1) * dim);
    };
    const qnetOf = (enc: QueryEncoding, row: number) => {
      if (enc.kind !== 'hypencoder') throw new Error('expected q-net parameters');
      return queryParams(enc.spec, enc.params, row);
    };
    let search: (enc: QueryEncoding, row: number, query: number) => Promise<SearchHits>;
    let scorer: QnetScorer | undefined;
    if (runtime.manifest.kind === 'hypencoder' && spec.mode !== 'flat' && spec.mode !== 'hnsw') {
      scorer = await QnetScorer.create({
        spec: runtime.manifest.qnet!,
        provider: options.provider ?? 'cpu',
        threads,
      });
      const s = scorer;
      disposers.push(() => s.dispose());
    }
    switch (spec.mode) {
      case 'qnet':
        search = (enc, row) => exhaustiveQnetSearch(scorer!, qnetOf(enc, row), corpus, topK);
        break;
      case 'qnet-graph': {
        const scratch = new GraphSearchScratch(corpus.rows);
        search = (enc, row) =>
          graphSearch(scorer!, qnetOf(enc, row), corpus, spec.graph, spec.search, { scratch });
        break;
      }
      case 'flat': {
        const flat = await FlatIndex.create(corpus, spec.similarity, threads);
        disposers.push(() => flat.dispose());
        search = (enc, row) => flat.search(vector(enc, row), topK);
        break;
      }
      case 'hnsw':
        search = async (enc, row) => spec.index.search(vector(enc, row), topK);
        break;
      case 'rerank':
        search = async (enc, row, query) =>
          scorer
            ? rerankWithQnet(scorer, qnetOf(enc, row), corpus, spec.candidates(query))
            : rerankWithEmbedding(vector(enc, row), spec.similarity ?? 'ip', corpus, spec.candidates(query));
        break;
    }
    return {
      provider: runtime.query.provider,
      threads: runtime.query.intraOpNumThreads,
      description: describe(spec),
      tokenize: (texts) => tokenizeQueries(runtime, texts),
      encode: (tokens: TokenBatch) => runQueryEncoder(runtime, tokens),
      search: (enc, row, query) => search(enc, row, query),
      dispose,
    } as LatencyPipeline<TokenBatch, QueryEncoding> as LatencyPipeline;
  } catch (err) {
    await dispose();
    throw err;
  }
}
