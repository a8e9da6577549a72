import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { loadRun } from '../../../../main/engine/eval/index.ts';
import { readRun } from '../../../../main/engine/io/trec.ts';
import { writeFiles } from './golden.ts';

async function slowPath(path: string) {
  const out: Array<{ qid: string; docno: string; score: number; lineNo: number }> = [];
  let tag = '';
  for await (const l of readRun(path)) {
    out.push({ qid: l.qid, docno: l.docno, score: l.score, lineNo: l.lineNo });
    tag = l.tag;
  }
  return { lines: out, tag };
}

async function errorOf(p: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected an error');
}

describe('loadRun', () => {
  it('reads what readRun reads: comments, blank lines, CRLF, tabs, Unicode spaces, BOM, # in docnos', async () => {
    const text =
      '\uFEFF# a comment\n' +
      'q1 Q0 d#1 1 3.5 tagA\r\n' +
      '\n' +
      '   \t \n' +
      'q1\tQ0\td2\t2\t-1e-3\ttagA\n' +
      'q2 Q0  dé 1  0x10 tagB\n' +
      'q2\u00a0Q0\u2003d3 2 .5 tagB\n' +
      'q1 Q0 d4 x 2 tagC\n';
    const paths = writeFiles({ run: text });
    const run = await loadRun(paths.run);
    const slow = await slowPath(paths.run);
    const fast = [...run.queries].flatMap(([qid, q]) =>
      q.docnos.map((docno, i) => ({ qid, docno, score: q.scores[i], lineNo: q.lines![i] })),
    );
    expect(fast.sort((a, b) => a.lineNo - b.lineNo)).toEqual(slow.lines);
    expect(run.runid).toBe(slow.tag);
    expect(run.runid).toBe('tagC');
    expect(run.queries.get('q2')?.docnos).toEqual(['dé', 'd3']);
  });

  it('parses scores to the same doubles as Number()', async () => {
    const scores = [
      '25.859501',
      '-0.0008579387213103473',
      '1e5',
      '0',
      '-0',
      '+3.25',
      '007.5',
      '5.',
      '123456789012345.6',
    ];
    for (let i = 0; i < 200; i++) scores.push((Math.sin(i) * 10 ** ((i % 9) - 4)).toFixed(i % 16));
    const text = scores.map((s, i) => `q Q0 d${i} ${i} ${s} t`).join('\n');
    const run = await loadRun(writeFiles({ run: text }).run);
    const got = [...run.queries.get('q')!.scores];
    expect(got.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(
      scores.map((s) => (Object.is(Number(s), -0) ? '-0' : String(Number(s)))),
    );
  });

  it('reads gzip by content and files without a final newline', async () => {
    const paths = writeFiles({ 'run.gz': gzipSync(Buffer.from('q1 Q0 a 1 2 t\nq1 Q0 b 2 1 t')) });
    const run = await loadRun(paths['run.gz']);
    expect(run.queries.get('q1')?.docnos).toEqual(['a', 'b']);
    expect(run.runid).toBe('t');
  });

  it('reads lines across chunk boundaries, including one longer than a chunk, plain and gzip', async () => {
    // Files are read in 4 MiB chunks (gzip in 1 MiB pieces): 9 MB of lines plus one 5 MB line cross many.
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++) lines.push(`q${i % 7} Q0 doc-${i}-é ${i} ${(i % 1000) / 7} tag`);
    lines.splice(70_000, 0, `q0 Q0 ${'x'.repeat(5_000_000)} 0 1.5 tag`);
    const text = `${lines.join('\n')}\n`;
    const paths = writeFiles({ run: text, 'run.gz': gzipSync(Buffer.from(text)) });
    for (const file of [paths.run, paths['run.gz']]) {
      const run = await loadRun(file);
      let total = 0;
      for (const q of run.queries.values()) total += q.docnos.length;
      expect(total).toBe(150_001);
      const q0 = run.queries.get('q0')!;
      const long = q0.docnos.findIndex((d) => d.length === 5_000_000);
      expect(q0.lines![long]).toBe(70_001);
      const last = run.queries.get(`q${149_999 % 7}`)!;
      expect(last.docnos.at(-1)).toBe('doc-149999-é');
      expect(last.scores.at(-1)).toBe(999 / 7);
    }
  });

  it('keeps lines of one query that are not contiguous in the file', async () => {
    const run = await loadRun(writeFiles({ run: 'q1 Q0 a 1 3 t\nq2 Q0 a 1 3 t\nq1 Q0 b 2 2 t\n' }).run);
    expect(run.queries.get('q1')?.docnos).toEqual(['a', 'b']);
    expect([...run.queries.get('q1')!.lines!]).toEqual([1, 3]);
  });

  const cases: Array<[string, string]> = [
    ['five fields', 'q1 Q0 d1 1 2.0 t\nq1 Q0 d2 2 1.0\n'],
    ['bad score', 'q1 Q0 d1 1 abc t\n'],
    ['infinite score', 'q1 Q0 d1 1 Infinity t\n'],
    ['seven fields', 'q1 Q0 d1 1 2 t extra\n'],
  ];
  for (const [name, text] of cases) {
    it(`rejects ${name} with readRun's message`, async () => {
      const path = writeFiles({ run: text }).run;
      const fast = await errorOf(loadRun(path));
      const slow = await errorOf(slowPath(path));
      expect(fast.message).toBe(slow.message);
      expect(fast.code).toBe(slow.code);
      expect(fast.details).toMatchObject({ file: path });
    });
  }

  it('rejects invalid UTF-8 naming the line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('q1 Q0 d1 1 2 t\nq1 Q0 d'),
      Buffer.from([0xff]),
      Buffer.from(' 2 1 t\n'),
    ]);
    const path = writeFiles({ run: bytes }).run;
    const fast = await errorOf(loadRun(path));
    expect(fast.message).toBe((await errorOf(slowPath(path))).message);
    expect(fast.details?.line).toBe(2);
  });

  it('rejects a line longer than the limit', async () => {
    const path = writeFiles({ run: `q1 Q0 ${'x'.repeat(200)} 1 2 t\n` }).run;
    const err = await errorOf(loadRun(path, { maxLineBytes: 100 }));
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.details?.line).toBe(1);
  });

  it('rejects a docno repeated within a query, naming both lines', async () => {
    const path = writeFiles({ run: 'q1 Q0 a 1 3 t\nq1 Q0 b 2 2 t\nq2 Q0 a 1 1 t\nq1 Q0 a 3 1 t\n' }).run;
    const err = await errorOf(loadRun(path));
    expect(err.code).toBe('INPUT_DUPLICATE');
    expect(err.message).toBe(
      `${path}:4: docno "a" appears twice for query "q1" (lines 1 and 4) (field "docno"). ` +
        'Keep one line per (query, docno); trec_eval refuses duplicate documents in a ranking',
    );
  });

  it('rejects an empty run and a missing file', async () => {
    expect((await errorOf(loadRun(writeFiles({ run: '# only a comment\n' }).run))).code).toBe('INPUT_EMPTY');
    expect((await errorOf(loadRun('/nonexistent/run.txt'))).code).toBe('NOT_FOUND');
  });
});
