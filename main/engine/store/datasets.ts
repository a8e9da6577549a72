import { WorkbenchError } from '../errors.ts';
import type { StoreContext } from './context.ts';
import type { DocumentsRepository } from './documents.ts';
import type {
  DatasetCard,
  DatasetFileRecord,
  DatasetFormat,
  DatasetRecord,
  DatasetStats,
  DatasetStatus,
} from './types.ts';

interface DatasetRow {
  id: number;
  name: string;
  format: DatasetFormat;
  source_path: string;
  content_hash: string;
  has_corpus: number;
  stats: string;
  status: DatasetStatus;
  created_at: string;
  updated_at: string;
}

export function emptyDatasetStats(): DatasetStats {
  return {
    documents: 0,
    queries: 0,
    judgedQueries: 0,
    judgments: 0,
    judgmentsPerLabel: {},
    unjudgedEntries: 0,
    meanDocLength: 0,
    meanQueryLength: 0,
    documentWords: 0,
    splits: {},
    unknownQrels: {
      policy: 'keep',
      unknownQueries: 0,
      unknownQueryJudgments: 0,
      unknownDocuments: 0,
      unknownDocumentJudgments: 0,
      dropped: 0,
      examples: [],
    },
  };
}

function toRecord(row: DatasetRow): DatasetRecord {
  return {
    id: row.id,
    name: row.name,
    format: row.format,
    sourcePath: row.source_path,
    contentHash: row.content_hash,
    hasCorpus: row.has_corpus === 1,
    stats: { ...emptyDatasetStats(), ...(JSON.parse(row.stats) as Partial<DatasetStats>) },
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewDataset {
  name: string;
  format: DatasetFormat;
  sourcePath: string;
  contentHash: string;
  hasCorpus: boolean;
}

/** The datasets table and its dataset_files; deleting a dataset also drops its full-text index. */
export class DatasetsRepository {
  private readonly byName;
  private readonly byId;
  private readonly all;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly insertFile;
  private readonly filesOf;
  private readonly leftovers;
  private readonly cardOf;
  private readonly upsertCard;

  constructor(
    private readonly ctx: StoreContext,
    private readonly documents: DocumentsRepository,
  ) {
    const db = ctx.db;
    this.byName = db.prepare<[string], DatasetRow>('SELECT * FROM datasets WHERE name = ?');
    this.byId = db.prepare<[number], DatasetRow>('SELECT * FROM datasets WHERE id = ?');
    this.all = db.prepare<[], DatasetRow>("SELECT * FROM datasets WHERE status = 'ready' ORDER BY name");
    this.insertStmt = db.prepare(
      `INSERT INTO datasets (name, format, source_path, content_hash, has_corpus, stats, status, created_at, updated_at)
       VALUES (@name, @format, @sourcePath, @contentHash, @hasCorpus, @stats, 'importing', @now, @now)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE datasets SET content_hash = @contentHash, has_corpus = @hasCorpus, stats = @stats,
         status = @status, updated_at = @now WHERE id = @id`,
    );
    this.deleteStmt = db.prepare('DELETE FROM datasets WHERE id = ?');
    this.insertFile = db.prepare(
      `INSERT INTO dataset_files (dataset_id, role, path, split, bytes, imported_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.filesOf = db.prepare<
      [number],
      {
        role: DatasetFileRecord['role'];
        path: string;
        split: string | null;
        bytes: number;
        imported_at: string;
      }
    >('SELECT role, path, split, bytes, imported_at FROM dataset_files WHERE dataset_id = ? ORDER BY id');
    this.leftovers = db.prepare<[], { id: number }>("SELECT id FROM datasets WHERE status = 'importing'");
    this.cardOf = db.prepare<[number], DatasetCard>(
      'SELECT file, text, sha256 FROM dataset_cards WHERE dataset_id = ?',
    );
    this.upsertCard = db.prepare(
      `INSERT INTO dataset_cards (dataset_id, file, text, sha256) VALUES (?, ?, ?, ?)
       ON CONFLICT (dataset_id) DO UPDATE SET file = excluded.file, text = excluded.text, sha256 = excluded.sha256`,
    );
  }

  /** The dataset's card, when its import found one. */
  card(id: number): DatasetCard | undefined {
    return this.cardOf.get(id);
  }

  setCard(id: number, card: DatasetCard): void {
    this.upsertCard.run(id, card.file, card.text, card.sha256);
  }

  /** Datasets whose import has committed, by name. */
  list(): DatasetRecord[] {
    return this.all.all().map(toRecord);
  }

  get(name: string): DatasetRecord | undefined {
    const row = this.byName.get(name);
    return row ? toRecord(row) : undefined;
  }

  getById(id: number): DatasetRecord | undefined {
    const row = this.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** The dataset, or a NOT_FOUND error that lists the names there are. */
  require(name: string): DatasetRecord {
    const found = this.get(name);
    if (found && found.status === 'ready') return found;
    const names = this.list().map((d) => d.name);
    throw new WorkbenchError(
      'NOT_FOUND',
      `no dataset named "${name}". ${names.length ? `Datasets: ${names.join(', ')}` : 'Import one with `datasets import`'}`,
      { field: 'dataset', name },
    );
  }

  /** Inserts a dataset in status `importing`; the caller's transaction decides whether it ever appears. */
  create(dataset: NewDataset, stats: DatasetStats): number {
    const r = this.insertStmt.run({
      name: dataset.name,
      format: dataset.format,
      sourcePath: dataset.sourcePath,
      contentHash: dataset.contentHash,
      hasCorpus: dataset.hasCorpus ? 1 : 0,
      stats: JSON.stringify(stats),
      now: this.ctx.now(),
    });
    return Number(r.lastInsertRowid);
  }

  update(
    id: number,
    fields: { contentHash: string; hasCorpus: boolean; stats: DatasetStats; status: DatasetStatus },
  ): void {
    this.updateStmt.run({
      id,
      contentHash: fields.contentHash,
      hasCorpus: fields.hasCorpus ? 1 : 0,
      stats: JSON.stringify(fields.stats),
      status: fields.status,
      now: this.ctx.now(),
    });
  }

  addFile(datasetId: number, file: Omit<DatasetFileRecord, 'importedAt'>): void {
    this.insertFile.run(datasetId, file.role, file.path, file.split, file.bytes, this.ctx.now());
  }

  files(datasetId: number): DatasetFileRecord[] {
    return this.filesOf.all(datasetId).map((r) => ({
      role: r.role,
      path: r.path,
      split: r.split,
      bytes: r.bytes,
      importedAt: r.imported_at,
    }));
  }

  /** Deletes the dataset with its documents, full-text index, queries and qrels; runs keep their rankings. */
  delete(name: string): boolean {
    const row = this.byName.get(name);
    if (!row) return false;
    this.ctx.transaction(() => this.deleteById(row.id));
    return true;
  }

  /** For use inside a transaction the caller holds. */
  deleteById(id: number): void {
    this.documents.dropFullTextIndex(id);
    this.deleteStmt.run(id);
  }

  /**
   * Committed rows still marked `importing`: an import never commits that status, so these can only come
   * from a foreign writer or an older build. Uncommitted imports of other processes are invisible here.
   */
  leftoverImports(): number[] {
    return this.leftovers.all().map((r) => r.id);
  }
}
