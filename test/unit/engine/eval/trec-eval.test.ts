import { describe, expect, it } from 'vitest';
import {
  cFixed,
  type Evaluation,
  evaluate,
  formatTrecEval,
  loadQrels,
  loadRun,
  perQueryValues,
  runFromEntries,
} from '../../../../main/engine/eval/index.ts';
import { GOLDEN_QRELS, GOLDEN_RUN, writeFiles } from './golden.ts';

// Every expectation below is a line of shared/reference/trec_eval_golden.md (trec_eval 9.0.7 output).

async function golden() {
  const paths = writeFiles({ qrels: GOLDEN_QRELS, run: GOLDEN_RUN });
  return { qrels: await loadQrels(paths.qrels), run: await loadRun(paths.run) };
}

/** The value trec_eval would print for one measure and query ('all' for the summary). */
function printed(ev: Evaluation, name: string, qid: string): string {
  const c = ev.columns.findIndex((col) => col.name === name);
  expect(c, `column ${name}`).toBeGreaterThanOrEqual(0);
  if (qid === 'all') return cFixed(ev.summary[c], 4);
  return cFixed(ev.perQuery[c][ev.queries.indexOf(qid)], 4);
}

const TABLE: Record<string, [string, string, string, string]> = {
  recip_rank: ['0.3333', '0.3333', '0.0000', '0.2222'],
  P_3: ['0.3333', '0.3333', '0.0000', '0.2222'],
  P_10: ['0.3000', '0.1000', '0.0000', '0.1333'],
  recall_3: ['0.2500', '1.0000', '0.0000', '0.4167'],
  recall_10: ['0.7500', '1.0000', '0.0000', '0.5833'],
  map: ['0.3583', '0.3333', '0.0000', '0.2306'],
  map_cut_3: ['0.0833', '0.3333', '0.0000', '0.1389'],
  ndcg_cut_3: ['0.2100', '0.5000', '0.0000', '0.2367'],
  ndcg_cut_5: ['0.4990', '0.5000', '0.0000', '0.3330'],
  ndcg_cut_10: ['0.4990', '0.5000', '0.0000', '0.3330'],
  success_1: ['0.0000', '0.0000', '0.0000', '0.0000'],
  success_3: ['1.0000', '1.0000', '0.0000', '0.6667'],
};
const TABLE_MEASURES = [
  'ndcg_cut.3,5,10',
  'recip_rank',
  'P.3,10',
  'recall.3,10',
  'map',
  'map_cut.3',
  'success.1,3',
];

