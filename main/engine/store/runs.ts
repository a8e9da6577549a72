import { endianness } from 'node:os';
import { WorkbenchError } from '../errors.ts';
import type { StoreContext } from './context.ts';
import { parseJsonObject } from './json.ts';
import type { JsonObject, Ranking, RunRecord, RunStatus } from './types.ts';

interface RunRow {
  id: number;
  name: string;
  dataset_id: number | null;
  dataset_name: string | null;
  tag: string | null;
  format: string | null;
  source: string;
  config: string;
  environment: string;
  stats: string;
  status: RunStatus;
  created_at: string;
}

interface ResultRow {
  query_id: string;
  query_text: string | null;
  n: number;
  docnos: string;
  scores: Buffer;
}

export interface NewRun {
  name: string;
  datasetId: number | null;
  tag: string | null;
  format: string | null;
  source: string;
  config?: JsonObject;
  environment?: JsonObject;
}

export interface QueryResult extends Ranking {
  queryId: string;
  queryText: string | null;
}

const SELECT_RUN = `SELECT r.*, d.name AS dataset_name FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id`;

// Scores are stored as the machine's float64 bytes; every platform Node ships on is little-endian.
if (endianness() !== 'LE') throw new Error('the run store assumes a little-endian machine');

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    tag: row.tag,
    format: row.format,
    source: row.source,
    config: parseJsonObject(row.config),
    environment: parseJsonObject(row.environment),
    stats: parseJsonObject(row.stats),
    status: row.status,
    createdAt: row.created_at,
  };
}

function unpackScores(blob: Buffer): Float64Array {
  // SQLite hands out unaligned buffers; copy into an aligned one.
  const out = new Float64Array(blob.byteLength / 8);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

function unpackDocnos(text: string, n: number): string[] {
  return n === 0 ? [] : text.split('\n');
}

/** Runs and their per-query rankings (one row per run and query, see migrations.ts). */
export class RunsRepository {
  private readonly insertStmt;
  private readonly resultStmt;
  private readonly finishStmt;
  private readonly byName;
  private readonly byId;
  private readonly all;
  private readonly deleteStmt;
  private readonly results;
  private readonly resultCount;

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.insertStmt = db.prepare(
      `INSERT INTO runs (name, dataset_id, tag, format, source, config, environment, stats, status, created_at)
       VALUES (@name, @datasetId, @tag, @format, @source, @config, @environment, '{}', 'running', @now)`,
    );
    this.resultStmt = db.prepare<[number, string, string | null, number, string, Buffer]>(
      'INSERT INTO run_results (run_id, query_id, query_text, n, docnos, scores) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.finishStmt = db.prepare<[RunStatus, string, number]>(
      'UPDATE runs SET status = ?, stats = ? WHERE id = ?',
    );
    this.byName = db.prepare<[string], RunRow>(`${SELECT_RUN} WHERE r.name = ?`);
    this.byId = db.prepare<[number], RunRow>(`${SELECT_RUN} WHERE r.id = ?`);
    this.all = db.prepare<[], RunRow>(`${SELECT_RUN} ORDER BY r.id`);
    this.deleteStmt = db.prepare<[number]>('DELETE FROM runs WHERE id = ?');
    this.results = db.prepare<[number], ResultRow>(
      'SELECT query_id, query_text, n, docnos, scores FROM run_results WHERE run_id = ? ORDER BY id',
    );
    this.resultCount = db
      .prepare<[number], number>('SELECT count(*) FROM run_results WHERE run_id = ?')
      .pluck();
  }

  create(run: NewRun): number {
    const r = this.insertStmt.run({
      name: run.name,
      datasetId: run.datasetId,
      tag: run.tag,
      format: run.format,
      source: run.source,
      config: JSON.stringify(run.config ?? {}),
      environment: JSON.stringify(run.environment ?? {}),
      now: this.ctx.now(),
    });
    return Number(r.lastInsertRowid);
  }

  /** Stores one query's ranking; docnos and scores must already be in rank order. */
  addRanking(runId: number, queryId: string, queryText: string | null, ranking: Ranking): void {
    const { docnos, scores } = ranking;
    if (docnos.length !== scores.length) throw new Error('docnos and scores differ in length');
    for (const d of docnos) {
      if (d.includes('\n')) throw new Error(`docno ${JSON.stringify(d)} contains a newline`);
    }
    const blob = Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength);
    this.resultStmt.run(runId, queryId, queryText, docnos.length, docnos.join('\n'), blob);
  }

  finish(runId: number, status: RunStatus, stats: JsonObject): void {
    this.finishStmt.run(status, JSON.stringify(stats), runId);
  }

  get(name: string): RunRecord | undefined {
    const row = this.byName.get(name);
    return row ? toRecord(row) : undefined;
  }

  getById(id: number): RunRecord | undefined {
    const row = this.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  require(name: string): RunRecord {
    const run = this.get(name);
    if (run) return run;
    throw new WorkbenchError('NOT_FOUND', `no run named "${name}". List runs with \`runs list\``, {
      field: 'run',
      name,
    });
  }

  list(): RunRecord[] {
    return this.all.all().map(toRecord);
  }

  delete(name: string): boolean {
    const run = this.byName.get(name);
    if (!run) return false;
    this.ctx.transaction(() => this.deleteStmt.run(run.id));
    return true;
  }

  queryCount(runId: number): number {
    return this.resultCount.get(runId) ?? 0;
  }

  /** Per-query rankings in stored query order; scores are the original doubles. */
  getRankings(runId: number): Map<string, Ranking> {
    const out = new Map<string, Ranking>();
    for (const r of this.results.iterate(runId)) {
      out.set(r.query_id, { docnos: unpackDocnos(r.docnos, r.n), scores: unpackScores(r.scores) });
    }
    return out;
  }

  /** Streams the rankings one query at a time, with the query text when the run carried one. */
  *iterateResults(runId: number): IterableIterator<QueryResult> {
    for (const r of this.results.iterate(runId)) {
      yield {
        queryId: r.query_id,
        queryText: r.query_text,
        docnos: unpackDocnos(r.docnos, r.n),
        scores: unpackScores(r.scores),
      };
    }
  }
}
