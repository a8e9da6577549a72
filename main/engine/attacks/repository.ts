import type Database from 'better-sqlite3';
import { WorkbenchError } from '../errors.ts';
import { canonicalJson } from '../store/index.ts';
import type {
  AttackFamily,
  AttackParams,
  AttackSpec,
  QueryVariation,
  QueryVariationView,
  VariationSummary,
} from './types.ts';

export type VariationSetSource = 'generated' | 'imported';

export interface VariationSetRecord {
  id: number;
  datasetId: number;
  datasetName: string;
  name: string;
  family: AttackFamily;
  variant: string;
  /** null for imported sets. */
  seed: number | null;
  params: AttackParams;
  split: string | null;
  source: VariationSetSource;
  sourcePath: string | null;
  generatorVersion: number | null;
  summary: VariationSummary;
  createdAt: string;
}

export interface NewVariationSet {
  datasetId: number;
  name: string;
  family: AttackFamily;
  variant: string;
  seed: number | null;
  params: AttackParams;
  split: string | null;
  source: VariationSetSource;
  sourcePath: string | null;
  generatorVersion: number | null;
  summary: VariationSummary;
}

interface SetRow {
  id: number;
  dataset_id: number;
  dataset_name: string;
  name: string;
  family: AttackFamily;
  variant: string;
  seed: number | null;
  params: string;
  split: string | null;
  source: VariationSetSource;
  source_path: string | null;
  generator_version: number | null;
  summary: string;
  created_at: string;
}

interface VariationRow {
  query_id: string;
  text: string;
  changed: number;
  edit: string;
  original: string | null;
}

const SELECT_SET = `SELECT s.*, d.name AS dataset_name FROM query_variation_sets s JOIN datasets d ON d.id = s.dataset_id`;

function toRecord(row: SetRow): VariationSetRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    name: row.name,
    family: row.family,
    variant: row.variant,
    seed: row.seed,
    params: JSON.parse(row.params) as AttackParams,
    split: row.split,
    source: row.source,
    sourcePath: row.source_path,
    generatorVersion: row.generator_version,
    summary: {
      queries: 0,
      changed: 0,
      noCandidate: 0,
      ...(JSON.parse(row.summary) as Partial<VariationSummary>),
    },
    createdAt: row.created_at,
  };
}

/**
 * Query-variation sets and their rows. Takes the store's connection (the datasets table must exist) and
 * creates its own tables when they are missing; statements are prepared once, a set and its rows are
 * written in one transaction.
 */
