export { exportRun, type RunExportResult } from './export.ts';
export {
  defaultRunName,
  importRun,
  type RunImportParams,
  type RunImportResult,
  runFormatOf,
} from './import.ts';
export { type ParsedQuery, type ParsedRun, parseJsonlRun, parseTrecRun, type RunFormat } from './parse.ts';
export { compareUtf8, rankDocuments } from './ranking.ts';

import type { MetricValue, Ranking, Store } from '../store/index.ts';

/** Per-query rankings of a run (docnos with their original float64 scores, in trec_eval rank order). */
export function getRankings(store: Store, runId: number): Map<string, Ranking> {
  return store.runs.getRankings(runId);
}

/** Saves per-query and aggregate metric values of a run, each with its settings, in one transaction. */
export function saveMetrics(store: Store, runId: number, values: readonly MetricValue[]): void {
  store.metrics.save(runId, values);
}
