export {
  type ConformanceCase,
  type ConformanceFile,
  type ConformanceResult,
  checkConformance,
  generateCaseInputs,
  maxRelativeError,
  readConformanceFile,
  xorshift32Stream,
} from './conformance.ts';
export {
  buildQnetGraph,
  QNET_DOCS,
  QNET_SCORES,
  type QnetGraphLayout,
  type QnetGraphOptions,
  qnetBiasName,
  qnetWeightName,
} from './graph.ts';
export { type NativeKernelStatus, nativeKernelStatus } from './native/index.ts';
export { type QnetParams, queryCount, queryParams } from './params.ts';
export { activate, erf, scoreReference } from './reference.ts';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_GPU_CHUNK_SIZE,
  QNET_KERNEL_REQUESTS,
  type QnetBatchMode,
  type QnetKernel,
  type QnetKernelRequest,
  QnetScorer,
  type QnetScorerOptions,
  type QnetScorerSettings,
} from './scorer.ts';
export {
  DEFAULT_QNET_CONFIG,
  flopsPerDocument,
  HYPENCODER_6_LAYER,
  hasResidual,
  layerCount,
  parseQnetSpec,
  QNET_ACTIVATIONS,
  type QnetActivation,
  type QnetConfig,
  type QnetSpec,
} from './spec.ts';
