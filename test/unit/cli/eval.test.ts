import { describe, expect, it } from 'vitest';
import { main } from '../../../main/cli.ts';
import { GOLDEN_QRELS, GOLDEN_RUN, writeFiles } from '../engine/eval/golden.ts';

async function run(argv: string[]) {
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
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('workbench eval', () => {
  const files = writeFiles({ qrels: GOLDEN_QRELS, run: GOLDEN_RUN });

  it('prints trec_eval output for the golden inputs, trec_eval flags included', async () => {
    const r = await run(['eval', '-q', '-m', 'recip_rank', '-m', 'ndcg_cut.3', files.qrels, files.run]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'recip_rank            \tq1\t0.3333',
        'ndcg_cut_3            \tq1\t0.2100',
        'recip_rank            \tq2\t0.3333',
        'ndcg_cut_3            \tq2\t0.5000',
        'recip_rank            \tq3\t0.0000',
        'ndcg_cut_3            \tq3\t0.0000',
        'recip_rank            \tall\t0.2222',
        'ndcg_cut_3            \tall\t0.2367',
        '',
      ].join('\n'),
    );
    // The settings go to stderr so stdout stays byte-identical to trec_eval.
    expect(r.stderr).toMatch(/relevance level 1.*3 queries.*1 qrels queries missing.*32-bit/);
  });

  it('accepts -c, -l N, -MN, -J, --float64 and ir_measures names', async () => {
    const c = await run(['eval', '-c', '-m', 'map', files.qrels, files.run]);
    expect(c.stdout).toBe('map                   \tall\t0.1729\n');
    const l = await run(['eval', '-l2', '-m', 'map', files.qrels, files.run]);
    expect(l.stdout).toBe('map                   \tall\t0.1222\n');
    const m = await run(['eval', '-M1', '-m', 'recip_rank', files.qrels, files.run]);
    expect(m.stdout).toBe('recip_rank            \tall\t0.0000\n');
    const j = await run(['eval', '-J', '-q', '-m', 'recip_rank', files.qrels, files.run]);
    expect(j.stdout).toContain('recip_rank            \tq1\t0.5000\n');
    const ir = await run(['eval', '-m', 'RR(rel=2)@10', '-m', 'nDCG@3', files.qrels, files.run]);
    expect(ir.stdout).toBe('RR(rel=2)@10          \tall\t0.1111\nnDCG@3                \tall\t0.2367\n');
    const tie = writeFiles({
      qrels: 'q1 0 dA 1\n',
      run: 'q1 Q0 dA 1 0.30000002 r\nq1 Q0 dB 2 0.30000001 r\n',
    });
    expect((await run(['eval', '-m', 'recip_rank', tie.qrels, tie.run])).stdout).toContain('0.5000');
    expect((await run(['eval', '--float64', '-m', 'recip_rank', tie.qrels, tie.run])).stdout).toContain(
      '1.0000',
    );
  });

  it('prints JSON with the settings of every value', async () => {
    const r = await run(['eval', '--json', '-l', '2', '-m', 'P.3', files.qrels, files.run]);
    const json = JSON.parse(r.stdout);
    expect(json.settings).toMatchObject({ relevanceLevel: 2, complete: false, scorePrecision: 'float32' });
    expect(json.measures[0]).toMatchObject({ name: 'P_3', measure: 'P', cutoff: 3, relevanceLevel: 2 });
    expect(json.measures[0].value).toBeCloseTo(1 / 9, 12);
  });

  it('reports bad input with file, line and what to do, exit code 1', async () => {
    const bad = writeFiles({ run: 'q1 Q0 d1 1 2.0 r\nq1 Q0 d2 2\n' });
    const r = await run(['eval', files.qrels, bad.run]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error [INPUT_INVALID]: ${bad.run}:2: expected 6 fields`);
    const m = await run(['eval', '-m', 'ndcg@10', files.qrels, files.run]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/unknown measure "ndcg" \(did you mean nDCG\?\)/);
    const missing = await run(['eval', files.qrels]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/needs a qrels file and a run file/);
  });

  it('eval compare: paired tests against a baseline, with the shared flags after the subcommand', async () => {
    const other = writeFiles({ run: GOLDEN_RUN.replace('q1 Q0 d3 1 10.0 r', 'q1 Q0 d3 1 0.5 r') });
    const r = await run(['eval', 'compare', '-c', '-m', 'recip_rank', files.qrels, files.run, other.run]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/all qrels queries \(-c/);
    // Moving d3 to the bottom of q1 leaves d5 and d1 tied at 9.0; d5 wins on docno, so d1 is 2nd:
    // RR 1/3 → 1/2 on q1, q2–q4 unchanged; -c averages over 4 queries.
    expect(lines[4].split('\t').slice(0, 4)).toEqual(['recip_rank', other.run, '0.2083', '+0.0417']);
    expect(lines[4].split('\t')[8]).toBe('1/3/0');
  });

  it('eval pmrr', async () => {
    const f = writeFiles({
      og: 'q1 0 d1 1\nq1 0 d2 1\n',
      changed: 'q1 0 d1 0\nq1 0 d2 1\n',
      ogRun: 'q1 Q0 d1 1 2 r\nq1 Q0 d2 2 1 r\n',
      newRun: 'q1 Q0 d2 1 2 r\nq1 Q0 d1 2 1 r\n',
    });
    const r = await run([
      'eval',
      'pmrr',
      '--og-qrels',
      f.og,
      '--changed-qrels',
      f.changed,
      '--og-run',
      f.ogRun,
      '--changed-run',
      f.newRun,
    ]);
    expect(r.code).toBe(0);
    // d1 went from rank 1 to rank 2: 1 − 1/2 = 0.5 → 50.
    expect(r.stdout).toBe('p-MRR\tall\t50.0000\n');
  });
});
