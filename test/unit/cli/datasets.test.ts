import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli.ts';
import { openStore } from '../../../main/engine/store/index.ts';
import { fixtures, removeTempDirs, tempDir } from '../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

/** Runs the real CLI in-process with captured output. */
async function cli(args: string[], options: { tty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
      isTTY: options.tty ?? false,
    },
  };
  const code = await main(args, io as never);
  return { code, stdout, stderr };
}

describe('workbench datasets', () => {
  it('import → list → show --json → delete', async () => {
    const data = tempDir();
    const imported = await cli(['--data', data, 'datasets', 'import', fixtures.beir, '--name', 'tiny']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /^imported dataset "tiny" in [\d.]+ s: 4 documents, 3 queries, 5 judgments added/,
    );
    expect(imported.stdout).toMatch(
      /\nfull-text index of dataset "tiny" built in [\d.]+ s: 4 documents indexed/,
    );
    expect(imported.stdout).toContain('judgments         4 (per label: 0: 1, 1: 2, 2: 1)');
    expect(imported.stdout).toContain('full-text index   built, 4 documents (FTS5, porter unicode61)');
    expect(imported.stderr).toBe(''); // not a TTY: no progress

    const list = await cli(['--data', data, 'datasets', 'list']);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0].split(/\s+/)).toEqual([
      'NAME',
      'FORMAT',
      'DOCUMENTS',
      'QUERIES',
      'JUDGED',
      'JUDGMENTS',
      'CREATED',
    ]);
    expect(rows[1].split(/\s+/).slice(0, 6)).toEqual(['tiny', 'beir', '4', '3', '3', '4']);

    const show = await cli(['--data', data, 'datasets', 'show', 'tiny', '--json']);
    expect(show.code).toBe(0);
    const json = JSON.parse(show.stdout);
    expect(json).toMatchObject({
      name: 'tiny',
      format: 'beir',
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      stats: {
        documents: 4,
        queries: 3,
        judgedQueries: 3,
        judgments: 4,
        judgmentsPerLabel: { '0': 1, '1': 2, '2': 1 },
        meanDocLength: expect.any(Number),
        meanQueryLength: 4,
        unknownQrels: { policy: 'keep', unknownQueries: 0, unknownDocuments: 0, dropped: 0 },
      },
      fullTextIndex: { status: 'built', indexed: 4, documents: 4 },
    });

    const del = await cli(['--data', data, 'datasets', 'delete', 'tiny']);
    expect(del).toMatchObject({ code: 0, stdout: 'deleted dataset "tiny" (4 documents, 3 queries)\n' });
    const gone = await cli(['--data', data, 'datasets', 'show', 'tiny']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('error [NOT_FOUND]: no dataset named "tiny"');
    expect((await cli(['--data', data, 'datasets', 'list'])).stdout).toMatch(/^no datasets yet/);
  });

  it('attaches topics and qrels with a split and an unknown-qrels policy', async () => {
    const data = tempDir();
    await cli(['--data', data, 'datasets', 'import', fixtures.beir, '--name', 'tiny']);
    const r = await cli([
      '--data',
      data,
      'datasets',
      'import',
      '--topics',
      join(fixtures.trec, 'topics.tsv'),
      '--qrels',
      join(fixtures.trec, 'qrels.txt'),
      '--attach-to',
      'tiny',
      '--split',
      'trec',
      '--unknown',
      'drop',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^attached to dataset "tiny"/);
    expect(r.stdout).toContain('split trec: 2 queries, 2 judged, 3 judgments');
    expect(r.stdout).toMatch(
      /unknown in qrels {2}1 queries \(1 lines\), 1 documents \(1 lines\); policy drop, 2 dropped/,
    );
  });

  it('a bad file fails with exit 1 and a file:line message, leaving no dataset', async () => {
    const data = tempDir();
    const file = join(tempDir(), 'broken.jsonl');
    writeFileSync(file, '{"id":"a","text":"ok"}\n{"id":"b","text":"cut of');
    const r = await cli(['--data', data, 'datasets', 'import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error [INPUT_INVALID]: ${file}:2: truncated JSON`);
    expect((await cli(['--data', data, 'datasets', 'list'])).stdout).toMatch(/^no datasets yet/);
  });

  it('--no-full-text skips the index; `datasets index` builds it, resumes it, or says it is built', async () => {
    const data = tempDir();
    const r = await cli(['--data', data, 'datasets', 'import', fixtures.beir, '--no-full-text']);
    expect(r.stdout).not.toContain('full-text index of dataset');
    expect(r.stdout).toContain(
      'full-text index   not built (BM25 builds it when first needed, or `workbench datasets index beir-tiny`)',
    );
    const state = async () =>
      JSON.parse((await cli(['--data', data, 'datasets', 'show', 'beir-tiny', '--json'])).stdout)
        .fullTextIndex;
    expect(await state()).toEqual({ status: 'not-built', indexed: 0, documents: 4 });

    // an interrupted build, as a killed `datasets index` leaves it: one chunk committed
    const store = openStore(data);
    const id = store.datasets.require('beir-tiny').id;
    store.documents.startFullTextIndex(id);
    store.documents.indexFullTextChunk(id, 3);
    store.close();
    expect(await state()).toEqual({ status: 'building', indexed: 3, documents: 4 });
    expect((await cli(['--data', data, 'datasets', 'show', 'beir-tiny'])).stdout).toContain(
      'full-text index   building, 3 of 4 documents indexed (BM25 uses it once complete; `workbench datasets index beir-tiny` resumes it)',
    );

    const resumed = await cli(['--data', data, 'datasets', 'index', 'beir-tiny']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      /^full-text index of dataset "beir-tiny" built in [\d.]+ s: 1 documents indexed, resumed at 3 of 4/,
    );
    expect(await state()).toEqual({ status: 'built', indexed: 4, documents: 4 });
    expect((await cli(['--data', data, 'datasets', 'index', 'beir-tiny'])).stdout).toBe(
      'the full-text index of dataset "beir-tiny" is already built (4 documents); --rebuild builds it again\n',
    );
    expect((await cli(['--data', data, 'datasets', 'index', 'beir-tiny', '--rebuild'])).stdout).toMatch(
      /^full-text index of dataset "beir-tiny" built in [\d.]+ s: 4 documents indexed/,
    );
  });

  it('usage errors exit 2', async () => {
    const data = tempDir();
    expect(
      (await cli(['--data', data, 'datasets', 'import', fixtures.beir, '--unknown', 'maybe'])).code,
    ).toBe(2);
    expect((await cli(['--data', data, 'datasets', 'import', fixtures.beir, '--format', 'csv'])).code).toBe(
      2,
    );
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const r = await cli(['--data', tempDir(), 'datasets', 'import', fixtures.beir], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r');
    expect(r.stderr).toMatch(/100% finish/);
    expect(r.stderr).toMatch(/100% index {3}indexed 4 \/ 4 documents/);
  });
});
