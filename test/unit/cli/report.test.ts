import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFixture, reportFixture, workbench } from '../engine/reports/fixture.ts';

let f: ReportFixture;
beforeAll(async () => {
  f = await reportFixture('wb-cli-report-');
});
afterAll(() => f?.close());

describe('workbench report', () => {
  it('writes the chosen formats, lists them, and refuses to overwrite without --force', async () => {
    const out = join(f.root, 'cli-out');
    const first = await workbench(f, 'report', 'rep', '--format', 'html,csv,json', '--out', out);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/report of experiment rep written to/);
    expect(readdirSync(out).sort()).toEqual([
      'latency.csv',
      'metrics.csv',
      'per-query.csv',
      'report.html',
      'report.json',
    ]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');

    const again = await workbench(f, 'report', 'rep', '--format', 'html', '--out', out, '--title', 'Other');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error \[CONFLICT\].*report\.html.*--force/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);

    const forced = await workbench(
      f,
      'report',
      'rep',
      '--format',
      'html',
      '--out',
      out,
      '--title',
      'Other',
      '--force',
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<title>Other<\/title>/);
  });

  it('reports a run selection against a chosen baseline, as JSON', async () => {
    const out = join(f.root, 'cli-runs');
    const r = await workbench(
      f,
      'report',
      '--runs',
      'rep/tiny/bm25',
      'rep/tiny/be/flat',
      '--baseline',
      'rep/tiny/be/flat',
      '--format',
      'md,trec',
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { files: { path: string }[] };
    expect(printed.files.map((x) => x.path).filter((p) => p.endsWith('.trec'))).toEqual([
      join('runs', 'rep_tiny_bm25.trec'),
      join('runs', 'rep_tiny_be_flat.trec'),
    ]);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| be\/flat \(baseline\) \|/);
  });

  it('says what is wrong with bad arguments, writing nothing', async () => {
    const out = join(f.root, 'cli-bad');
    const format = await workbench(f, 'report', 'rep', '--format', 'html,docx', '--out', out);
    expect(format.code).toBe(1);
    expect(format.stderr).toMatch(/unknown report format\(s\) "docx".*html, pdf, md, tex, csv, trec, json/);
    const noOut = await workbench(f, 'report', 'rep');
    expect(noOut.stderr).toMatch(/--out DIR/);
    const missing = await workbench(f, 'report', 'nope', '--out', out);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    const baseline = await workbench(
      f,
      'report',
      '--runs',
      'rep/tiny/bm25',
      '--baseline',
      'rep/tiny/be/flat',
      '--out',
      out,
    );
    expect(baseline.stderr).toMatch(/baseline "rep\/tiny\/be\/flat" is not one of the selected runs/);
    expect(existsSync(out)).toBe(false);
  });
});
