export {
  ATTENTION_MASK,
  checkDeclaredIo,
  EMBEDDING,
  type ExpectedOutput,
  expectedOutputs,
  type GraphRole,
  INPUT_IDS,
  type ProbeShapes,
  probe,
} from './contract.ts';
export { canonicalJson, sha256File, sha256Hex } from './hash.ts';
export {
  type EncoderFile,
  formatPath,
  MANIFEST_FILE,
  MANIFEST_FORMAT_VERSION,
  MODEL_KINDS,
  MODEL_NAME_PATTERN,
  type ModelKind,
  type ModelManifest,
  manifestToJson,
  parseJsonFile,
  parseManifest,
  requiredFiles,
  TOKENIZER_FILE,
} from './manifest.ts';
export {
  documentEncoderHash,
  type FileCheck,
  type GraphCheck,
  type ModelPackage,
  type ModelRuntime,
  openModel,
  packageHash,
  readManifest,
  readPackage,
  type SessionOptions,
  type ValidationReport,
  validatePackage,
  verifyFiles,
} from './package.ts';
export {
  checkModelName,
  type ImportOptions,
  importPackage,
  MODELS_DIR,
  ModelRegistry,
  REGISTRATION_FILE,
  type RegisteredModel,
  type Registration,
} from './registry.ts';
export { type SpecialTokens, type TokenBatch, WordPieceTokenizer } from './tokenizer.ts';
