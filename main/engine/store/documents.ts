import type Database from 'better-sqlite3';
import type { StoreContext } from './context.ts';
import type { DocumentRecord } from './types.ts';

/** FTS5 tokenizer of every passage index: Porter stemming over Unicode word splitting. */
export const FTS_TOKENIZE = 'porter unicode61';

/**
 * FTS5 keeps pending terms in memory up to this size before writing a segment. The default (1 MB) makes a
 * 200k-passage index write hundreds of small segments and merge them; 64 MB builds it ~30 % faster.
 */
const FTS_HASH_BYTES = 64 * 1024 * 1024;

function checkId(datasetId: number): number {
  if (!Number.isSafeInteger(datasetId) || datasetId <= 0) throw new Error(`bad dataset id ${datasetId}`);
  return datasetId;
}

export function fullTextTableName(datasetId: number): string {
  return `documents_fts_${checkId(datasetId)}`;
}

function contentViewName(datasetId: number): string {
  return `documents_view_${checkId(datasetId)}`;
}

export interface FullTextHit {
  docId: string;
  /** FTS5 bm25() sign-flipped so that larger is better. */
  score: number;
}

/**
 * Passages of all datasets. Each dataset gets its own external-content FTS5 table over a view of its
 * rows, so BM25 later sees that collection's own document frequencies and lengths; dropping the dataset
 * drops the index in the same transaction, so the index can never outlive or disagree with its passages.
 */
