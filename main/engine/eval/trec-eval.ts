import { inputError, WorkbenchError } from '../errors.ts';
import { type MeasureColumn, type MeasureInstance, resolveMeasures } from './measure-spec.ts';
import { relstring } from './measures/set.ts';
import { MIN_GEO_MEAN } from './measures/types.ts';
import { compareBytewise } from './order.ts';
import type { Qrels } from './qrels.ts';
import { JudgedQuery, RankedQuery } from './ranking.ts';
import type { Run } from './run.ts';

/** trec_eval's command-line settings, carried with every result. */
export interface EvalSettings {
  /** -l: minimum label counted relevant by binary measures (default 1; TREC DL uses 2). */
  relevanceLevel: number;
  /** -c: average over every qrels query; queries missing from the run count 0. */
  complete: boolean;
  /** -M: documents evaluated per query after ranking; null for all. */
  maxDocsPerQuery: number | null;
  /** -J: measure only judged documents (drops unjudged ones from the ranking). */
  judgedOnly: boolean;
  /** float32 reproduces trec_eval 9.0.x (scores read into C floats, so close scores tie); float64 is 10.0. */
  scorePrecision: 'float32' | 'float64';
  /** -N: collection size, used only by utility's fourth coefficient. */
  numDocsInCollection: number;
}

export const DEFAULT_SETTINGS: EvalSettings = {
  relevanceLevel: 1,
  complete: false,
  maxDocsPerQuery: null,
  judgedOnly: false,
  scorePrecision: 'float32',
  numDocsInCollection: 0,
};

/** trec_eval's default measure set when no -m is given. */
export const DEFAULT_MEASURES: readonly string[] = ['official'];

export interface Evaluation {
  settings: EvalSettings;
  runid: string;
  columns: MeasureColumn[];
  /** Evaluated queries (in both run and qrels), in trec_eval's order (strcmp). */
  queries: string[];
  /** perQuery[c][i]: column c for queries[i]. gm_ columns hold the per-query logs that are averaged. */
  perQuery: Float64Array[];
  /** relstring text per evaluated query, when relstring was requested. */
  relstrings: string[] | null;
  /** Qrels queries absent from the run: skipped, or counted as 0 under -c. */
  missingQueries: string[];
  /** Run queries without qrels: ignored, as trec_eval ignores them. */
  unjudgedQueries: string[];
  /** Queries the means divide by (trec_eval's num_q). */
  numQ: number;
  /** The `all` line per column: mean, geometric mean, sum or count as trec_eval aggregates it. */
  summary: Float64Array;
}

/**
 * Evaluates a run against qrels with trec_eval 9.0.x semantics (see README.md): per-query values for each
 * requested measure and the `all` summary. Throws when no query is in both, as trec_eval does.
 */
export function evaluate(
  qrels: Qrels,
  run: Run,
  measures: readonly string[] = DEFAULT_MEASURES,
  settings: Partial<EvalSettings> = {},
): Evaluation {
  const s: EvalSettings = { ...DEFAULT_SETTINGS, ...settings };
  validateSettings(s);
  const instances = resolveMeasures(measures.length ? measures : DEFAULT_MEASURES, {
    relevanceLevel: s.relevanceLevel,
    numDocsInCollection: s.numDocsInCollection,
  });
  const columns = instances.flatMap((i) => i.columns);
  const relstringInstance = instances.find((i) => i.family.name === 'relstring');

  const qrelsQueries = [...qrels.keys()].sort(compareBytewise);
  const queries: string[] = [];
  const missingQueries: string[] = [];
  for (const qid of qrelsQueries) (run.queries.has(qid) ? queries : missingQueries).push(qid);
  const unjudgedQueries = [...run.queries.keys()].filter((q) => !qrels.has(q)).sort(compareBytewise);
  if (queries.length === 0) {
    throw new WorkbenchError(
      'INPUT_EMPTY',
      'No query is in both the run and the qrels (trec_eval: "No queries with both results and relevance ' +
        `info"). Run qids look like "${[...run.queries.keys()].slice(0, 3).join('", "')}", qrels qids like ` +
        `"${qrelsQueries.slice(0, 3).join('", "')}": check that they use the same ids`,
    );
  }

  const perQuery = columns.map(() => new Float64Array(queries.length));
  const relstrings: string[] | null = relstringInstance ? [] : null;
  const row = new Float64Array(columns.length);
  const ranked = new RankedQuery();
  const rankingOptions = {
    scorePrecision: s.scorePrecision,
    maxDocsPerQuery: s.maxDocsPerQuery ?? Number.POSITIVE_INFINITY,
    judgedOnly: s.judgedOnly,
  };
  for (let qi = 0; qi < queries.length; qi++) {
    const qid = queries[qi];
    ranked.rank(run.queries.get(qid)!, new JudgedQuery(qrels.get(qid)!), rankingOptions);
    computeRow(instances, ranked, row);
    for (let c = 0; c < columns.length; c++) perQuery[c][qi] = row[c];
    if (relstrings && relstringInstance)
      relstrings.push(relstring(ranked.rels, relstringInstance.params.values[0]));
  }

  const numQ = s.complete ? qrelsQueries.length : queries.length;
  const summary = new Float64Array(columns.length);
  for (let c = 0; c < columns.length; c++)
    summary[c] = aggregate(columns[c], perQuery[c], numQ, queries.length);
  if (s.complete) {
    // trec_eval 9's num_rel summary under -c (te_calc_avg_num_rel) counts every qrels line with a label > 0,
    // over all qrels queries and whatever -l says. Reproduced for the trec_eval-named column only; the
    // ir_measures NumRel keeps the sum of its per-query values.
    const c = columns.findIndex((col) => col.name === 'num_rel');
    if (c !== -1) summary[c] = countPositiveLabels(qrels);
  }
  return {
    settings: s,
    runid: run.runid,
    columns,
    queries,
    perQuery,
    relstrings,
    missingQueries,
    unjudgedQueries,
    numQ,
    summary,
  };
}

