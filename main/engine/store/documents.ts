import type Database from 'better-sqlite3';
import { WorkbenchError } from '../errors.ts';
import type { StoreContext } from './context.ts';
import type { DocumentRecord, FullTextIndexRecord } from './types.ts';

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

interface FullTextIndexRow {
  status: FullTextIndexRecord['status'];
  documents: number;
  indexed: number;
  next_rowid: number;
  last_rowid: number;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

function toFullTextRecord(r: FullTextIndexRow): FullTextIndexRecord {
  return {
    status: r.status,
    documents: r.documents,
    indexed: r.indexed,
    nextRowid: r.next_rowid,
    lastRowid: r.last_rowid,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

/**
 * Passages of all datasets. Each dataset gets its own external-content FTS5 table over a view of its
 * rows, so BM25 later sees that collection's own document frequencies and lengths; dropping the dataset
 * drops the index in the same transaction, so the index can never outlive or disagree with its passages.
 * The index is built after the import, in chunks that each commit with the `fulltext_indexes` row that
 * says how far it got; only a `built` index is ever searched.
 */
export class DocumentsRepository {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly hasStmt;
  private readonly countStmt;
  private readonly iterateStmt;
  private readonly passageRange;
  private readonly ftsTables;
  private readonly ftsState;
  private readonly ftsStart;
  private readonly ftsAdvance;
  private readonly ftsForget;
  private readonly datasetName;
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
    this.passageRange = db.prepare<[number], { n: number; lo: number | null; hi: number | null }>(
      'SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM documents WHERE dataset_id = ?',
    );
    this.ftsTables = db
      .prepare<
        [],
        string
      >(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'documents_fts_[0-9]*'
         AND sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`)
      .pluck();
    this.ftsState = db.prepare<[number], FullTextIndexRow>(
      `SELECT status, documents, indexed, next_rowid, last_rowid, started_at, updated_at, finished_at
       FROM fulltext_indexes WHERE dataset_id = ?`,
    );
    this.ftsStart = db.prepare<
      [{ datasetId: number; documents: number; first: number; last: number; now: string }]
    >(
      `INSERT INTO fulltext_indexes (dataset_id, status, documents, indexed, next_rowid, last_rowid, started_at, updated_at)
       VALUES (@datasetId, 'building', @documents, 0, @first, @last, @now, @now)`,
    );
    this.ftsAdvance = db.prepare<[{ datasetId: number; added: number; next: number; now: string }]>(
      `UPDATE fulltext_indexes SET indexed = indexed + @added, next_rowid = @next, updated_at = @now,
         status = CASE WHEN @next > last_rowid THEN 'built' ELSE status END,
         finished_at = CASE WHEN @next > last_rowid THEN @now ELSE NULL END
       WHERE dataset_id = @datasetId AND status = 'building'`,
    );
    this.ftsForget = db.prepare<[number]>('DELETE FROM fulltext_indexes WHERE dataset_id = ?');
    this.datasetName = db.prepare<[number], string>('SELECT name FROM datasets WHERE id = ?').pluck();
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

  /** The state of the dataset's full-text index; undefined when none was ever started. */
  fullTextIndex(datasetId: number): FullTextIndexRecord | undefined {
    const row = this.ftsState.get(datasetId);
    return row ? toFullTextRecord(row) : undefined;
  }

  /** Names of all passage indexes present, for consistency checks. */
  fullTextTables(): string[] {
    return this.ftsTables.all();
  }

  /**
   * Starts the dataset's full-text index: an empty FTS5 table (replacing any earlier one) and its state row
   * `building` over the passages there are now. One transaction; null when the dataset has no passages.
   */
  startFullTextIndex(datasetId: number): FullTextIndexRecord | null {
    return this.ctx.transaction(() => {
      const range = this.passageRange.get(datasetId);
      if (!range || range.n === 0 || range.lo === null || range.hi === null) return null;
      this.createFullTextTable(datasetId);
      this.ftsStart.run({
        datasetId,
        documents: range.n,
        first: range.lo,
        last: range.hi,
        now: this.ctx.now(),
      });
      return this.fullTextIndex(datasetId)!;
    });
  }

  /**
   * Indexes the next passages of a `building` index — row ids from `nextRowid`, at most `maxRows` of them —
   * and records how far it got, in one transaction; the last chunk marks it `built`. Chunks go in
   * ascending row id order: FTS5 appends ascending rowids to its doclists, while an out-of-order one forces
   * a segment flush (3-4x slower overall). Returns the state after the chunk (unchanged when not building).
   */
  indexFullTextChunk(datasetId: number, maxRows: number): FullTextIndexRecord | undefined {
    return this.ctx.transaction(() => {
      const state = this.fullTextIndex(datasetId);
      if (state?.status !== 'building') return state;
      const to = Math.min(state.lastRowid, state.nextRowid + Math.max(1, maxRows) - 1);
      const added = this.indexFullText(datasetId, state.nextRowid, to);
      if (to === state.lastRowid && state.indexed + added !== state.documents) {
        // Passages are only ever added by an import, before its index starts: this is a damaged database.
        throw new WorkbenchError(
          'INTERNAL',
          `the full-text index of dataset #${datasetId} found ${state.indexed + added} passages where ${state.documents} were counted; rebuild it`,
        );
      }
      this.ftsAdvance.run({ datasetId, added, next: to + 1, now: this.ctx.now() });
      return this.fullTextIndex(datasetId);
    });
  }

  /** Creates and fills the index in one transaction (tests and small corpora; imports build it in chunks). */
  buildFullTextIndex(datasetId: number): FullTextIndexRecord | undefined {
    return this.ctx.transaction(() => {
      if (!this.startFullTextIndex(datasetId)) return undefined;
      return this.indexFullTextChunk(datasetId, Number.MAX_SAFE_INTEGER);
    });
  }

  /** Drops the dataset's index and its state row. Inside the caller's transaction. */
  dropFullTextIndex(datasetId: number): void {
    this.searchStmts.delete(datasetId);
    this.ftsForget.run(datasetId);
    this.ctx.db.exec(`DROP TABLE IF EXISTS ${fullTextTableName(datasetId)}`);
    this.ctx.db.exec(`DROP VIEW IF EXISTS ${contentViewName(datasetId)}`);
  }

  private createFullTextTable(datasetId: number): void {
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

  /**
   * Indexes the dataset's passages with row ids in [from, to]. The `+` keeps the planner on the rowid range:
   * through the (dataset_id, doc_id) index it would sort the whole dataset in a temporary b-tree first.
   */
  private indexFullText(datasetId: number, from: number, to: number): number {
    const fts = fullTextTableName(datasetId);
    return this.ctx.db
      .prepare(
        `INSERT INTO ${fts} (rowid, title, text)
         SELECT id, title, text FROM documents WHERE id BETWEEN ? AND ? AND +dataset_id = ? ORDER BY id`,
      )
      .run(from, to, datasetId).changes;
  }

  /** Refuses a search of an index that is missing or not complete: its statistics would be wrong. */
  private requireBuilt(datasetId: number): void {
    const state = this.ftsState.get(datasetId);
    if (state?.status === 'built') return;
    const name = this.datasetName.get(datasetId) ?? `#${datasetId}`;
    const what = state
      ? `is incomplete (${state.indexed.toLocaleString('en-US')} of ${state.documents.toLocaleString('en-US')} passages indexed)`
      : 'is not built';
    throw new WorkbenchError(
      'UNAVAILABLE',
      `the full-text index of dataset "${name}" ${what}; build it with \`workbench datasets index ${name}\``,
      { field: 'dataset', name },
    );
  }

  /**
   * Best passages for an FTS5 query by FTS5's bm25() (k1 = 1.2, b = 0.75) over this dataset only.
   * `match` is FTS5 query syntax; quote user text as a phrase or join terms with OR.
   */
  searchFullText(datasetId: number, match: string, limit: number): FullTextHit[] {
    this.requireBuilt(datasetId);
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
