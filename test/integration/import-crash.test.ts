/**
 * A process killed (SIGKILL) in the middle of a large import leaves no trace: the database passes
 * integrity_check, holds no dataset, passage or full-text rows of that import, and the same import then
 * succeeds. The kill is timed by the write-ahead log growing past the page cache, i.e. while passages are
 * being written, and the test checks that the CLI had not finished.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset, planImport } from '../../main/engine/datasets/index.ts';
import { openStore } from '../../main/engine/store/index.ts';
import { removeTempDirs, repoRoot, tempDir } from '../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

const LINES = 300_000;
const WAL_BYTES_AT_KILL = 24 * 1024 * 1024;

async function writeCorpus(path: string): Promise<void> {
  const out = createWriteStream(path);
  const words =
    'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(
      ' ',
    );
  let chunk: string[] = [];
  for (let i = 0; i < LINES; i++) {
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

describe('import killed mid-way', () => {
  it('leaves the database consistent and empty of that import; a second import succeeds', async () => {
    const dir = tempDir('wb-crash-');
    const data = join(dir, 'data');
    const corpus = join(dir, 'big.jsonl');
    await writeCorpus(corpus);

    const child = spawn(
      process.execPath,
      [join(repoRoot, 'main/bin/workbench.mjs'), '--data', data, 'datasets', 'import', corpus],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b;
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    let finishedEarly = false;
    void exited.then(() => {
      finishedEarly = true;
    });

    const wal = join(data, 'workbench.db-wal');
    const deadline = Date.now() + 90_000;
    let walAtKill = 0;
    while (Date.now() < deadline && !finishedEarly) {
      walAtKill = existsSync(wal) ? statSync(wal).size : 0;
      if (walAtKill >= WAL_BYTES_AT_KILL) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(finishedEarly, `the import ended before it could be killed: ${stdout}${stderr}`).toBe(false);
    expect(walAtKill).toBeGreaterThanOrEqual(WAL_BYTES_AT_KILL);
    child.kill('SIGKILL');
    const { signal } = await exited;
    expect(signal).toBe('SIGKILL');
    expect(stdout).not.toContain('imported dataset'); // killed before the commit

    const store = openStore(data);
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      expect(store.datasets.get('big')).toBeUndefined();
      const n = (t: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      expect([n('datasets'), n('documents'), n('dataset_files'), n('queries'), n('qrels')]).toEqual([
        0, 0, 0, 0, 0,
      ]);
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
});
