import type { StoreContext } from './context.ts';
import type { Qrels, SplitStats } from './types.ts';

export interface QrelsSummary {
  judgedQueries: number;
  judgments: number;
  judgmentsPerLabel: Record<string, number>;
  unjudgedEntries: number;
  splits: Record<string, Omit<SplitStats, 'queries'>>;
}

/** Key under which qrels without a split are reported. */
export const NO_SPLIT = '';

export class QrelsRepository {
  private readonly insertStmt;
  private readonly existing;
  private readonly all;
  private readonly bySplit;
  private readonly labels;
  private readonly judged;
  private readonly perSplit;
  private readonly splitsStmt;

  constructor(ctx: StoreContext) {
    const db = ctx.db;
    this.insertStmt = db.prepare<[number, string | null, string, string, number]>(
      'INSERT INTO qrels (dataset_id, split, query_id, doc_id, rel) VALUES (?, ?, ?, ?, ?)',
    );
    this.existing = db
      .prepare<[number, string, string, string], number>(
        "SELECT rel FROM qrels WHERE dataset_id = ? AND ifnull(split, '') = ? AND query_id = ? AND doc_id = ?",
      )
      .pluck();
    this.all = db.prepare<[number], { query_id: string; doc_id: string; rel: number }>(
      'SELECT query_id, doc_id, rel FROM qrels WHERE dataset_id = ? ORDER BY id',
    );
    this.bySplit = db.prepare<[number, string], { query_id: string; doc_id: string; rel: number }>(
      "SELECT query_id, doc_id, rel FROM qrels WHERE dataset_id = ? AND ifnull(split, '') = ? ORDER BY id",
    );
    this.labels = db.prepare<[number], { rel: number; n: number }>(
      'SELECT rel, count(*) AS n FROM qrels WHERE dataset_id = ? GROUP BY rel ORDER BY rel',
    );
    this.judged = db
      .prepare<[number], number>(
        'SELECT count(DISTINCT query_id) FROM qrels WHERE dataset_id = ? AND rel >= 0',
      )
      .pluck();
    this.perSplit = db.prepare<[number], { split: string; judged: number; judgments: number }>(
      `SELECT ifnull(split, '') AS split, count(DISTINCT query_id) AS judged, count(*) AS judgments
       FROM qrels WHERE dataset_id = ? AND rel >= 0 GROUP BY ifnull(split, '') ORDER BY 1`,
    );
    this.splitsStmt = db
      .prepare<[number], string>(
        "SELECT DISTINCT ifnull(split, '') FROM qrels WHERE dataset_id = ? ORDER BY 1",
      )
      .pluck();
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE for a second judgment of the same (split, query, document). */
  insert(datasetId: number, split: string | null, queryId: string, docId: string, rel: number): void {
    this.insertStmt.run(datasetId, split, queryId, docId, rel);
  }

  /** The stored label of a judgment, if any (used to explain a duplicate). */
  label(datasetId: number, split: string | null, queryId: string, docId: string): number | undefined {
    return this.existing.get(datasetId, split ?? NO_SPLIT, queryId, docId);
  }

  /**
   * The qrels as the eval capability takes them. Without a split, all splits are merged; should two splits
   * judge the same pair differently, the later one wins — pass the split to avoid that.
   */
  load(datasetId: number, split?: string | null): Qrels {
    const rows =
      split === undefined ? this.all.iterate(datasetId) : this.bySplit.iterate(datasetId, split ?? NO_SPLIT);
    const qrels: Qrels = new Map();
    for (const r of rows) {
      let docs = qrels.get(r.query_id);
      if (!docs) {
        docs = new Map();
        qrels.set(r.query_id, docs);
      }
      docs.set(r.doc_id, r.rel);
    }
    return qrels;
  }

  splits(datasetId: number): string[] {
    return this.splitsStmt.all(datasetId);
  }

  summary(datasetId: number): QrelsSummary {
    const judgmentsPerLabel: Record<string, number> = {};
    let judgments = 0;
    let unjudgedEntries = 0;
    for (const { rel, n } of this.labels.all(datasetId)) {
      if (rel < 0) unjudgedEntries += n;
      else {
        judgmentsPerLabel[String(rel)] = n;
        judgments += n;
      }
    }
    const splits: QrelsSummary['splits'] = {};
    for (const s of this.perSplit.all(datasetId))
      splits[s.split] = { judgedQueries: s.judged, judgments: s.judgments };
    return {
      judgedQueries: this.judged.get(datasetId) ?? 0,
      judgments,
      judgmentsPerLabel,
      unjudgedEntries,
      splits,
    };
  }
}
