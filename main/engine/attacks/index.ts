export {
  GENERATOR_VERSION,
  generateVariations,
  isAttackFamily,
  PARAPHRASE_UNAVAILABLE_REASON,
  resolveSpec,
} from './generate.ts';
export {
  detectFormat,
  type ImportedVariations,
  type ImportOptions,
  readVariationFile,
  type VariationFileFormat,
} from './import.ts';
export { QWERTY_NEIGHBOURS, qwertyNeighbours } from './keyboard.ts';
export { CHARACTER_EDITS, defaultMisspellingParams, type MisspellingParams } from './misspelling.ts';
export { hash32, mulberry32, queryRandom, type Random } from './prng.ts';
export {
  type NewVariationSet,
  QueryVariationsRepository,
  type VariationSetRecord,
  type VariationSetSource,
} from './repository.ts';
export {
  type CompareFn,
  evaluateRobustness,
  type GroupRobustness,
  type PerQueryValues,
  type QueryDrillDown,
  type RobustnessInput,
  type RobustnessOptions,
  type RobustnessReport,
  type SetRobustness,
  type Spread,
  spread,
  type VariationSetValues,
  type VariationText,
} from './robustness.ts';
export {
  type AttackConfig,
  AttackService,
  attackConfigSchema,
  type FamilyStatus,
  type GeneratedSet,
  type GenerateRequest,
  type ImportRequest,
  MAX_SETS_PER_REQUEST,
} from './service.ts';
export { type SynonymCandidate, synonymCandidates } from './synonym.ts';
export {
  formatCell,
  formatRobustnessTable,
  type RobustnessTable,
  type RobustnessTableEntry,
  type RobustnessTableRow,
  robustnessTable,
} from './table.ts';
export * from './types.ts';
export { type Synset, WORDNET_POS, WordNet, type WordNetPos } from './wordnet.ts';
export { comparable, isChanged, isStopWord, STOP_WORDS, tokenize } from './words.ts';
