export { halfToFloat } from '../io/float16.ts';
export { type NpyArray, readNpy, writeNpy } from '../io/npy.ts';
export { BM25_PARAMETERS, bm25Match, bm25Search, type LexicalRanking } from './bm25.ts';
export {
  type Corpus,
  type CorpusInput,
  docnoOrder,
  gatherRows,
  isShared,
  makeCorpus,
  matrixHash,
  type SearchCorpus,
  sharedCopy,
  sharedCorpus,
} from './corpus.ts';
export { searchEnvironment } from './environment.ts';
export {
  cancelled,
  checkTopK,
  type ExhaustiveOptions,
  exhaustiveQnetSearch,
  MAX_TOP_K,
} from './exhaustive.ts';
export { FlatIndex, normalizeRows, type Similarity } from './flat.ts';
export {
  GRAPH_ARTIFACT_FORMAT,
  type GraphArtifactInputs,
  type GraphArtifactMeta,
  GraphArtifacts,
  graphArtifactKey,
  type ResolvedGraph,
} from './graph-artifact.ts';
export {
  type GraphAdjacency,
  type GraphSearchOptions,
  GraphSearchScratch,
  graphSearch,
} from './graph-search.ts';
export { type BuildProgress, DEFAULT_HNSW, HnswIndex, type HnswParams, type HnswSpace } from './hnsw.ts';
export {
  type EmbeddedQueries,
  QNET_SPEC_FILE,
  type QnetQueries,
  QUERY_IDS_FILE,
  readCorpusFiles,
  readIdList,
  readQnetQueries,
  readQueryEmbeddings,
} from './inputs.ts';
export { ExactKnn, KNN_BLOCK, KNN_TILE, type NeighbourMetric } from './knn.ts';
export {
  buildNeighbourGraph,
  chooseGraphMethod,
  DEFAULT_GRAPH_K,
  EXACT_GRAPH_BUDGET,
  type GraphBuildOptions,
  type GraphBuildReport,
  type GraphMethod,
  type NeighbourGraph,
} from './neighbour-graph.ts';
export { PooledQnetSearch } from './pooled.ts';
export {
  checkGraphSearchParams,
  DEFAULT_GRAPH_SEARCH,
  GRAPH_PRESET_NAMES,
  GRAPH_PRESETS,
  type GraphPresetName,
  type GraphSearchParams,
  MSMARCO_PASSAGES,
  type ResolvedPreset,
  resolvePreset,
} from './presets.ts';
export { queryRecall, recallAtK } from './recall.ts';
export {
  checkRunName,
  percentile,
  type QueryCounters,
  type QueryOutcome,
  recordSearchRun,
  type SearchRunInfo,
  summarise,
} from './record.ts';
export {
  docnoIndex,
  type RerankCandidates,
  rerankCandidates,
  rerankWithEmbedding,
  rerankWithQnet,
} from './rerank.ts';
export { floydSample, mulberry32 } from './rng.ts';
export { type QnetDocumentScorer, SEARCH_CHUNK } from './scorer.ts';
export {
  SEARCH_MODES,
  type SearchMode,
  type SearchRequest,
  type SearchRunSummary,
  SearchService,
  type SearchServiceDeps,
} from './service.ts';
export {
  type QnetGraphInput,
  type QnetShardInput,
  type SearchTasks,
  type SearchWorkerData,
  searchTasks,
} from './tasks.ts';
export { mergeRanked, type SearchHits, TopK } from './topk.ts';
