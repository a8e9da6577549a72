import type Database from 'better-sqlite3';
import type { Migration } from '../store/index.ts';

/**
 * Tables of the query-variation sets — a proposal for the store's next numbered migration. Written with
 * IF NOT EXISTS so that the repository can create them on a database migrated without them, and the
 * same SQL can become the migration unchanged.
 *
 * A set belongs to one dataset and holds one row per query it covers. Generated sets carry their seed
 * and parameters and are unique per (dataset, family, variant, seed, params, split, generator version):
 * asking again for the same spec returns the stored set, so a re-run uses the very same texts.
 * Imported sets have no seed; `source` is the file they came from.
 */
export const QUERY_VARIATIONS_SQL = `
CREATE TABLE IF NOT EXISTS query_variation_sets (
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
CREATE INDEX IF NOT EXISTS query_variation_sets_dataset ON query_variation_sets(dataset_id);
CREATE UNIQUE INDEX IF NOT EXISTS query_variation_sets_spec
  ON query_variation_sets(dataset_id, family, variant, seed, params, ifnull(split, ''), generator_version)
  WHERE source = 'generated';

-- One row per query of a set, in the order of the dataset's queries (id). No foreign key to queries:
-- a query's text lives there; deleting the dataset deletes its sets and, by cascade, these rows.
CREATE TABLE IF NOT EXISTS query_variations (
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

/** The tables as the store's migration number `version` (the lead folds it into migrations.ts). */
export function queryVariationsMigration(version: number): Migration {
  return { version, name: `${String(version).padStart(3, '0')}_query_variations`, sql: QUERY_VARIATIONS_SQL };
}

/** Creates the tables where they are missing; a no-op on a database that has them. */
export function ensureQueryVariationTables(db: Database.Database): void {
  db.exec(QUERY_VARIATIONS_SQL);
}
