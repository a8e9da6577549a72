import { WorkbenchError } from '../errors.ts';
import { type Evaluation, evaluate, type MeasureColumn, perQueryValues } from '../eval/index.ts';
import type { DatasetRecord, RunRecord, Store } from '../store/index.ts';

/** The measures the Results view starts with: the experiment config's defaults (experiments/config.ts). */
export const DEFAULT_RESULT_MEASURES = ['nDCG@10', 'RR@10', 'R@100', 'R@1000'] as const;

export interface EvalRequest {
  measures: readonly string[];
  /** trec_eval -l for binary measures (TREC DL official: 2); nDCG always uses the graded labels. */
  relevanceLevel: number;
  /** Qrels split; null merges every split (a query judged in one split only is unaffected). */
  split: string | null;
}

/** What produced one number, shown next to it (DESIGN.md §6: "show next to every number…"). */
export interface NumberSettings {
  measure: string;
  cutoff: number | null;
  /** null: the measure uses graded labels as gain and ignores -l (nDCG). */
  relevanceLevel: number | null;
  depth: number | null;
  averaging: 'mean over queries in run and qrels';
  /** Queries the mean divides by (trec_eval num_q). */
  queries: number;
  scorePrecision: 'float32';
  qrels: { dataset: string; split: string | null; contentHash: string };
}

export interface StoredEvaluation {
  evaluation: Evaluation;
  dataset: DatasetRecord;
  columns: (MeasureColumn & { settings: NumberSettings })[];
}

/**
 * Evaluates stored runs against their dataset's stored qrels with trec_eval 9 semantics, remembering the
 * result per (run, dataset content, request) so that views can ask again cheaply. Nothing is written:
 * a view must keep working while an import holds the database's write transaction.
 */
export class RunEvaluator {
  private readonly cache = new Map<string, StoredEvaluation>();

  /**
   * `splitOf` gives the qrels split a run was made for (an experiment's dataset entry), used when the
   * request names none, so that numbers agree with the ones the experiment stored.
   */
  constructor(
    private readonly store: Store,
    private readonly splitOf: (run: RunRecord) => string | null = () => null,
  ) {}

  evaluate(run: RunRecord, asked: EvalRequest): StoredEvaluation {
    const request = asked.split === null ? { ...asked, split: this.splitOf(run) } : asked;
    if (run.datasetId === null) {
      throw new WorkbenchError(
        'NOT_FOUND',
        `run "${run.name}" has no dataset (it was deleted), so there are no qrels to evaluate it against. Import the dataset again and re-import the run`,
        { field: 'run', name: run.name },
      );
    }
    const dataset = this.store.datasets.getById(run.datasetId);
    if (!dataset)
      throw new WorkbenchError('NOT_FOUND', `the dataset of run "${run.name}" is gone`, { field: 'run' });
    const key = JSON.stringify([run.id, run.createdAt, dataset.contentHash, request]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const qrels = this.store.qrels.load(dataset.id, request.split ?? undefined);
    if (qrels.size === 0) {
      throw new WorkbenchError(
        'NOT_FOUND',
        `dataset "${dataset.name}" has no qrels${request.split ? ` for split "${request.split}"` : ''}: attach qrels to it (Datasets → Import, attach to) before evaluating`,
        { field: 'split' },
      );
    }
    const evaluation = evaluate(
      qrels,
      { runid: run.tag ?? run.name, queries: this.store.runs.getRankings(run.id) },
      request.measures,
      { relevanceLevel: request.relevanceLevel },
    );
    const columns = evaluation.columns.map((c) => ({
      ...c,
      settings: {
        measure: c.name,
        cutoff: c.cutoff,
        relevanceLevel: c.relevanceLevel,
        depth: c.depth,
        averaging: 'mean over queries in run and qrels' as const,
        queries: evaluation.numQ,
        scorePrecision: 'float32' as const,
        qrels: { dataset: dataset.name, split: request.split, contentHash: dataset.contentHash },
      },
    }));
    const out = { evaluation, dataset, columns };
    if (this.cache.size > 200) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }

  /** Aggregate value of a column by name. */
  static value(stored: StoredEvaluation, measure: string): number | null {
    const c = stored.evaluation.columns.findIndex((col) => col.name === measure);
    return c === -1 ? null : stored.evaluation.summary[c];
  }

  static perQuery(stored: StoredEvaluation, measure: string): Map<string, number> {
    return perQueryValues(stored.evaluation, measure);
  }
}
