import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { OutputFolder, safeFileName } from '../../../../main/engine/reports/index.ts';

let root: string;
let out: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wb-report-out-'));
  out = join(root, 'out');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof WorkbenchError ? e.code : String(e);
  }
  return 'no error';
};

describe('safeFileName', () => {
  it('turns separators and dot-dot into plain characters', () => {
    expect(safeFileName('../../etc/passwd', '.trec')).toBe('__.._etc_passwd.trec');
    expect(safeFileName('/abs/path', '.trec')).toBe('_abs_path.trec');
    expect(safeFileName('a\\b', '.trec')).toBe('a_b.trec');
    expect(safeFileName('..', '.trec')).toBe('run.trec');
    expect(safeFileName('rep/tiny/hyp/graph[nCandidates=2]@set/seed3', '.trec')).toBe(
      'rep_tiny_hyp_graph[nCandidates=2]@set_seed3.trec',
    );
  });
});

describe('OutputFolder', () => {
  it('refuses paths that resolve outside the folder', () => {
    const f = new OutputFolder(out);
    expect(code(() => f.inside('../x'))).toBe('INVALID_ARGUMENT');
    expect(code(() => f.inside('a/../../x'))).toBe('INVALID_ARGUMENT');
    expect(code(() => f.inside('/etc/passwd'))).toBe('INVALID_ARGUMENT');
    expect(code(() => f.inside(''))).toBe('INVALID_ARGUMENT');
    expect(f.inside('runs/a.trec')).toBe(join(out, 'runs', 'a.trec'));
  });

  it('gives colliding names distinct files', () => {
    const f = new OutputFolder(out);
    expect([f.plan('runs', 'a_b.trec'), f.plan('runs', 'a_b.trec'), f.plan('', 'x')]).toEqual([
      join('runs', 'a_b.trec'),
      join('runs', 'a_b-2.trec'),
      'x',
    ]);
  });

  it('never overwrites without force, and names the files that exist', () => {
    const f = new OutputFolder(out);
    f.write('report.html', 'first');
    let err: unknown;
    try {
      f.checkOverwrite(['report.html', 'report.md'], false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CONFLICT');
    expect((err as WorkbenchError).message).toMatch(/report\.html.*--force/);
    expect(() => f.checkOverwrite(['report.html'], true)).not.toThrow();
    f.write('report.html', 'second');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe('second');
  });

  it('replaces a planted link instead of writing through it', () => {
    mkdirSync(out, { recursive: true });
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(out, 'report.html'));
    const f = new OutputFolder(out);
    expect(f.existing(['report.html'])).toEqual(['report.html']);
    f.write('report.html', 'report');
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(lstatSync(join(out, 'report.html')).isSymbolicLink()).toBe(false);
  });

  it('refuses to write into a sub-folder that links outside', () => {
    mkdirSync(out, { recursive: true });
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(out, 'runs'));
    const f = new OutputFolder(out);
    expect(code(() => f.write('runs/a.trec', 'x'))).toBe('INVALID_ARGUMENT');
    expect(existsSync(join(elsewhere, 'a.trec'))).toBe(false);
  });
});
