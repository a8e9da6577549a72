import type { ParetoReport, RobustnessRow } from '../experiments/index.ts';
import type { LatencySettings, LatencySummary } from '../latency/index.ts';
import type { JsonObject, JsonValue, MetricSettings } from '../store/index.ts';

/**
 * The report model: everything a report of an experiment (or of a selection of runs) shows, computed once
 * from the store and rendered by every format, so that HTML, PDF, Markdown, LaTeX, CSV and JSON cannot
 * disagree. Values are the stored doubles; formats round them only when printing.
 */

export const REPORT_FORMAT = 'hypencoder-workbench/report';
export const REPORT_VERSION = 1;

export type SignificanceTest = 'tTest' | 'wilcoxon' | 'randomization';

export interface SignificancePolicy {
  test: SignificanceTest;
  alpha: number;
  /** How p-values were corrected over the runs compared with the baseline. */
  correction: 'holm' | 'bonferroni' | 'none';
}

export interface ReportMetric {
  measure: string;
  value: number;
  settings: MetricSettings;
}

export interface ReportLatencyProfile {
  settings: LatencySettings;
  summary: LatencySummary;
}

export interface ReportRun {
  name: string;
  runId: number;
  dataset: string | null;
  /** Experiment runs: the system, grid point and query set (null = the original queries). */
  system: string | null;
  point: string | null;
  querySet: string | null;
  params: JsonObject;
  source: string;
  config: JsonObject;
  environment: JsonObject;
  createdAt: string;
  queries: number;
  /** Aggregate metrics, each with the settings that produced it (as stored). */
  metrics: ReportMetric[];
  /** The run's own search timing per query (query encoding excluded). */
  searchLatency: { p50: number; p95: number; p99: number; mean: number } | null;
  /** Latency profiles (tokenize, encode, search, total per query or batch; QPS), raw samples left out. */
  profiles: ReportLatencyProfile[];
}

export interface ReportDataset {
  name: string;
  format: string | null;
  contentHash: string | null;
  documents: number | null;
  queries: number | null;
  judgedQueries: number | null;
  judgments: number | null;
  meanDocLength: number | null;
  meanQueryLength: number | null;
  /** From the experiment config: split, relevance level (trec_eval -l), query sample size. */
  split: string | null;
  relevanceLevel: number | null;
  maxQueries: number | null;
}

export interface ReportModelInfo {
  name: string;
  kind: string | null;
  source: string | null;
  packageHash: string | null;
  documentEncoderHash: string | null;
  files: Record<string, string>;
}

export type SignificanceMark = 'better' | 'worse' | null;

export interface EffectivenessCell {
  value: number | null;
  /** Against the group's baseline under the report's significance policy. */
  mark: SignificanceMark;
  pValue: number | null;
  /** Highest value of its column in its group (ties all best). */
  best: boolean;
}

export interface EffectivenessRow {
  run: string;
  label: string;
  isBaseline: boolean;
  cells: EffectivenessCell[];
}

export interface EffectivenessGroup {
  dataset: string;
  querySet: string | null;
  baseline: string | null;
  measures: string[];
  rows: EffectivenessRow[];
}

export interface MeasureDescription {
  measure: string;
  settings: MetricSettings;
  /** Relevance level, cutoff, depth, averaging, score precision and qrels in words. */
  description: string;
}

export interface SweepRow {
  point: string;
  run: string;
  values: Record<string, JsonValue>;
  quality: number | null;
  latencyMs: number | null;
}

export interface SweepTable {
  dataset: string;
  system: string;
  measure: string;
  parameters: string[];
  latencySource: string;
  rows: SweepRow[];
}

export interface RobustnessFamily {
  dataset: string;
  point: string;
  family: string;
  measure: string;
  sets: number;
  /** Means over the family's sets of the per-set drops (original − varied). */
  meanDrop: number;
  meanRelativeDrop: number | null;
}

export interface QueryDifference {
  dataset: string;
  measure: string;
  baseline: string;
  run: string;
  queryId: string;
  text: string | null;
  baselineValue: number;
  value: number;
  delta: number;
}

export interface PerQueryValue {
  run: string;
  queryId: string;
  measure: string;
  value: number;
  settings: MetricSettings;
}

export interface ReportSource {
  kind: 'experiment' | 'runs';
  name: string;
  status: string | null;
  configHash: string | null;
  createdAt: string | null;
  finishedAt: string | null;
}

export interface ReportModel {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  title: string;
  generatedAt: string;
  source: ReportSource;
  significance: SignificancePolicy;
  primaryMeasure: string;
  setup: {
    datasets: ReportDataset[];
    models: ReportModelInfo[];
    /** Distinct machines and library versions behind the runs. */
    environments: JsonObject[];
    /** The experiment config as validated (defaults filled in); null for a run selection. */
    config: JsonObject | null;
  };
  measures: MeasureDescription[];
  runs: ReportRun[];
  effectiveness: EffectivenessGroup[];
  pareto: ParetoReport[];
  sweeps: SweepTable[];
  robustness: { rows: RobustnessRow[]; families: RobustnessFamily[] };
  queryDifferences: QueryDifference[];
  perQuery: PerQueryValue[];
}
