import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli.ts';
import { fixtures, removeTempDirs, tempDir } from '../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

async function cli(args: string[]) {
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
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

let data: string;
beforeAll(async () => {
  data = tempDir();
  expect((await cli(['--data', data, 'datasets', 'import', fixtures.beir, '--name', 'tiny'])).code).toBe(0);
});

describe('workbench runs', () => {
  it('import → list → show --json → export as TREC and JSONL', async () => {
    const imported = await cli([
      '--data',
      data,
      'runs',
      'import',
      fixtures.trecRun,
      '--dataset',
      'tiny',
      '--name',
      'bm25',
    ]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported run "bm25" in [\d.]+ s: 2 queries, 5 ranked documents/);

    const list = await cli(['--data', data, 'runs', 'list']);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0].split(/\s+/)).toEqual([
      'NAME',
      'DATASET',
      'FORMAT',
      'QUERIES',
      'RANKED',
      'STATUS',
      'CREATED',
    ]);
    expect(rows[1].split(/\s+/).slice(0, 6)).toEqual(['bm25', 'tiny', 'trec', '2', '5', 'ready']);

    const show = JSON.parse((await cli(['--data', data, 'runs', 'show', 'bm25', '--json'])).stdout);
    expect(show).toMatchObject({
      name: 'bm25',
      dataset: 'tiny',
      tag: 'tiny',
      queries: 2,
      stats: { lines: 5, maxDepth: 4 },
    });

    const out = join(tempDir(), 'bm25.run');
    const exported = await cli(['--data', data, 'runs', 'export', 'bm25', '--out', out]);
    expect(exported.stdout).toContain('2 queries, 5 lines');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('q1 Q0 d1 1 0.75 tiny');

    const outJsonl = join(tempDir(), 'bm25.jsonl');
    expect(
      (await cli(['--data', data, 'runs', 'export', 'bm25', '--out', outJsonl, '--format', 'jsonl'])).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(outJsonl, 'utf8').split('\n')[0]).query).toEqual({
      id: 'q1',
      content: 'what is a hypernetwork',
    });
  });

  it('a file in the wrong format fails naming file and line', async () => {
    const r = await cli([
      '--data',
      data,
      'runs',
      'import',
      fixtures.jsonlRun,
      '--dataset',
      'tiny',
      '--format',
      'trec',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[INPUT_INVALID\]: .*tiny\.jsonl:1: expected 6 fields/);
  });

  it('errors: unknown run, missing --dataset', async () => {
    const missing = await cli(['--data', data, 'runs', 'export', 'nope', '--out', join(tempDir(), 'x')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error [NOT_FOUND]: no run named "nope"');
    expect((await cli(['--data', data, 'runs', 'import', fixtures.trecRun])).code).toBe(2);
  });
});
