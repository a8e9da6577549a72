/**
 * Reports never write outside the chosen folder — also for runs whose names hold `../` or `/` — and never
 * replace a file unless forced: without force the export fails before writing anything.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../main/engine/errors.ts';
import { exportReport } from '../../main/engine/reports/index.ts';
import { exportRun } from '../../main/engine/runs/index.ts';
import { type ReportFixture, reportFixture, workbench } from '../unit/engine/reports/fixture.ts';

let f: ReportFixture;
const hostile = ['../../escaped', '/tmp/absolute-run', 'a/../../b'];

/** Every file under `dir`, relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  f = await reportFixture('wb-report-paths-');
  // Stored runs with hostile names, imported the ordinary way.
  const file = join(f.root, 'be.trec');
  exportRun(f.store, f.store.runs.require('rep/tiny/be/flat'), file);
  f.store.close();
  for (const name of hostile) {
    const r = await workbench(f, 'runs', 'import', file, '--dataset', 'tiny', '--name', name);
    expect(r.code, r.stderr).toBe(0);
  }
  const { openStore } = await import('../../main/engine/store/index.ts');
  f.store = openStore(f.data);
});
afterAll(() => f?.close());

describe('report output folder', () => {
  it('writes runs named with ../ and / inside the folder', async () => {
    const sandbox = mkdtempSync(join(tmpdir(), 'wb-report-sandbox-'));
    try {
      const out = join(sandbox, 'a', 'b', 'out');
      const result = await exportReport({
        store: f.store,
        runs: [...hostile, 'rep/tiny/be/flat'],
        formats: ['html', 'md', 'tex', 'csv', 'trec', 'json'],
        outDir: out,
      });
      // Nothing anywhere in the sandbox but under out/.
      const all = tree(sandbox);
      expect(all.every((p) => p.startsWith(join('a', 'b', 'out')))).toBe(true);
      expect(tree(out)).toEqual(result.files.map((x) => x.path).sort());
      expect(tree(join(out, 'runs'))).toEqual(
        ['__.._escaped.trec', '_tmp_absolute-run.trec', 'a_.._.._b.trec', 'rep_tiny_be_flat.trec'].sort(),
      );
      // The hostile-named runs are the same ranking as the run they were imported from.
      const base = readFileSync(join(out, 'runs', 'rep_tiny_be_flat.trec'), 'utf8')
        .split('\n')[0]
        .split(' ');
      const escaped = readFileSync(join(out, 'runs', '__.._escaped.trec'), 'utf8')
        .split('\n')[0]
        .split(' ');
      expect(escaped.slice(0, 5)).toEqual(base.slice(0, 5));
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  });

  it('refuses to overwrite without force, leaving every file as it was; replaces with force', async () => {
    const out = join(f.root, 'again');
    const options = {
      store: f.store,
      experiment: f.experiment,
      formats: ['html', 'csv'] as const,
      outDir: out,
    };
    await exportReport({ ...options, formats: [...options.formats] });
    writeFileSync(join(out, 'report.html'), 'edited by hand');
    const before = tree(out).map((p) => [
      p,
      statSync(join(out, p)).mtimeMs,
      readFileSync(join(out, p), 'utf8'),
    ]);
    const err = await exportReport({ ...options, formats: [...options.formats] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CONFLICT');
    expect((err as WorkbenchError).message).toMatch(/report\.html.*--force/);
    expect(
      tree(out).map((p) => [p, statSync(join(out, p)).mtimeMs, readFileSync(join(out, p), 'utf8')]),
    ).toEqual(before);
    await exportReport({ ...options, formats: [...options.formats], force: true });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });
});
