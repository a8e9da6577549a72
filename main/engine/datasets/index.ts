export { CARD_FILES, type CardLookup, findDatasetCard, MAX_CARD_BYTES } from './card.ts';
export {
  buildFullTextIndex,
  describeFullTextIndex,
  ensureFullTextIndex,
  FULL_TEXT_CHUNK_ROWS,
  type FullTextIndexState,
  fullTextIndexState,
  type IndexOptions,
  type IndexProgress,
  type IndexResult,
} from './fulltext.ts';
export { type ImportOptions, type ImportResult, importDataset } from './importer.ts';
export { idField, isBlank, type JsonRecord, parseJsonLine, textField } from './jsonl.ts';
export { FORMATS, type ImportParams, type ImportPlan, planImport, UNKNOWN_POLICIES } from './plan.ts';
export type { ImportProgress, ImportStage, ProgressListener } from './progress.ts';
export type { CorpusSource, JsonlKeys, QrelsSource, QueriesSource } from './sources.ts';
export { countWords } from './words.ts';
