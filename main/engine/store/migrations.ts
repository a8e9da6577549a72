/**
 * Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied; each runs in
 * its own transaction together with the version bump, so a crash leaves the database at the previous
 * version, never half-migrated. Rule: a migration that has shipped is never edited — add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const m001Init = `
CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  format        TEXT NOT NULL CHECK (format IN ('beir', 'trec', 'msmarco', 'jsonl')),
  source_path   TEXT NOT NULL,
  -- sha256 over the bytes of the imported files, in import order (see datasets/README.md)
  content_hash  TEXT NOT NULL,
  has_corpus    INTEGER NOT NULL DEFAULT 0 CHECK (has_corpus IN (0, 1)),
  stats         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(stats)),
  -- 'importing' only ever exists inside an import's transaction; a committed one is a leftover
  status        TEXT NOT NULL CHECK (status IN ('importing', 'ready')),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE dataset_files (
  id           INTEGER PRIMARY KEY,
  dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  role         TEXT NOT NULL CHECK (role IN ('corpus', 'queries', 'qrels')),
  path         TEXT NOT NULL,
  split        TEXT,
  bytes        INTEGER NOT NULL,
  imported_at  TEXT NOT NULL
);
CREATE INDEX dataset_files_dataset ON dataset_files(dataset_id);

-- One row per passage. The full-text index is one FTS5 table per dataset (documents_fts_<id>, see
-- documents.ts): BM25's idf and average length are statistics of one collection, not of the whole store.
CREATE TABLE documents (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  doc_id      TEXT NOT NULL,
  title       TEXT NOT NULL DEFAULT '',
  text        TEXT NOT NULL,
  UNIQUE (dataset_id, doc_id)
);

-- A query id is unique within a dataset; the split (train/dev/test) is an attribute of the query.
CREATE TABLE queries (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  query_id    TEXT NOT NULL,
  split       TEXT,
  text        TEXT NOT NULL,
  UNIQUE (dataset_id, query_id)
);
CREATE INDEX queries_split ON queries(dataset_id, split);

-- Judgments as trec_eval reads them: a negative rel means unjudged. No foreign key to queries or
-- documents: qrels may name queries or passages the dataset lacks (unknown-qrels policy).
CREATE TABLE qrels (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  split       TEXT,
  query_id    TEXT NOT NULL,
  doc_id      TEXT NOT NULL,
  rel         INTEGER NOT NULL
);
CREATE UNIQUE INDEX qrels_judgment ON qrels(dataset_id, ifnull(split, ''), query_id, doc_id);

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  dataset_id   INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  tag          TEXT,
  format       TEXT,
  source       TEXT NOT NULL,
  config       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  environment  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(environment)),
  stats        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(stats)),
  status       TEXT NOT NULL CHECK (status IN ('running', 'ready', 'failed')),
  created_at   TEXT NOT NULL
);
CREATE INDEX runs_dataset ON runs(dataset_id);

-- One row per (run, query): the ranking packed as newline-joined docnos and little-endian float64 scores,
-- both in rank order (score desc, ties by docno desc as trec_eval). A 1M-line run is 1k rows, not 1M.
CREATE TABLE run_results (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  query_id    TEXT NOT NULL,
  query_text  TEXT,
  n           INTEGER NOT NULL,
  docnos      TEXT NOT NULL,
  scores      BLOB NOT NULL CHECK (length(scores) = 8 * n),
  UNIQUE (run_id, query_id)
);

-- query_id NULL = the aggregate over queries. settings is canonical JSON (sorted keys) so that equal
-- settings compare equal: relevance level, cutoff, averaging, depth, judged-only, qrels hash.
CREATE TABLE metrics (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  query_id    TEXT,
  measure     TEXT NOT NULL,
  value       REAL NOT NULL,
  settings    TEXT NOT NULL CHECK (json_valid(settings)),
  created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX metrics_value ON metrics(run_id, measure, settings, ifnull(query_id, ''));
`;

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: '001_init', sql: m001Init }];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
