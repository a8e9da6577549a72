// Latency: per-stage query timings with warm-up and repetitions, percentiles, QPS, memory peak (DESIGN.md §8).
export { MemoryPeak, type MemoryPeakReport } from './memory.ts';
export { type ParetoPoint, paretoFront } from './pareto.ts';
export { openPipeline, type PipelineOptions, type PipelineSpec } from './pipelines.ts';
export {
  LATENCY_STAGES,
  type LatencyMeasurement,
  type LatencyOptions,
  type LatencyPipeline,
  type LatencySettings,
  type LatencyStage,
  type LatencySummary,
  measureLatency,
  profileLatency,
} from './profile.ts';
export { type SampleSummary, summariseSamples } from './stats.ts';
