import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  emptyDatasetStats,
  MIGRATIONS,
  migrate,
  openStore,
  SCHEMA_VERSION,
} from '../../../../main/engine/store/index.ts';
import { removeTempDirs, tempDir } from '../../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

describe('openStore', () => {
  it('creates the folder and workbench.db with WAL, foreign keys, busy timeout and synchronous NORMAL', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = openStore(dir);
    try {
      expect(existsSync(join(dir, 'workbench.db'))).toBe(true);
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(store.db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
      const tables = store.db
        .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      for (const t of [
        'datasets',
        'dataset_files',
        'documents',
        'queries',
        'qrels',
        'runs',
        'run_results',
        'metrics',
      ]) {
        expect(tables).toContain(t);
      }
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
  });

  it('reopens an existing database without migrating it again', () => {
    const dir = tempDir();
    const a = openStore(dir);
    a.db
      .prepare("INSERT INTO runs (name, source, status, created_at) VALUES ('r', 'x', 'ready', 'now')")
      .run();
    a.close();
    const b = openStore(dir);
    expect(b.runs.list().map((r) => r.name)).toEqual(['r']);
    b.close();
  });

  it('refuses a database written by a newer schema, saying which file and what to do', () => {
    const dir = tempDir();
    openStore(dir).close();
    const raw = new Database(join(dir, 'workbench.db'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    let error: unknown;
    try {
      openStore(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkbenchError);
    const e = error as WorkbenchError;
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('workbench.db');
    expect(e.message).toContain(`${SCHEMA_VERSION + 5}`);
    expect(e.message).toMatch(/update the workbench/i);
  });
});

describe('migrate', () => {
  it('applies each migration with its version bump in one transaction: a failing one changes nothing', () => {
    const db = new Database(':memory:');
    const good = { version: 1, name: '001', sql: 'CREATE TABLE a (x INTEGER);' };
    const bad = {
      version: 2,
      name: '002',
      sql: 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);',
    };
    expect(() => migrate(db, [good, bad])).toThrow(/nowhere/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all();
    expect(tables).toEqual(['a']); // b was rolled back with the failed migration
    db.close();
  });

  it('004 records the full-text indexes that imports built inline as built, and no state for the others', () => {
    const dir = tempDir();
    const old = new Database(join(dir, 'workbench.db'));
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    // What a version-3 workbench wrote: `indexed` imported with its index (built in the import's transaction),
    // `plain` imported with --no-full-text.
    const addDataset = (name: string, texts: string[]) => {
      const id = Number(
        old
          .prepare(
            `INSERT INTO datasets (name, format, source_path, content_hash, has_corpus, status, created_at, updated_at)
             VALUES (?, 'jsonl', '/x', 'h', 1, 'ready', 't0', 't1')`,
          )
          .run(name).lastInsertRowid,
      );
      const insert = old.prepare('INSERT INTO documents (dataset_id, doc_id, text) VALUES (?, ?, ?)');
      for (const [i, text] of texts.entries()) insert.run(id, `d${i}`, text);
      return id;
    };
    const indexed = addDataset('indexed', ['hypernetwork weights', 'dense retrieval', 'a q-net scores']);
    const plain = addDataset('plain', ['hypernetwork', 'other']);
    old.exec(`CREATE VIEW documents_view_${indexed} AS SELECT id, title, text FROM documents WHERE dataset_id = ${indexed};
      CREATE VIRTUAL TABLE documents_fts_${indexed} USING fts5(title, text, content='documents_view_${indexed}',
        content_rowid='id', tokenize='porter unicode61');
      INSERT INTO documents_fts_${indexed} (rowid, title, text) SELECT id, title, text FROM documents WHERE dataset_id = ${indexed};`);
    old.close();

    const store = openStore(dir);
    try {
      expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
      expect(store.documents.fullTextIndex(indexed)).toMatchObject({
        status: 'built',
        documents: 3,
        indexed: 3,
        finishedAt: 't1',
      });
      expect(store.documents.searchFullText(indexed, 'hypernetwork', 5).map((h) => h.docId)).toEqual(['d0']);
      expect(store.documents.fullTextIndex(plain)).toBeUndefined();
      expect(() => store.documents.searchFullText(plain, 'hypernetwork', 5)).toThrow(
        /full-text index of dataset "plain" is not built/,
      );
      store.documents.buildFullTextIndex(plain);
      expect(store.documents.searchFullText(plain, 'hypernetwork', 5).map((h) => h.docId)).toEqual(['d0']);
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
  });

  it('production migrations are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

describe('Store transactions', () => {
  it('writeAsync commits on success and rolls back on error', async () => {
    const store = openStore(tempDir());
    try {
      await store.writeAsync('test', async () => {
        store.runs.create({ name: 'kept', datasetId: null, tag: null, format: null, source: 's' });
      });
      await expect(
        store.writeAsync('test', async () => {
          store.runs.create({ name: 'lost', datasetId: null, tag: null, format: null, source: 's' });
          await new Promise((r) => setTimeout(r, 1));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(store.runs.list().map((r) => r.name)).toEqual(['kept']);
      expect(store.db.inTransaction).toBe(false);
    } finally {
      store.close();
    }
  });

  it('refuses other writes on the connection while an async import holds the transaction', async () => {
    const store = openStore(tempDir());
    try {
      let inner: unknown;
      await store.writeAsync('the import of dataset "x"', async () => {
        try {
          store.transaction(() => 1);
        } catch (e) {
          inner = e;
        }
      });
      expect(inner).toBeInstanceOf(WorkbenchError);
      expect((inner as WorkbenchError).code).toBe('CONFLICT');
      expect((inner as WorkbenchError).message).toContain('the import of dataset "x"');
      expect(store.transaction(() => 2)).toBe(2); // free again afterwards
    } finally {
      store.close();
    }
  });

  it('an uncommitted import is invisible to another connection', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    const other = openStore(dir);
    try {
      await store.writeAsync('test', async () => {
        store.datasets.create(
          { name: 'pending', format: 'trec', sourcePath: '/x', contentHash: '', hasCorpus: false },
          emptyDatasetStats(),
        );
        expect(other.datasets.get('pending')).toBeUndefined();
      });
    } finally {
      other.close();
      store.close();
    }
  });

  it('removes committed leftovers of an import at open', () => {
    const dir = tempDir();
    const store = openStore(dir);
    const id = store.transaction(() => {
      const d = store.datasets.create(
        { name: 'leftover', format: 'jsonl', sourcePath: '/x', contentHash: '', hasCorpus: true },
        emptyDatasetStats(),
      );
      store.documents.insert(d, 'a', '', 'text');
      store.documents.buildFullTextIndex(d);
      return d;
    });
    expect(store.datasets.getById(id)?.status).toBe('importing');
    store.close();
    const reopened = openStore(dir);
    try {
      expect(reopened.datasets.getById(id)).toBeUndefined();
      expect(reopened.db.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
      expect(reopened.documents.fullTextTables()).toEqual([]);
      expect(reopened.documents.fullTextIndex(id)).toBeUndefined();
    } finally {
      reopened.close();
    }
  });
});

describe('two processes', () => {
  it('a write while another connection holds the write lock fails with a clear CONFLICT after the busy timeout', async () => {
    const dir = tempDir();
    const importer = openStore(dir);
    const other = openStore(dir, { busyTimeoutMs: 50 });
    try {
      await importer.writeAsync('test', async () => {
        importer.runs.create({ name: 'a', datasetId: null, tag: null, format: null, source: 's' });
        expect(() =>
          other.transaction(() =>
            other.runs.create({ name: 'b', datasetId: null, tag: null, format: null, source: 's' }),
          ),
        ).toThrow(/another process is writing to this database/);
      });
      expect(other.runs.list().map((r) => r.name)).toEqual(['a']);
    } finally {
      other.close();
      importer.close();
    }
  });
});
