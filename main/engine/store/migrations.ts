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

// Query-variation sets (attacks/README.md). A set belongs to one dataset and holds one row per query it
// covers; a generated set carries its seed and parameters and is unique per generation spec, so asking again
// for the same spec returns the stored set and a re-run uses the very same texts.
const m002QueryVariations = `
CREATE TABLE query_variation_sets (
  id                 INTEGER PRIMARY KEY,
  dataset_id         INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  name               TEXT NOT NULL UNIQUE,
  family             TEXT NOT NULL CHECK (family IN ('misspelling', 'naturality', 'ordering', 'synonym', 'paraphrase')),
  -- generated: one of the family's variants (attacks/README.md); imported: the generator named in the file
  variant            TEXT NOT NULL,
  seed               INTEGER,
  -- generator parameters, canonical JSON (sorted keys) so that equal parameters compare equal
  params             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  -- the query split the set was generated from; NULL = all queries of the dataset
  split              TEXT,
  -- 'generated', or 'imported' with the file in source_path
  source             TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
  source_path        TEXT,
  generator_version  INTEGER,
  -- counts: queries, changed, noCandidate
  summary            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(summary)),
  created_at         TEXT NOT NULL,
  CHECK ((source = 'generated') = (seed IS NOT NULL AND generator_version IS NOT NULL))
);
CREATE INDEX query_variation_sets_dataset ON query_variation_sets(dataset_id);
CREATE UNIQUE INDEX query_variation_sets_spec
  ON query_variation_sets(dataset_id, family, variant, seed, params, ifnull(split, ''), generator_version)
  WHERE source = 'generated';

-- One row per query of a set, in the order of the dataset's queries (id). No foreign key to queries:
-- a query's text lives there; deleting the dataset deletes its sets and, by cascade, these rows.
CREATE TABLE query_variations (
  id        INTEGER PRIMARY KEY,
  set_id    INTEGER NOT NULL REFERENCES query_variation_sets(id) ON DELETE CASCADE,
  query_id  TEXT NOT NULL,
  text      TEXT NOT NULL,
  changed   INTEGER NOT NULL CHECK (changed IN (0, 1)),
  -- the edit made ('qwerty "pelvic" → "pslvic"'), or why the query is unchanged
  edit      TEXT NOT NULL DEFAULT '',
  UNIQUE (set_id, query_id)
);
`;

// Experiments, their jobs and latency profiles (experiments/README.md). A job is one run to make: (dataset,
// grid point of a system, query set); `key` is the sha256 of what decides the run and `run_id` links the run
// once the job succeeded (NULL again when that run is deleted, so a resume redoes it). A latency profile is one
// (run, batch size, threads, provider) measurement; raw samples are packed little-endian float64 milliseconds.
const m003Experiments = `
CREATE TABLE experiments (
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

CREATE TABLE experiment_jobs (
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
CREATE INDEX experiment_jobs_run ON experiment_jobs(run_id);

CREATE TABLE latency_profiles (
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

CREATE TABLE latency_samples (
  id          INTEGER PRIMARY KEY,
  profile_id  INTEGER NOT NULL REFERENCES latency_profiles(id) ON DELETE CASCADE,
  stage       TEXT NOT NULL CHECK (stage IN ('tokenize', 'encode', 'search', 'total')),
  n           INTEGER NOT NULL,
  samples     BLOB NOT NULL CHECK (length(samples) = 8 * n),
  UNIQUE (profile_id, stage)
);
`;

// The state of each dataset's full-text index (documents_fts_<id>, documents.ts). The index is built after
// the import has committed, in chunks of passages by ascending row id, each chunk committed together with
// this row: the row always says what the FTS5 table holds. No row: not built. 'building': the passages with
// row id < next_rowid are indexed (`indexed` of `documents`) and BM25 must not use it; a build resumes at
// next_rowid. 'built': every passage is in it. Indexes built before this migration were built inside the
// import's transaction (or `datasets index`'s), all or nothing, so an existing FTS5 table is a built one.
const m004FullTextIndexes = `
CREATE TABLE fulltext_indexes (
  dataset_id   INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  status       TEXT NOT NULL CHECK (status IN ('building', 'built')),
  -- the dataset's passages when the build started, and how many of them the index holds
  documents    INTEGER NOT NULL CHECK (documents > 0),
  indexed      INTEGER NOT NULL CHECK (indexed BETWEEN 0 AND documents),
  -- the build indexes row ids next_rowid..last_rowid of the dataset's passages, in ascending order
  next_rowid   INTEGER NOT NULL,
  last_rowid   INTEGER NOT NULL,
  started_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  finished_at  TEXT,
  CHECK ((status = 'built') = (indexed = documents AND next_rowid > last_rowid AND finished_at IS NOT NULL))
);

INSERT INTO fulltext_indexes
  (dataset_id, status, documents, indexed, next_rowid, last_rowid, started_at, updated_at, finished_at)
SELECT d.id, 'built', p.n, p.n, p.hi + 1, p.hi, d.updated_at, d.updated_at, d.updated_at
FROM datasets d
JOIN (SELECT dataset_id, count(*) AS n, max(id) AS hi FROM documents GROUP BY dataset_id) p ON p.dataset_id = d.id
WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts_' || d.id);
`;

// A dataset card (DATASET_CARD.md or README.md at the root of an imported folder): Markdown the app shows
// with the dataset. Kept in the store so it outlives the source folder; deleted with the dataset.
const m005DatasetCards = `
CREATE TABLE dataset_cards (
  dataset_id  INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  file        TEXT NOT NULL,
  text        TEXT NOT NULL,
  sha256      TEXT NOT NULL
);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_init', sql: m001Init },
  { version: 2, name: '002_query_variations', sql: m002QueryVariations },
  { version: 3, name: '003_experiments', sql: m003Experiments },
  { version: 4, name: '004_fulltext_indexes', sql: m004FullTextIndexes },
  { version: 5, name: '005_dataset_cards', sql: m005DatasetCards },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
