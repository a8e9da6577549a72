export { type BeirSplit, readBeirSplit, selectQueries, splitPart } from './beir.ts';
export { evaluateBm25 } from './bm25.ts';
export {
  CHECK_DOCUMENTS,
  CHECK_QUERIES,
  EXPECTATION_QUERIES,
  type Expectation,
  type Measured,
  type MeasuredSplits,
  type PackageMetrics,
  renderDatasetCard,
  renderMeasuredBlock,
  renderModelCard,
  type TrainingLog,
} from './card.ts';
export { buildCard, type Card, DOMAIN_POINTERS, HYPERNYM_POINTERS, hypernymIds } from './cards.ts';
export { MEASURED, wordnetDatasetCard } from './dataset-card.ts';
export {
  DEMO_DEPTH,
  DEMO_MEASURES,
  type DemoMetrics,
  type EvaluatePackageOptions,
  evaluatePackage,
  metricsOf,
  rankWithPackage,
} from './evaluate.ts';
export { type Gloss, normaliseForMatch, splitGloss } from './gloss.ts';
export {
  checkSamples,
  SAMPLE_ATOL,
  SAMPLE_RTOL,
  SAMPLES_FILE,
  type SampleCheck,
  type Samples,
} from './samples.ts';
export {
  DEMO_CONFIG,
  DEMO_DATASET,
  DEMO_EXPERIMENTS,
  DEMO_PACKAGES,
  type DemoExperiment,
  type DemoStatus,
  demoStatus,
  type PrepareDemoOptions,
  prepareDemo,
} from './session.ts';
export { fnv1a32, inSubset, SPLIT_SEED, SPLITS, type Split, splitOf, unitHash } from './split.ts';
export {
  DATA_FILES,
  lemmaText,
  parseSynsetLine,
  readDataFile,
  type Synset,
  type SynsetType,
} from './wndb.ts';
export {
  BEIR_FILES,
  buildCollection,
  buildWordnetDemo,
  DATASET_CARD_FILE,
  DEMO_FRACTION,
  defaultDictDir,
  queryIdOf,
  readWordnet,
  type SplitStats,
  WORDNET_VERSION,
  type WordnetDemoOptions,
  type WordnetDemoStats,
  type WordnetSubset,
} from './wordnet.ts';
