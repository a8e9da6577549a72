import {
  compareBytewise,
  type EvalSettings,
  type Evaluation,
  evaluate,
  type Qrels,
  type Run,
} from '../eval/index.ts';
import type { MetricSettings, MetricValue, Ranking } from '../store/index.ts';
import { sha256 } from './plan.ts';

/**
 * Stored runs evaluated with trec_eval 9.0.x semantics (main/engine/eval) against the dataset's qrels; every
 * value is stored with the settings that produced it (relevance level, cutoff, averaging, depth, the qrels'
 * hash) so that no number is ever shown without them.
 */

/** sha256 of the qrels as sorted `qid docno rel` lines: equal judgments give equal hashes. */
export function qrelsHash(qrels: Qrels): string {
  const lines: string[] = [];
  for (const [qid, docs] of qrels) for (const [docno, rel] of docs) lines.push(`${qid} ${docno} ${rel}`);
  lines.sort(compareBytewise);
  return sha256(lines.join('\n'));
}

export function runOfRankings(runid: string, rankings: ReadonlyMap<string, Ranking>): Run {
  const queries = new Map<string, { docnos: string[]; scores: Float64Array }>();
  for (const [qid, r] of rankings) queries.set(qid, { docnos: r.docnos, scores: r.scores });
  return { runid, queries };
}

export const AVERAGING_DEFAULT = 'queries in both run and qrels (trec_eval default)';
export const AVERAGING_COMPLETE = 'all qrels queries, missing ones 0 (trec_eval -c)';

/** The metric values of an evaluation: per query (means and sums) and the aggregates, each with its settings. */
export function metricValues(
  ev: Evaluation,
  qrelsHashHex: string,
  measureSpecs: readonly string[],
): MetricValue[] {
  const out: MetricValue[] = [];
  const s: EvalSettings = ev.settings;
  ev.columns.forEach((col, c) => {
    if (col.aggregate === 'none' || col.aggregate === 'runid') return;
    const settings: MetricSettings = {
      relevanceLevel: col.relevanceLevel ?? s.relevanceLevel,
      // nDCG and counts ignore -l; say so rather than let the level suggest otherwise.
      relevanceLevelApplies: col.relevanceLevel !== null,
      cutoff: col.cutoff,
      averaging: s.complete ? AVERAGING_COMPLETE : AVERAGING_DEFAULT,
      aggregate: col.aggregate,
      depth: col.depth ?? s.maxDocsPerQuery,
      judgedOnly: s.judgedOnly,
      scorePrecision: s.scorePrecision,
      qrelsHash: qrelsHashHex,
      numQ: ev.numQ,
      semantics: 'trec_eval 9.0.x',
      requested: measureSpecs.join(' '),
    };
    out.push({ queryId: null, measure: col.name, value: ev.summary[c], settings });
    if (col.aggregate === 'mean' || col.aggregate === 'sum') {
      ev.queries.forEach((qid, i) => {
        out.push({ queryId: qid, measure: col.name, value: ev.perQuery[c][i], settings });
      });
    }
  });
  return out;
}

export function evaluateRankings(
  runid: string,
  rankings: ReadonlyMap<string, Ranking>,
  qrels: Qrels,
  measures: readonly string[],
  settings: Partial<EvalSettings>,
): { evaluation: Evaluation; values: MetricValue[] } {
  const evaluation = evaluate(qrels, runOfRankings(runid, rankings), measures, settings);
  return { evaluation, values: metricValues(evaluation, qrelsHash(qrels), measures) };
}
