// Experiments: a config of datasets × models × search modes × attacks, expanded into jobs, run with resume;
// runs, metrics and latency profiles stored; comparisons, Pareto fronts, traces and run bundles.

export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type BundleImportResult,
  buildRunBundle,
  exportRunBundle,
  importRunBundle,
  type RunBundle,
  readRunBundle,
} from './bundle.ts';
export {
  type ComparedRun,
  type CompareOptions,
  type Correction,
  compareMeasureSets,
  compareStoredRuns,
  differingParameters,
  type MeasureComparison,
  measuresOf,
  type ParameterDifference,
  type RunsComparison,
  runParameters,
  type StoredMeasure,
  settingsKey,
  storedMeasures,
} from './compare.ts';
export {
  type AttacksConfig,
  type ConfigProblem,
  configError,
  type ExperimentConfig,
  ExperimentConfigSchema,
  jsonPath,
  type LatencyProfileConfig,
  type ModelModeConfig,
  parseExperimentConfig,
  parseExperimentJson,
} from './config.ts';
export { detectGpus, experimentEnvironment } from './environment.ts';
export { evaluateRankings, metricValues, qrelsHash, runOfRankings } from './evaluate.ts';
export { describeSettings, formatComparison, formatExperimentReport, formatRunTrace } from './format.ts';
export { LatencyRepository, type StoredLatency } from './latency-store.ts';
export {
  type ConfigMode,
  expandJobs,
  type GridPoint,
  gridPoints,
  type JobSpec,
  type ParamValue,
  SEARCH_MODE_OF,
  type SystemSpec,
  systemsOf,
} from './plan.ts';
export { type QuerySet, seededSample } from './query-sets.ts';
export {
  type ComparisonGroup,
  type ExperimentReport,
  experimentReport,
  type JobRow,
  type ParetoReport,
  type RobustnessRow,
  runLatency,
} from './report.ts';
export {
  type ExperimentRecord,
  type ExperimentStatus,
  ExperimentsRepository,
  type JobRecord,
  type JobStatus,
} from './repository.ts';
export {
  type AbsentFamily,
  type ExperimentRobustness,
  type ExperimentRobustnessSources,
  experimentRobustness,
  formatExperimentRobustness,
} from './robustness.ts';
export {
  type ExperimentOutcome,
  type ExperimentProgress,
  ExperimentRunner,
  type RunnerDeps,
} from './runner.ts';
export { type RunTrace, traceRun } from './trace.ts';
export {
  checkExperimentConfig,
  type ValidatedExperiment,
  type ValidationSources,
  validateExperiment,
} from './validate.ts';
