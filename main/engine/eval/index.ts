// Evaluation: trec_eval 9.0.x-exact measures, paired significance tests and FollowIR p-MRR.
export { formatTrecEval, type TrecFormatOptions } from './format.ts';
export { type MeasureColumn, resolveMeasures } from './measure-spec.ts';
export { compareBytewise } from './order.ts';
export { type PmrrDocument, type PmrrInput, type PmrrResult, pMRR } from './pmrr.ts';
export { cFixed } from './printf.ts';
export { loadQrels, type Qrels } from './qrels.ts';
export { type Run, type RunEntry, type RunQuery, runFromEntries } from './run.ts';
export { loadRun, type RunReaderOptions } from './run-reader.ts';
export { adjustPValues, compareRuns, type PairedComparison, type PairedOptions } from './significance.ts';
export {
  DEFAULT_MEASURES,
  DEFAULT_SETTINGS,
  type EvalSettings,
  type Evaluation,
  evaluate,
  perQueryValues,
} from './trec-eval.ts';