function countPositiveLabels(qrels: Qrels): number {
  let n = 0;
  for (const labels of qrels.values()) for (const rel of labels.values()) if (rel > 0) n++;
  return n;
}

function computeRow(instances: MeasureInstance[], q: RankedQuery, row: Float64Array): void {
  row.fill(0);
  let at = 0;
  for (const inst of instances) {
    inst.family.compute(q, inst.params, row, at);
    at += inst.columns.length;
  }
}

/** trec_eval's calc_avg procedures (meas_avg.c): means divide by num_q; under -c missing queries add 0. */
function aggregate(column: MeasureColumn, values: Float64Array, numQ: number, evaluated: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  switch (column.aggregate) {
    case 'mean':
      return numQ ? sum / numQ : 0;
    case 'gmean':
      // Missing queries (under -c) enter as MIN_GEO_MEAN, not as 0 (which would be a perfect log).
      return numQ ? Math.exp((sum + (numQ - evaluated) * Math.log(MIN_GEO_MEAN)) / numQ) : 0;
    case 'sum':
      return sum;
    case 'numq':
      return numQ;
    default:
      return 0;
  }
}

function validateSettings(s: EvalSettings): void {
  const bad = (field: string, problem: string) =>
    inputError('INVALID_ARGUMENT', { field }, problem, 'See trec_eval -h for the meaning of the option');
  if (!Number.isInteger(s.relevanceLevel)) throw bad('relevanceLevel', '-l must be an integer');
  if (s.maxDocsPerQuery !== null && !(Number.isInteger(s.maxDocsPerQuery) && s.maxDocsPerQuery >= 0)) {
    throw bad('maxDocsPerQuery', '-M must be a non-negative integer');
  }
  if (s.scorePrecision !== 'float32' && s.scorePrecision !== 'float64') {
    throw bad('scorePrecision', 'score precision must be float32 or float64');
  }
}

/**
 * One column's per-query values by qid. With `includeMissing`, qrels queries absent from the run appear with 0,
 * matching what -c averages over.
 */
export function perQueryValues(
  evaluation: Evaluation,
  columnName: string,
  options: { includeMissing?: boolean } = {},
): Map<string, number> {
  const c = evaluation.columns.findIndex((col) => col.name === columnName);
  if (c === -1) {
    throw new WorkbenchError(
      'NOT_FOUND',
      `measure "${columnName}" is not in this evaluation (it has ${evaluation.columns.map((x) => x.name).join(', ')})`,
    );
  }
  const out = new Map<string, number>();
  evaluation.queries.forEach((qid, i) => {
    out.set(qid, evaluation.perQuery[c][i]);
  });
  if (options.includeMissing) {
    const missingValue = evaluation.columns[c].aggregate === 'gmean' ? Math.log(MIN_GEO_MEAN) : 0;
    for (const qid of evaluation.missingQueries) out.set(qid, missingValue);
  }
  return out;
}
