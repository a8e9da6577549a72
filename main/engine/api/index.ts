import { attackHandlers } from './attacks.ts';
import { type ApiDeps, apiContext } from './context.ts';
import { datasetHandlers } from './datasets.ts';
import { demoHandlers } from './demo.ts';
import { RunEvaluator } from './evaluation.ts';
import { ExperimentsPort, experimentHandlers } from './experiments.ts';
import { type ClientOf, handler, noInput } from './handler.ts';
import { jobHandlers } from './jobs.ts';
import { modelHandlers } from './models.ts';
import { reportHandlers } from './reports.ts';
import { resultHandlers } from './results.ts';
import { runHandlers } from './runs.ts';
import { settingsHandlers } from './settings.ts';
import { systemInfo } from './system.ts';

export { DEMO_CONFIG, DEMO_DATASET, DEMO_PACKAGES, type DemoStatus } from '../demo/index.ts';
export type { FlatParams, Histogram, ParamScalar, SweepSeries } from './analysis.ts';
export { differingParams, findSweeps, flattenParams, paretoFront, symmetricHistogram } from './analysis.ts';
export type { ApiContext, ApiDeps } from './context.ts';
export type { DatasetDetails, ImportPreview, PreviewFile } from './datasets.ts';
export type { NumberSettings } from './evaluation.ts';
export { JobEvents, type JobListener } from './events.ts';
export type { ConfigCheck, ConfigIssue, ExperimentSummary } from './experiments.ts';
export type { ApiResult, Handler, HandlerTable } from './handler.ts';
export { type ClientOf, handler, noInput } from './handler.ts';
export type { ModelInfo, ProviderAvailability } from './models.ts';
export type { BaselineTest, ResultRow, ResultsSummary, RobustnessEntry } from './results.ts';
export type { DrillDown, MeasureComparison, QueryRow, RankedEntry, RunSummary } from './runs.ts';
export { readLocationFile, type SettingsView } from './settings.ts';
export { SETTINGS_FILE, type StoredSettings } from './settings-file.ts';
export { type SystemInfo, systemInfo } from './system.ts';

/**
 * The whole API the renderer may call, grouped by capability. The preload and the HTTP server expose exactly
 * these methods (channel `capability:verb`); the renderer's type is derived from this object. Every handler
 * validates its payload with its zod schema before the engine sees it, and answers errors as data.
 */
export function createApi(deps: ApiDeps) {
  const ctx = apiContext(deps);
  const experiments = new ExperimentsPort(ctx);
  const evaluator = new RunEvaluator(deps.store, (run) => experiments.splitOf(run));
  return {
    system: {
      info: handler(noInput, () => systemInfo(deps)),
    },
    settings: settingsHandlers(ctx),
    datasets: datasetHandlers(ctx),
    models: modelHandlers(ctx),
    jobs: jobHandlers(ctx),
    runs: runHandlers(ctx, evaluator),
    results: resultHandlers(ctx, evaluator),
    experiments: experimentHandlers(experiments),
    attacks: attackHandlers(ctx),
    reports: reportHandlers(ctx),
    demo: demoHandlers(ctx, experiments),
  };
}

export type WorkbenchHandlers = ReturnType<typeof createApi>;
export type WorkbenchApi = ClientOf<WorkbenchHandlers>;