export class QueryVariationsRepository {
  private readonly insertSet;
  private readonly insertVariation;
  private readonly byName;
  private readonly byId;
  private readonly all;
  private readonly ofDataset;
  private readonly bySpec;
  private readonly deleteStmt;
  private readonly rows;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    this.insertSet = db.prepare(
      `INSERT INTO query_variation_sets
         (dataset_id, name, family, variant, seed, params, split, source, source_path, generator_version, summary, created_at)
       VALUES (@datasetId, @name, @family, @variant, @seed, @params, @split, @source, @sourcePath, @generatorVersion, @summary, @now)`,
    );
    this.insertVariation = db.prepare<[number, string, string, number, string]>(
      'INSERT INTO query_variations (set_id, query_id, text, changed, edit) VALUES (?, ?, ?, ?, ?)',
    );
    this.byName = db.prepare<[string], SetRow>(`${SELECT_SET} WHERE s.name = ?`);
    this.byId = db.prepare<[number], SetRow>(`${SELECT_SET} WHERE s.id = ?`);
    this.all = db.prepare<[], SetRow>(`${SELECT_SET} ORDER BY d.name, s.id`);
    this.ofDataset = db.prepare<[number], SetRow>(`${SELECT_SET} WHERE s.dataset_id = ? ORDER BY s.id`);
    this.bySpec = db.prepare<[number, string, string, number, string, string, number], SetRow>(
      `${SELECT_SET} WHERE s.source = 'generated' AND s.dataset_id = ? AND s.family = ? AND s.variant = ?
         AND s.seed = ? AND s.params = ? AND ifnull(s.split, '') = ? AND s.generator_version = ?`,
    );
    this.deleteStmt = db.prepare<[number]>('DELETE FROM query_variation_sets WHERE id = ?');
    this.rows = db.prepare<[number], VariationRow>(
      `SELECT v.query_id, v.text, v.changed, v.edit, q.text AS original
         FROM query_variations v
         JOIN query_variation_sets s ON s.id = v.set_id
         LEFT JOIN queries q ON q.dataset_id = s.dataset_id AND q.query_id = v.query_id
        WHERE v.set_id = ? ORDER BY v.id`,
    );
  }

  /** Stores a set with its rows in one transaction; a taken name is a CONFLICT. */
  create(set: NewVariationSet, variations: readonly QueryVariation[]): VariationSetRecord {
    if (this.byName.get(set.name)) {
      throw new WorkbenchError(
        'CONFLICT',
        `a variation set named "${set.name}" already exists. Choose another name (--name) or delete it (\`attacks delete ${set.name}\`)`,
        { field: 'name', name: set.name },
      );
    }
    const id = this.db.transaction(() => {
      const r = this.insertSet.run({
        ...set,
        params: canonicalJson(set.params),
        summary: JSON.stringify(set.summary),
        now: this.now(),
      });
      const setId = Number(r.lastInsertRowid);
      for (const v of variations)
        this.insertVariation.run(setId, v.queryId, v.text, v.changed ? 1 : 0, v.edit);
      return setId;
    })();
    return toRecord(this.byId.get(id) as SetRow);
  }

  /** The stored set generated from exactly this spec, split and generator version, if any. */
  findGenerated(
    datasetId: number,
    spec: Required<AttackSpec>,
    split: string | null,
    generatorVersion: number,
  ): VariationSetRecord | undefined {
    const row = this.bySpec.get(
      datasetId,
      spec.family,
      spec.variant,
      spec.seed,
      canonicalJson(spec.params),
      split ?? '',
      generatorVersion,
    );
    return row ? toRecord(row) : undefined;
  }

  get(name: string): VariationSetRecord | undefined {
    const row = this.byName.get(name);
    return row ? toRecord(row) : undefined;
  }

  getById(id: number): VariationSetRecord | undefined {
    const row = this.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** The set, or NOT_FOUND naming the sets there are. */
  require(name: string): VariationSetRecord {
    const found = this.get(name);
    if (found) return found;
    const names = this.list().map((s) => s.name);
    const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')}, …` : names.join(', ');
    throw new WorkbenchError(
      'NOT_FOUND',
      `no variation set named "${name}". ${names.length ? `Sets: ${shown}` : 'Make one with `attacks generate` or `attacks import`'}`,
      { field: 'set', name },
    );
  }

  list(datasetId?: number): VariationSetRecord[] {
    return (datasetId === undefined ? this.all.all() : this.ofDataset.all(datasetId)).map(toRecord);
  }

  delete(name: string): boolean {
    const row = this.byName.get(name);
    if (!row) return false;
    this.db.transaction(() => this.deleteStmt.run(row.id))();
    return true;
  }

  /** The set's rows in stored order, each with the dataset's original text (null if the query is gone). */
  variations(setId: number): (QueryVariation & { original: string | null })[] {
    return this.rows.all(setId).map((r) => ({
      queryId: r.query_id,
      text: r.text,
      changed: r.changed === 1,
      edit: r.edit,
      original: r.original,
    }));
  }

  /** Rows whose original query still exists, for reports and the drill-down. */
  views(setId: number): QueryVariationView[] {
    return this.variations(setId).flatMap((v) =>
      v.original === null ? [] : [{ ...v, original: v.original }],
    );
  }

  /** Query id → varied text: what the experiment runner encodes instead of the original queries. */
  texts(setId: number): Map<string, string> {
    return new Map(this.variations(setId).map((v) => [v.queryId, v.text]));
  }
}
