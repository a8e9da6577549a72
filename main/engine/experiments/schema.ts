import type Database from 'better-sqlite3';
import type { Migration } from '../store/index.ts';

/**
 * Tables of experiments, their jobs and latency measurements — a proposal for the store's next numbered
 * migration. Written with IF NOT EXISTS so that the repository can create them on a database migrated
 * without them, and the same SQL can become the migration unchanged.
 *
 * - An experiment is a validated config (defaults filled in) and the jobs it expanded into. Its name is
 *   unique: `experiments resume NAME` finds it.
 * - A job is one run to make: (dataset, grid point of a system, query set). `key` is the sha256 of what
 *   decides the run, `run_id` links the run once the job succeeded. A job whose run was deleted
 *   (`run_id` NULL again) is redone by a resume. `inputs` holds the input hashes (dataset, qrels, queries,
 *   model files, embeddings and graph artifacts) and `environment` the machine it ran on.
 * - A latency profile is one (run, batch size, threads, provider) measurement with its settings (warm-up,
 *   repetitions, queries) and summary (percentiles, QPS, memory peak); its raw samples are one row per
 *   stage, packed as little-endian float64 milliseconds in timing order.
 */
export const EXPERIMENTS_SQL = `
CREATE TABLE IF NOT EXISTS experiments (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  -- the config as validated, defaults filled in; canonical JSON
  config       TEXT NOT NULL CHECK (json_valid(config)),
  config_hash  TEXT NOT NULL,
  source_path  TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running', 'interrupted', 'failed', 'succeeded')),
  environment  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(environment)),
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  finished_at  TEXT
);

CREATE TABLE IF NOT EXISTS experiment_jobs (
  id             INTEGER PRIMARY KEY,
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  position       INTEGER NOT NULL,
  key            TEXT NOT NULL,
  run_name       TEXT NOT NULL,
  dataset        TEXT NOT NULL,
  system         TEXT NOT NULL,
  point          TEXT NOT NULL,
  -- NULL: the dataset's own queries; else the name of a query-variation set
  query_set      TEXT,
  params         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  status         TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
  run_id         INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  inputs         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(inputs)),
  environment    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(environment)),
  attempts       INTEGER NOT NULL DEFAULT 0,
  error          TEXT,
  started_at     TEXT,
  finished_at    TEXT,
  UNIQUE (experiment_id, position),
  UNIQUE (experiment_id, key)
);
CREATE INDEX IF NOT EXISTS experiment_jobs_run ON experiment_jobs(run_id);

CREATE TABLE IF NOT EXISTS latency_profiles (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  batch_size  INTEGER NOT NULL,
  threads     INTEGER NOT NULL,
  provider    TEXT NOT NULL,
  -- warm-up, repetitions, queries, unit of the samples ('query' or 'batch'), what each stage covers
  settings    TEXT NOT NULL CHECK (json_valid(settings)),
  -- per stage p50/p95/p99/mean, QPS, memory peak
  summary     TEXT NOT NULL CHECK (json_valid(summary)),
  created_at  TEXT NOT NULL,
  UNIQUE (run_id, batch_size, threads, provider)
);

CREATE TABLE IF NOT EXISTS latency_samples (
  id          INTEGER PRIMARY KEY,
  profile_id  INTEGER NOT NULL REFERENCES latency_profiles(id) ON DELETE CASCADE,
  stage       TEXT NOT NULL CHECK (stage IN ('tokenize', 'encode', 'search', 'total')),
  n           INTEGER NOT NULL,
  samples     BLOB NOT NULL CHECK (length(samples) = 8 * n),
  UNIQUE (profile_id, stage)
);
`;

/** The tables as the store's migration number `version` (the lead folds it into migrations.ts). */
export function experimentsMigration(version: number): Migration {
  return { version, name: `${String(version).padStart(3, '0')}_experiments`, sql: EXPERIMENTS_SQL };
}

/** Creates the tables where they are missing; a no-op on a database that has them. */
export function ensureExperimentTables(db: Database.Database): void {
  db.exec(EXPERIMENTS_SQL);
}
