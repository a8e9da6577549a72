/**
 * A process killed (SIGKILL) in the middle of a large import leaves no trace: the database passes
 * integrity_check, holds no dataset, passage or full-text rows of that import, and the same import then
 * succeeds. The kill is timed by the write-ahead log growing past the page cache, i.e. while passages are
 * being written, and the test checks that the CLI had not finished.
 * A process killed while it builds a full-text index leaves the chunks it committed and the state
 * `building`, which BM25 refuses; the build then resumes to an index FTS5's integrity-check accepts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensureFullTextIndex,
  FULL_TEXT_CHUNK_ROWS,
  importDataset,
  planImport,
} from '../../main/engine/datasets/index.ts';
import { openStore } from '../../main/engine/store/index.ts';
import { removeTempDirs, repoRoot, tempDir } from '../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

const LINES = 300_000;
const WAL_BYTES_AT_KILL = 24 * 1024 * 1024;

async function writeCorpus(path: string, lines = LINES): Promise<void> {
  const out = createWriteStream(path);
  const words =
    'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(
      ' ',
    );
  let chunk: string[] = [];
  for (let i = 0; i < lines; i++) {
    const text: string[] = [];
    for (let j = 0; j < 50; j++) text.push(words[(i * 7 + j * 13) % words.length]);
    chunk.push(JSON.stringify({ _id: `doc-${i}`, title: `title ${i}`, text: text.join(' ') }));
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end(`${chunk.join('\n')}\n`, () => resolve()).on('error', reject),
  );
}

/** Starts the CLI with output captured; `exited` also flips `state.finished`. */
function workbench(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'main/bin/workbench.mjs'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { stdout: '', stderr: '', finished: false };
  child.stdout?.on('data', (b: Buffer) => {
    state.stdout += b;
  });
  child.stderr?.on('data', (b: Buffer) => {
    state.stderr += b;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      state.finished = true;
      resolve({ code, signal });
    }),
  );
  return { child, state, exited };
}

describe('import killed mid-way', () => {
  it('leaves the database consistent and empty of that import; a second import succeeds', async () => {
    const dir = tempDir('wb-crash-');
    const data = join(dir, 'data');
    const corpus = join(dir, 'big.jsonl');
    await writeCorpus(corpus);

    const { child, state, exited } = workbench(['--data', data, 'datasets', 'import', corpus]);

    const wal = join(data, 'workbench.db-wal');
    const deadline = Date.now() + 90_000;
    let walAtKill = 0;
    while (Date.now() < deadline && !state.finished) {
      walAtKill = existsSync(wal) ? statSync(wal).size : 0;
      if (walAtKill >= WAL_BYTES_AT_KILL) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(state.finished, `the import ended before it could be killed: ${state.stdout}${state.stderr}`).toBe(
      false,
    );
    expect(walAtKill).toBeGreaterThanOrEqual(WAL_BYTES_AT_KILL);
    child.kill('SIGKILL');
    const { signal } = await exited;
    expect(signal).toBe('SIGKILL');
    expect(state.stdout).not.toContain('imported dataset'); // killed before the commit

    const store = openStore(data);
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      expect(store.datasets.get('big')).toBeUndefined();
      const n = (t: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      expect([
        n('datasets'),
        n('documents'),
        n('dataset_files'),
        n('queries'),
        n('qrels'),
        n('fulltext_indexes'),
      ]).toEqual([0, 0, 0, 0, 0, 0]);
      expect(store.documents.fullTextTables()).toEqual([]);
      const views = store.db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name GLOB 'documents_*_[0-9]*'")
        .get();
      expect(views).toEqual({ n: 0 });

      const { dataset } = await importDataset(store, planImport({ path: corpus }));
      expect(dataset.stats.documents).toBe(LINES);
      expect(store.documents.searchFullText(dataset.id, '"title 299999"', 1)[0].docId).toBe('doc-299999');
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
  }, 300_000);

  it('a full-text index build killed mid-way stays "building", BM25 refuses it, and it resumes to a sound index', async () => {
    const lines = FULL_TEXT_CHUNK_ROWS * 4 + 5_000;
    const dir = tempDir('wb-crash-fts-');
    const data = join(dir, 'data');
    const corpus = join(dir, 'big.jsonl');
    await writeCorpus(corpus, lines);
    const setup = openStore(data);
    await importDataset(setup, planImport({ path: corpus, fullText: false }));
    setup.close();

    const { child, state, exited } = workbench(['--data', data, 'datasets', 'index', 'big']);
    const watcher = new Database(join(data, 'workbench.db'), { readonly: true });
    const progress = watcher.prepare<[], { status: string; indexed: number }>(
      'SELECT status, indexed FROM fulltext_indexes',
    );
    let atKill: { status: string; indexed: number } | undefined;
    const deadline = Date.now() + 90_000;
    try {
      while (Date.now() < deadline && !state.finished) {
        atKill = progress.get();
        if (atKill && atKill.indexed >= FULL_TEXT_CHUNK_ROWS) break; // at least one chunk committed
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      watcher.close();
    }
    expect(state.finished, `the build ended before it could be killed: ${state.stdout}${state.stderr}`).toBe(
      false,
    );
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect(atKill?.status).toBe('building');

    const store = openStore(data);
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      const dataset = store.datasets.require('big');
      const interrupted = store.documents.fullTextIndex(dataset.id)!;
      expect(interrupted.status).toBe('building');
      expect(interrupted.indexed).toBeGreaterThanOrEqual(FULL_TEXT_CHUNK_ROWS);
      expect(interrupted.indexed).toBeLessThan(lines);
      expect(interrupted.indexed % FULL_TEXT_CHUNK_ROWS).toBe(0); // whole chunks only
      expect(() => store.documents.searchFullText(dataset.id, '"title 1"', 1)).toThrow(/is incomplete/);

      const resumed = await ensureFullTextIndex(store, dataset.id);
      expect(resumed).toMatchObject({ documents: lines, resumedAt: interrupted.indexed });
      expect(resumed.indexed).toBe(lines - interrupted.indexed);
      const fts = `documents_fts_${dataset.id}`;
      // FTS5 checks its index against the content: no passage missing, none indexed twice.
      expect(() => store.db.exec(`INSERT INTO ${fts} (${fts}) VALUES ('integrity-check')`)).not.toThrow();
      const last = lines - 1;
      expect(store.documents.searchFullText(dataset.id, `"title ${last}"`, 1)[0].docId).toBe(`doc-${last}`);
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
  }, 300_000);
});