describe('trec_eval 9.0.7 golden vectors', () => {
  it('reproduces the -q table: ties by docno descending, q3 evaluated, q4 and q5 left out', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run, TABLE_MEASURES);
    expect(ev.queries).toEqual(['q1', 'q2', 'q3']);
    expect(ev.numQ).toBe(3);
    expect(ev.missingQueries).toEqual(['q4']);
    expect(ev.unjudgedQueries).toEqual(['q5']);
    for (const [name, [q1, q2, q3, all]] of Object.entries(TABLE)) {
      expect(
        [printed(ev, name, 'q1'), printed(ev, name, 'q2'), printed(ev, name, 'q3'), printed(ev, name, 'all')],
        name,
      ).toEqual([q1, q2, q3, all]);
    }
  });

  it('prints per-query blocks then the summary, measures in trec_eval table order, in its exact format', async () => {
    const { qrels, run } = await golden();
    const text = formatTrecEval(evaluate(qrels, run, TABLE_MEASURES), { perQuery: true });
    const lines = text.split('\n');
    expect(lines[0]).toBe('map                   \tq1\t0.3583');
    expect(lines[1]).toBe('recip_rank            \tq1\t0.3333');
    // P before recall before ndcg_cut before map_cut before success, whatever the -m order was.
    expect(lines.slice(0, 12).map((l) => l.split('\t')[0].trim())).toEqual([
      'map',
      'recip_rank',
      'P_3',
      'P_10',
      'recall_3',
      'recall_10',
      'ndcg_cut_3',
      'ndcg_cut_5',
      'ndcg_cut_10',
      'map_cut_3',
      'success_1',
      'success_3',
    ]);
    expect(lines.filter((l) => l.includes('\tall\t'))).toContain('ndcg_cut_10           \tall\t0.3330');
    expect(text.endsWith('success_3             \tall\t0.6667\n')).toBe(true);
  });

  it('-c averages over all 4 qrels queries with q4 = 0', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run, ['map', 'recip_rank', 'recall.10', 'ndcg_cut.10', 'num_q'], {
      complete: true,
    });
    expect(printed(ev, 'map', 'all')).toBe('0.1729');
    expect(printed(ev, 'recip_rank', 'all')).toBe('0.1667');
    expect(printed(ev, 'recall_10', 'all')).toBe('0.4375');
    expect(printed(ev, 'ndcg_cut_10', 'all')).toBe('0.2498');
    expect(formatTrecEval(ev)).toContain('num_q                 \tall\t4\n');
    expect(perQueryValues(ev, 'map', { includeMissing: true }).get('q4')).toBe(0);
  });

  it('-l 2 raises the bar for binary measures but not for nDCG', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run, ['map', 'recip_rank', 'P.3', 'recall.10', 'ndcg_cut.5'], {
      relevanceLevel: 2,
    });
    expect(printed(ev, 'map', 'all')).toBe('0.1222');
    expect(printed(ev, 'recip_rank', 'all')).toBe('0.1111');
    expect(printed(ev, 'P_3', 'all')).toBe('0.1111');
    expect(printed(ev, 'recall_10', 'all')).toBe('0.3333');
    expect(printed(ev, 'ndcg_cut_5', 'all')).toBe('0.3330');
    expect(ev.columns.find((c) => c.name === 'ndcg_cut_5')?.relevanceLevel).toBeNull();
    expect(ev.columns.find((c) => c.name === 'map')?.relevanceLevel).toBe(2);
  });

  it('-J drops the unjudged d5 from q1', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run, ['recip_rank', 'ndcg_cut.3'], { judgedOnly: true });
    expect(printed(ev, 'recip_rank', 'q1')).toBe('0.5000');
    expect(printed(ev, 'ndcg_cut_3', 'q1')).toBe('0.3700');
  });

  it('-M 1 keeps only the top document', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run, ['recip_rank'], { maxDocsPerQuery: 1 });
    expect(printed(ev, 'recip_rank', 'all')).toBe('0.0000');
  });

  it('ignores the rank column', async () => {
    const paths = writeFiles({
      qrels: 'q1 0 d1 2\nq1 0 d2 -2\nq1 0 d3 1\n',
      run: 'q1 Q0 d3 1 1 r\nq1 Q0 d1 2 2 r\n',
    });
    const ev = evaluate(await loadQrels(paths.qrels), await loadRun(paths.run), ['recip_rank']);
    expect(printed(ev, 'recip_rank', 'q1')).toBe('1.0000');
  });

  it('treats a negative label as unjudged: neither relevant nor judged non-relevant', async () => {
    const paths = writeFiles({
      qrels: 'q1 0 d1 2\nq1 0 d2 -2\nq1 0 d3 1\n',
      run: 'q1 Q0 d2 1 3 r\nq1 Q0 d1 2 2 r\nq1 Q0 d3 3 1 r\n',
    });
    const qrels = await loadQrels(paths.qrels);
    const run = await loadRun(paths.run);
    const ev = evaluate(qrels, run, ['P.1', 'ndcg_cut.3']);
    expect(printed(ev, 'P_1', 'q1')).toBe('0.0000');
    expect(printed(ev, 'ndcg_cut_3', 'q1')).toBe('0.6697');
    expect(printed(evaluate(qrels, run, ['P.1'], { judgedOnly: true }), 'P_1', 'q1')).toBe('1.0000');
  });

  it('reads scores as 32-bit floats like trec_eval 9, so nearby scores tie and docno decides', async () => {
    const paths = writeFiles({
      qrels: 'q1 0 dA 1\n',
      run: 'q1 Q0 dA 1 0.30000002 r\nq1 Q0 dB 2 0.30000001 r\n',
    });
    const qrels = await loadQrels(paths.qrels);
    const run = await loadRun(paths.run);
    expect(printed(evaluate(qrels, run, ['recip_rank']), 'recip_rank', 'q1')).toBe('0.5000');
    expect(
      printed(evaluate(qrels, run, ['recip_rank'], { scorePrecision: 'float64' }), 'recip_rank', 'q1'),
    ).toBe('1.0000');
  });
});

