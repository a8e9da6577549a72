import { describe, expect, it } from 'vitest';
import { resolveMeasures } from '../../../../main/engine/eval/index.ts';

const defaults = { relevanceLevel: 1, numDocsInCollection: 0 };
const names = (specs: string[]) =>
  resolveMeasures(specs, defaults).flatMap((i) => i.columns.map((c) => c.name));

describe('resolveMeasures', () => {
  it('uses trec_eval default cutoffs', () => {
    expect(names(['P'])).toEqual([
      'P_5',
      'P_10',
      'P_15',
      'P_20',
      'P_30',
      'P_100',
      'P_200',
      'P_500',
      'P_1000',
    ]);
    expect(names(['success'])).toEqual(['success_1', 'success_5', 'success_10']);
    expect(names(['iprec_at_recall'])[0]).toBe('iprec_at_recall_0.00');
    expect(names(['Rprec_mult'])).toContain('Rprec_mult_0.20');
  });

  it('sorts cutoffs, orders measures as trec_eval does, and unions repeated cutoffs', () => {
    expect(names(['ndcg_cut.10,3', 'map', 'P.5'])).toEqual(['map', 'P_5', 'ndcg_cut_3', 'ndcg_cut_10']);
    expect(names(['P.10', 'P.5'])).toEqual(['P_5', 'P_10']);
    // Explicit cutoffs replace the defaults a nickname brings in, as in trec_eval.
    expect(names(['all_trec', 'P.7']).filter((n) => n.startsWith('P_'))).toEqual(['P_7']);
  });

  it('expands nicknames', () => {
    expect(names(['official'])[0]).toBe('runid');
    expect(names(['all_trec'])).toHaveLength(95);
    expect(names(['set'])).toEqual([
      'runid',
      'num_q',
      'num_ret',
      'num_rel',
      'num_rel_ret',
      'utility',
      'set_P',
      'set_relative_P',
      'set_recall',
      'set_map',
      'set_F',
    ]);
  });

  it('names parameterised single measures the way trec_eval does', () => {
    expect(names(['utility.2,-1,0,0', 'ndcg.1=3,2=7', 'set_F.0.5'])).toEqual([
      'utility_2,-1,0,0',
      'ndcg_1=3,2=7',
      'set_F_0.5',
    ]);
    const [ndcg] = resolveMeasures(['ndcg.1=3,2=7'], defaults);
    expect(ndcg.params.gains).toEqual([
      [1, 3],
      [2, 7],
    ]);
  });

  it('parses ir_measures names with rel and cutoff', () => {
    const inst = resolveMeasures(
      ['RR(rel=2)@10', 'nDCG@10', 'AP', 'MAP@100', 'R@1000', 'IPrec@0.5'],
      defaults,
    );
    expect(inst.map((i) => i.columns[0].name)).toEqual([
      'RR(rel=2)@10',
      'nDCG@10',
      'AP',
      'AP@100',
      'R@1000',
      'IPrec@0.5',
    ]);
    expect(inst.map((i) => i.family.name)).toEqual([
      'recip_rank',
      'ndcg_cut',
      'map',
      'map_cut',
      'recall',
      'iprec_at_recall',
    ]);
    expect(inst[0].params).toMatchObject({ level: 2, depth: 10 });
    expect(inst[0].columns[0]).toMatchObject({ relevanceLevel: 2, depth: 10, cutoff: null });
    expect(inst[1].columns[0]).toMatchObject({ relevanceLevel: null, cutoff: 10 });
  });

  it('explains bad names', () => {
    expect(() => names(['ndcg@10'])).toThrow(/unknown measure "ndcg" \(did you mean nDCG\?\)/);
    expect(() => names(['nDCG(rel=2)@10'])).toThrow(/raw label as gain/);
    expect(() => names(['P'].map((p) => `${p}@0`))).toThrow(/positive integer/);
    expect(() => names(['R'])).toThrow(/needs a cutoff/);
    expect(() => names(['P.5,5'])).toThrow(/duplicate cutoff 5/);
    expect(() => names(['P.-3'])).toThrow(/not a positive integer/);
    expect(() => names(['map.5'])).toThrow(/takes no parameters/);
    expect(() => names(['AP(judged_only=True)'])).toThrow(/not supported/);
    expect(() => names(['bogus'])).toThrow(/INVALID|unknown measure "bogus"/);
  });
});
