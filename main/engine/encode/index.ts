export { decodeHalf, encodeHalf, floatToHalf, halfToFloat } from '../io/float16.ts';
export { type NpyDtype, type NpyHeader, parseNpyHeader, readNpyHeader, writeNpy } from '../io/npy.ts';
export {
  artifactDir,
  bytesPerValue,
  dataFileName,
  EMBEDDINGS_DIR,
  type EmbeddingDtype,
  type EmbeddingMeta,
  type Embeddings,
  embeddingKey,
  embeddingsRoot,
  IDS_FILE,
  listEmbeddingArtifacts,
  META_FILE,
  readEmbeddingMeta,
  readEmbeddings,
} from './artifact.ts';
export { embeddingOf, encodeBatch, runTokenBatch } from './batch.ts';
export {
  type CorpusSource,
  corpusArtifactDir,
  DEFAULT_BATCH_SIZE,
  DEFAULT_SORT_WINDOW,
  type DocumentModel,
  type EncodeCorpusOptions,
  type EncodeCorpusResult,
  type EncodeProgress,
  encodeCorpus,
  encodingSettings,
} from './corpus.ts';
export {
  type DocumentEncoder,
  type EncodedBatch,
  type EncoderRun,
  encodeWorkers,
  MAX_ENCODE_WORKERS,
  type PooledEncoderOptions,
  pooledEncoder,
  sessionEncoder,
} from './encoder.ts';
export { type BatchPlan, batchPlan, batchSizeAt } from './plan.ts';
export {
  importPrecomputedEmbeddings,
  type PrecomputedImportOptions,
  type PrecomputedImportResult,
} from './precomputed.ts';
export { LOCK_FILE, PROGRESS_FILE } from './progress.ts';
export {
  encodeQueries,
  type QueryEncoding,
  type QueryModel,
  runQueryEncoder,
  tokenizeQueries,
} from './query.ts';
export { memoryCorpus, storeCorpus } from './source.ts';
export {
  type EncodeDocumentsInput,
  type EncodedDocuments,
  type EncodeTasks,
  encodeTasks,
} from './tasks.ts';
export { type CorpusDocument, DOCUMENT_TEXT_FORMAT, documentText } from './text.ts';
