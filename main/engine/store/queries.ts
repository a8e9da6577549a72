import type { StoreContext } from './context.ts';
import type { QueryRecord } from './types.ts';

export class QueriesRepository {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listAll;
  private readonly listSplit;
  private readonly idsStmt;
  private readonly countStmt;
  private readonly splitFromQrels;
  private readonly bySplitCount;

  constructor(ctx: StoreContext) {
    const db = ctx.db;
    this.insertStmt = db.prepare<[number, string, string | null, string]>(
      'INSERT INTO queries (dataset_id, query_id, split, text) VALUES (?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<[number, string], QueryRecord>(
      'SELECT query_id AS queryId, split, text FROM queries WHERE dataset_id = ? AND query_id = ?',
    );
    this.listAll = db.prepare<[number], QueryRecord>(
      'SELECT query_id AS queryId, split, text FROM queries WHERE dataset_id = ? ORDER BY id',
    );
    this.listSplit = db.prepare<[number, string], QueryRecord>(
      'SELECT query_id AS queryId, split, text FROM queries WHERE dataset_id = ? AND split = ? ORDER BY id',
    );
    this.idsStmt = db.prepare<[number], string>('SELECT query_id FROM queries WHERE dataset_id = ?').pluck();
    this.countStmt = db
      .prepare<[number], number>('SELECT count(*) FROM queries WHERE dataset_id = ?')
      .pluck();
    this.bySplitCount = db.prepare<[number], { split: string; n: number }>(
      "SELECT ifnull(split, '') AS split, count(*) AS n FROM queries WHERE dataset_id = ? GROUP BY 1 ORDER BY 1",
    );
    // BEIR keeps the queries of all splits in one queries.jsonl; the split is known from the qrels file
    // that judges the query. Only an unambiguous split (exactly one) is written.
    // One grouped pass over the dataset's qrels, then a keyed update: a correlated subquery per query would
    // scan the qrels once per query (no index starts with the query id), minutes on a 23k-query import.
    this.splitFromQrels = db.prepare<[number, number]>(
      `WITH judged AS (
         SELECT query_id, min(split) AS split FROM qrels
         WHERE dataset_id = ? AND split IS NOT NULL
         GROUP BY query_id HAVING count(DISTINCT split) = 1)
       UPDATE queries SET split = judged.split FROM judged
       WHERE queries.dataset_id = ? AND queries.split IS NULL AND queries.query_id = judged.query_id`,
    );
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the dataset already holds the query id. */
  insert(datasetId: number, queryId: string, split: string | null, text: string): void {
    this.insertStmt.run(datasetId, queryId, split, text);
  }

  get(datasetId: number, queryId: string): QueryRecord | undefined {
    return this.getStmt.get(datasetId, queryId);
  }

  list(datasetId: number, split?: string): QueryRecord[] {
    return split === undefined ? this.listAll.all(datasetId) : this.listSplit.all(datasetId, split);
  }

  ids(datasetId: number): Set<string> {
    return new Set(this.idsStmt.all(datasetId));
  }

  count(datasetId: number): number {
    return this.countStmt.get(datasetId) ?? 0;
  }

  /** Query counts per split ('' for queries without one). */
  countBySplit(datasetId: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.bySplitCount.all(datasetId)) out[r.split] = r.n;
    return out;
  }

  /** Gives queries without a split the split of the qrels that judge them, when that is one split. */
  assignSplitsFromQrels(datasetId: number): number {
    return this.splitFromQrels.run(datasetId, datasetId).changes;
  }
}
