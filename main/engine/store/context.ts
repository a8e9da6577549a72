import type Database from 'better-sqlite3';

/** What every table module gets from the store: the connection, a clock and the guarded transaction. */
export interface StoreContext {
  readonly db: Database.Database;
  /** ISO-8601 timestamp for created_at / updated_at columns. */
  now(): string;
  /** Runs `fn` in one transaction; refused while an import holds the connection's write transaction. */
  transaction<T>(fn: () => T): T;
}
