import { describe, expect, it } from 'vitest';
import { cFixed, evaluate, formatTrecEval, loadQrels, loadRun } from '../../../../main/engine/eval/index.ts';
import { GOLDEN_QRELS, GOLDEN_RUN, writeFiles } from './golden.ts';

// Worked by hand on the golden query q1: ranking d3 (0), d5 (not in the pool), d1 (2), d2 (1), d4 (3);
// qrels q1: d1 2, d2 1, d3 0, d4 3, d9 1 → R = 4 relevant at level 1, one judged non-relevant.
async function q1Values(measures: string[]): Promise<Map<string, string>> {
  const paths = writeFiles({ qrels: GOLDEN_QRELS, run: GOLDEN_RUN });
  const ev = evaluate(await loadQrels(paths.qrels), await loadRun(paths.run), measures);
  const q = ev.queries.indexOf('q1');
  return new Map(ev.columns.map((c, i) => [c.name, cFixed(ev.perQuery[i][q], 4)]));
}

describe('trec_eval measures on a hand-worked query', () => {
  it('counts and set measures', async () => {
    const v = await q1Values([
      'num_ret',
      'num_rel',
      'num_rel_ret',
      'num_nonrel_judged_ret',
      'set_P',
      'set_recall',
    ]);
    expect(v.get('num_ret')).toBe('5.0000');
    expect(v.get('num_rel')).toBe('4.0000');
    expect(v.get('num_rel_ret')).toBe('3.0000');
    expect(v.get('num_nonrel_judged_ret')).toBe('1.0000'); // d3
    expect(v.get('set_P')).toBe('0.6000');
    expect(v.get('set_recall')).toBe('0.7500');
    const w = await q1Values(['set_relative_P', 'set_map', 'set_F', 'utility']);
    expect(w.get('set_relative_P')).toBe('0.7500'); // 3 / min(5, 4)
    expect(w.get('set_map')).toBe('0.4500'); // 3² / (5·4)
    expect(w.get('set_F')).toBe('0.6667'); // 2PR / (P + R)
    expect(w.get('utility')).toBe('1.0000'); // 3 relevant − 2 others
  });

  it('Rprec, bpref, infAP, binG', async () => {
    const v = await q1Values(['Rprec', 'bpref', 'infAP', 'binG']);
    expect(v.get('Rprec')).toBe('0.5000'); // 2 relevant in the top 4
    expect(v.get('bpref')).toBe('0.0000'); // the one judged non-relevant document outranks every relevant one
    // infAP: 1/3 + ~0, 1/4 + 3/4·2/3·1/2, 1/5 + 4/5·3/4·2/3 → (1/3 + 1/2 + 3/5) / 4
    expect(v.get('infAP')).toBe(cFixed((1 / 3 + 1 / 2 + 3 / 5) / 4, 4));
    expect(v.get('binG')).toBe('0.3750'); // three times 1/log2(4), over R = 4
  });

  it('interpolated precision with trec_eval 9 recall points (p·R + 0.9, truncated)', async () => {
    const v = await q1Values(['iprec_at_recall', '11pt_avg', 'Rprec_mult']);
    // Relevant at ranks 3, 4, 5 (precision 1/3, 1/2, 3/5): interpolated 0.6 up to 3 relevant; R = 4 is unreached.
    for (const p of ['0.00', '0.10', '0.20', '0.30', '0.40', '0.50', '0.60', '0.70']) {
      expect(v.get(`iprec_at_recall_${p}`), p).toBe('0.6000');
    }
    for (const p of ['0.80', '0.90', '1.00']) expect(v.get(`iprec_at_recall_${p}`), p).toBe('0.0000');
    expect(v.get('11pt_avg')).toBe(cFixed(4.8 / 11, 4));
    // Precision at ranks trunc(m·4 + 0.9); beyond the 5 retrieved, relevant retrieved / cutoff.
    const mult = ['0.20', '0.40', '0.60', '0.80', '1.00', '1.20', '1.40', '1.60', '1.80', '2.00'].map((m) =>
      v.get(`Rprec_mult_${m}`),
    );
    expect(mult).toEqual([
      '0.0000',
      '0.0000',
      '0.3333',
      '0.5000',
      '0.5000',
      '0.6000',
      '0.5000',
      '0.4286',
      '0.3750',
      '0.3750',
    ]);
  });

  it('ndcg over the whole ranking with raw labels as gains, and gain overrides', async () => {
    const dcg = 2 / Math.log2(4) + 1 / Math.log2(5) + 3 / Math.log2(6);
    const idcg = 3 + 2 / Math.log2(3) + 1 / 2 + 1 / Math.log2(5);
    expect((await q1Values(['ndcg'])).get('ndcg')).toBe(cFixed(dcg / idcg, 4));
    // Label 3 worth 1: gains d1 2, d2 1, d4 1; ideal 2, 1, 1, 1.
    const dcg2 = 2 / Math.log2(4) + 1 / Math.log2(5) + 1 / Math.log2(6);
    const idcg2 = 2 + 1 / Math.log2(3) + 1 / 2 + 1 / Math.log2(5);
    expect((await q1Values(['ndcg.3=1'])).get('ndcg_3=1')).toBe(cFixed(dcg2 / idcg2, 4));
  });

  it('relstring shows labels, - for unpooled and . for unjudged, per query only', async () => {
    const paths = writeFiles({ qrels: `${GOLDEN_QRELS}q2 0 c -1\n`, run: GOLDEN_RUN });
    const ev = evaluate(await loadQrels(paths.qrels), await loadRun(paths.run), [
      'relstring',
      'relstring.2'.slice(0, 9),
    ]);
    const text = formatTrecEval(ev, { perQuery: true });
    expect(text).toContain("relstring             \tq1\t'0-213'\n");
    // q2 ranks c (label −1: unjudged), b (0), a (1).
    expect(text).toContain("relstring             \tq2\t'.01'\n");
    expect(text).not.toContain('relstring             \tall');
  });
});
