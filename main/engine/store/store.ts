import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WorkbenchError } from '../errors.ts';
import type { StoreContext } from './context.ts';
import { DatasetsRepository } from './datasets.ts';
import { DocumentsRepository } from './documents.ts';
import { MetricsRepository } from './metrics.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { QrelsRepository } from './qrels.ts';
import { QueriesRepository } from './queries.ts';
import { RunsRepository } from './runs.ts';

export const DATABASE_FILE = 'workbench.db';

export interface StoreOptions {
  /** Clock for created_at columns (tests pass a fixed one). */
  now?: () => Date;
  /** How long a write waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
}

/**
 * Applies the migrations newer than the database's `user_version`, each in its own transaction with its
 * version bump. A database written by a newer build (higher version than any migration here) is refused
 * rather than opened: its schema may mean things this code does not know.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new WorkbenchError(
      'UNAVAILABLE',
      `${db.name}: database schema version ${current} is newer than this workbench understands (${latest}). ` +
        'It was written by a newer Hypencoder Workbench: update the workbench, or use another data folder (--data)',
      { file: db.name, field: 'user_version' },
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}

/** SQLITE_BUSY after the busy timeout: another process holds the write lock (a long import, probably). */
function lockedError(err: unknown, path: string): unknown {
  if ((err as { code?: string }).code !== 'SQLITE_BUSY') return err;
  return new WorkbenchError(
    'CONFLICT',
    `${path}: another process is writing to this database (an import?). Wait for it to finish, then retry`,
    { file: path },
  );
}

/** The workbench database of one data folder, with its table modules. */
export class Store {
  readonly db: Database.Database;
  readonly path: string;
  readonly datasets: DatasetsRepository;
  readonly documents: DocumentsRepository;
  readonly queries: QueriesRepository;
  readonly qrels: QrelsRepository;
  readonly runs: RunsRepository;
  readonly metrics: MetricsRepository;
  private asyncWriter: string | undefined;

  constructor(
    readonly dataDir: string,
    options: StoreOptions = {},
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, DATABASE_FILE);
    this.db = new Database(this.path, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across crashes of the app, not of the OS
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('cache_size = -65536'); // 64 MiB page cache
      this.db.pragma('temp_store = MEMORY');
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    const clock = options.now ?? (() => new Date());
    const ctx: StoreContext = {
      db: this.db,
      now: () => clock().toISOString(),
      transaction: (fn) => this.transaction(fn),
    };
    this.documents = new DocumentsRepository(ctx);
    this.datasets = new DatasetsRepository(ctx, this.documents);
    this.queries = new QueriesRepository(ctx);
    this.qrels = new QrelsRepository(ctx);
    this.runs = new RunsRepository(ctx);
    this.metrics = new MetricsRepository(ctx);
    this.removeLeftovers();
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Runs `fn` in one (nestable) transaction. Refused while an async import holds the write transaction. */
  transaction<T>(fn: () => T): T {
    this.refuseWhileWriting();
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw lockedError(err, this.path);
    }
  }

  /**
   * Runs an async writer (an import that streams files) in ONE transaction: it commits when `fn` resolves
   * and rolls back when it throws or is cancelled, so no partial import is ever visible to other
   * connections, and a killed process leaves only uncommitted WAL frames that SQLite discards. Other
   * writes on this connection are refused meanwhile (they would silently join the import's transaction).
   */
  async writeAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.refuseWhileWriting();
    this.asyncWriter = what;
    try {
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw lockedError(err, this.path);
      }
      try {
        const result = await fn();
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.asyncWriter = undefined;
    }
  }

  /**
   * What holds this connection's async write transaction (an import), if anything: work that commits in
   * chunks of its own, such as a full-text index build, waits for it instead of being refused.
   */
  busyWith(): string | undefined {
    return this.asyncWriter;
  }

  /** `PRAGMA integrity_check` result lines; `['ok']` for a sound database. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private refuseWhileWriting(): void {
    if (this.asyncWriter !== undefined) {
      throw new WorkbenchError(
        'CONFLICT',
        `the database is busy with ${this.asyncWriter}; wait for it to finish or cancel it`,
      );
    }
  }

  private removeLeftovers(): void {
    const ids = this.datasets.leftoverImports();
    if (ids.length === 0) return;
    this.transaction(() => {
      for (const id of ids) this.datasets.deleteById(id);
    });
  }
}

/** Opens (creating if needed) the data folder's `workbench.db`, migrated to the current schema. */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  return new Store(dataDir, options);
}