describe('evaluate', () => {
  it('breaks score ties by docno in byte order (UTF-8), descending', () => {
    // U+FF21 (3 UTF-8 bytes) sorts below U+1F600 (4 bytes) by bytes, above it by UTF-16 code units.
    const run = runFromEntries('r', [
      { qid: 'q', docno: '\u{FF21}', score: 1 },
      { qid: 'q', docno: '\u{1F600}', score: 1 },
    ]);
    const qrels = new Map([['q', new Map([['\u{1F600}', 1]])]]);
    // Descending bytes: U+1F600 first.
    expect(evaluate(qrels, run, ['recip_rank']).summary[0]).toBe(1);
  });

  it('refuses an evaluation with no query in both run and qrels, naming example ids', () => {
    const run = runFromEntries('r', [{ qid: 'Q1', docno: 'd', score: 1 }]);
    const qrels = new Map([['1', new Map([['d', 1]])]]);
    expect(() => evaluate(qrels, run, ['map'])).toThrow(/No query is in both.*"Q1".*"1"/);
  });

  it('runs ir_measures names with their own relevance level and depth beside trec_eval names', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run, ['map', 'RR@2', 'AP(rel=2)', 'nDCG@3', 'Judged@3', 'NumRel', 'NumQ'], {
      relevanceLevel: 1,
    });
    expect(ev.columns.map((c) => c.name)).toEqual([
      'map',
      'RR@2',
      'AP(rel=2)',
      'nDCG@3',
      'Judged@3',
      'NumRel',
      'NumQ',
    ]);
    // q1's first relevant document is at rank 3: RR@2 = 0 while recip_rank = 1/3.
    expect(printed(ev, 'RR@2', 'q1')).toBe('0.0000');
    // AP at level 2 equals map under -l 2 (golden: 0.1222).
    expect(printed(ev, 'AP(rel=2)', 'all')).toBe('0.1222');
    expect(printed(ev, 'nDCG@3', 'all')).toBe('0.2367');
    // Judged@3 for q1: d3 (judged), d5 (not), d1 (judged) → 2/3.
    expect(printed(ev, 'Judged@3', 'q1')).toBe('0.6667');
    const rr = ev.columns.find((c) => c.name === 'RR@2')!;
    expect(rr).toMatchObject({ measure: 'recip_rank', depth: 2, cutoff: null, relevanceLevel: 1 });
    expect(ev.columns.find((c) => c.name === 'AP(rel=2)')?.relevanceLevel).toBe(2);
  });

  it('computes the official set by default, gm_map as a geometric mean printed only in the summary', async () => {
    const { qrels, run } = await golden();
    const ev = evaluate(qrels, run);
    const names = ev.columns.map((c) => c.name);
    expect(names.slice(0, 9)).toEqual([
      'runid',
      'num_q',
      'num_ret',
      'num_rel',
      'num_rel_ret',
      'map',
      'gm_map',
      'Rprec',
      'bpref',
    ]);
    const text = formatTrecEval(ev, { perQuery: true });
    expect(text).toContain('runid                 \tall\tr\n');
    expect(text).toContain('num_ret               \tall\t9\n');
    expect(text).not.toMatch(/gm_map\s+\tq1/);
    // gm_map = exp(mean(log(max(AP, 1e-5)))) over q1..q3 (AP 0.3583, 0.3333, 0).
    const ap = [0.358333333333333, 0.333333333333333, 1e-5];
    const gm = Math.exp(ap.reduce((s, v) => s + Math.log(v), 0) / 3);
    expect(printed(ev, 'gm_map', 'all')).toBe(cFixed(gm, 4));
  });
});