export class DocumentsRepository {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly hasStmt;
  private readonly countStmt;
  private readonly iterateStmt;
  private readonly idRange;
  private readonly ftsTables;
  private readonly searchStmts = new Map<
    number,
    Database.Statement<[string, number], { doc_id: string; score: number }>
  >();

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.insertStmt = db.prepare<[number, string, string, string]>(
      'INSERT INTO documents (dataset_id, doc_id, title, text) VALUES (?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<[number, string], DocumentRecord>(
      'SELECT doc_id AS docId, title, text FROM documents WHERE dataset_id = ? AND doc_id = ?',
    );
    this.hasStmt = db
      .prepare<[number, string], number>('SELECT 1 FROM documents WHERE dataset_id = ? AND doc_id = ?')
      .pluck();
    this.countStmt = db
      .prepare<[number], number>('SELECT count(*) FROM documents WHERE dataset_id = ?')
      .pluck();
    this.iterateStmt = db.prepare<[number], DocumentRecord>(
      'SELECT doc_id AS docId, title, text FROM documents WHERE dataset_id = ? ORDER BY id',
    );
    this.idRange = db.prepare<[number], { lo: number | null; hi: number | null }>(
      'SELECT min(id) AS lo, max(id) AS hi FROM documents WHERE dataset_id = ?',
    );
    this.ftsTables = db
      .prepare<
        [],
        string
      >(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'documents_fts_[0-9]*'
         AND sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`)
      .pluck();
  }

  /** Hot path of the import: one prepared statement, no objects. Throws SQLITE_CONSTRAINT_UNIQUE on a duplicate id. */
  insert(datasetId: number, docId: string, title: string, text: string): void {
    this.insertStmt.run(datasetId, docId, title, text);
  }

  get(datasetId: number, docId: string): DocumentRecord | undefined {
    return this.getStmt.get(datasetId, docId);
  }

  has(datasetId: number, docId: string): boolean {
    return this.hasStmt.get(datasetId, docId) !== undefined;
  }

  count(datasetId: number): number {
    return this.countStmt.get(datasetId) ?? 0;
  }

  /** Passages in import order, streamed (never the whole corpus in memory). */
  iterate(datasetId: number): IterableIterator<DocumentRecord> {
    return this.iterateStmt.iterate(datasetId);
  }

  fullTextTable(datasetId: number): string | undefined {
    const name = fullTextTableName(datasetId);
    return this.ftsTables.all().includes(name) ? name : undefined;
  }

  /** Names of all passage indexes present, for consistency checks. */
  fullTextTables(): string[] {
    return this.ftsTables.all();
  }

  /** Creates the dataset's (empty) FTS5 index, replacing any earlier one. Inside the caller's transaction. */
  createFullTextIndex(datasetId: number): void {
    this.dropFullTextIndex(datasetId);
    const fts = fullTextTableName(datasetId);
    const view = contentViewName(datasetId);
    const db = this.ctx.db;
    db.exec(`CREATE VIEW ${view} AS SELECT id, title, text FROM documents WHERE dataset_id = ${datasetId}`);
    // Two columns, so that title and text can be weighted apart (bm25(fts, wTitle, wText)). With equal
    // weights FTS5's bm25() sums term frequencies over the columns and takes the row's total length: BM25
    // over title + text as one passage, as Pyserini's BEIR "flat" index does.
    db.exec(
      `CREATE VIRTUAL TABLE ${fts} USING fts5(title, text, content='${view}', content_rowid='id', tokenize='${FTS_TOKENIZE}')`,
    );
    // a literal: FTS5 rejects this special insert with a bound parameter
    db.exec(`INSERT INTO ${fts} (${fts}, rank) VALUES ('hashsize', ${FTS_HASH_BYTES})`);
  }

  /** Smallest and largest row id of the dataset's passages (they are contiguous within one import). */
  rowidRange(datasetId: number): { lo: number; hi: number } | null {
    const r = this.idRange.get(datasetId);
    return r && r.lo !== null && r.hi !== null ? { lo: r.lo, hi: r.hi } : null;
  }

  /**
   * Indexes the dataset's passages with row ids in [from, to]. Call with ascending, non-overlapping
   * ranges: FTS5 appends ascending rowids to its pending doclists, while an out-of-order rowid forces a
   * segment flush (3-4x slower overall). The `+` keeps the planner on the rowid range: through the
   * (dataset_id, doc_id) index it would sort the whole dataset in a temporary b-tree first.
   */
  indexFullText(datasetId: number, from: number, to: number): number {
    const fts = fullTextTableName(datasetId);
    return this.ctx.db
      .prepare(
        `INSERT INTO ${fts} (rowid, title, text)
         SELECT id, title, text FROM documents WHERE id BETWEEN ? AND ? AND +dataset_id = ? ORDER BY id`,
      )
      .run(from, to, datasetId).changes;
  }

  /** Creates and fills the index in one go (the import does the same in slices, to stay cancellable). */
  buildFullTextIndex(datasetId: number): void {
    this.createFullTextIndex(datasetId);
    const range = this.rowidRange(datasetId);
    if (range) this.indexFullText(datasetId, range.lo, range.hi);
  }

  dropFullTextIndex(datasetId: number): void {
    this.searchStmts.delete(datasetId);
    this.ctx.db.exec(`DROP TABLE IF EXISTS ${fullTextTableName(datasetId)}`);
    this.ctx.db.exec(`DROP VIEW IF EXISTS ${contentViewName(datasetId)}`);
  }

  /**
   * Best passages for an FTS5 query by FTS5's bm25() (k1 = 1.2, b = 0.75) over this dataset only.
   * `match` is FTS5 query syntax; quote user text as a phrase or join terms with OR.
   */
  searchFullText(datasetId: number, match: string, limit: number): FullTextHit[] {
    let stmt = this.searchStmts.get(datasetId);
    if (!stmt) {
      const fts = fullTextTableName(datasetId);
      stmt = this.ctx.db.prepare<[string, number], { doc_id: string; score: number }>(
        `SELECT d.doc_id, -bm25(${fts}) AS score FROM ${fts} JOIN documents d ON d.id = ${fts}.rowid
         WHERE ${fts} MATCH ? ORDER BY bm25(${fts}) LIMIT ?`,
      );
      this.searchStmts.set(datasetId, stmt);
    }
    return stmt.all(match, limit).map((r) => ({ docId: r.doc_id, score: r.score }));
  }
}
