import { describe, expect, it } from 'vitest';
import { adjustPValues, compareRuns } from '../../../../main/engine/eval/index.ts';

const byQid = (values: number[]) => new Map(values.map((v, i) => [`q${i}`, v]));

// Expected p-values were computed with scipy 1.17.1 (scipy.stats.ttest_rel and scipy.stats.wilcoxon with
// default arguments) on the same inputs; the exact Wilcoxon ones are also fractions k/2^n checked by hand.
describe('compareRuns', () => {
  const a = [0.1, 0.5, 0.3, 0.9, 0.2, 0.4, 0.8, 0.7];
  const b = [0.3, 0.4, 0.6, 0.95, 0.6, 0.45, 0.75, 0.9];

  it('paired t-test and exact Wilcoxon match scipy', () => {
    const r = compareRuns(byQid(a), byQid(b));
    expect(r.n).toBe(8);
    expect(r.meanDifference).toBeCloseTo(0.13125, 12);
    expect(r.tTest?.df).toBe(7);
    expect(r.tTest?.statistic).toBeCloseTo(2.144900026851202, 10);
    expect(r.tTest?.pValue).toBeCloseTo(0.06913228686631397, 10);
    // R− = 1 + 2 + 4 = 7 (|d| ranks of −0.05, −0.1 … as floats); exact two-sided p = 2·P(T ≤ 7) = 19/128.
    expect(r.wilcoxon).toMatchObject({ statistic: 7, rPlus: 29, rMinus: 7, method: 'exact', nonZero: 8 });
    expect(r.wilcoxon?.pValue).toBeCloseTo(19 / 128, 12);
    expect([r.wins, r.ties, r.losses]).toEqual([6, 0, 2]);
  });

  it('exact Wilcoxon for five positive differences is 2/32', () => {
    const r = compareRuns(byQid([0, 0, 0, 0, 0]), byQid([0.1, 0.2, 0.3, 0.4, 0.5]));
    expect(r.wilcoxon?.pValue).toBeCloseTo(2 / 32, 12);
    expect(r.wilcoxon?.statistic).toBe(0);
  });

  it('drops zero differences before choosing the method, as scipy\'s zero_method="wilcox"', () => {
    const withZero = compareRuns(byQid([...a, 0.5]), byQid([...b, 0.5]));
    expect(withZero.wilcoxon?.nonZero).toBe(8);
    expect(withZero.wilcoxon?.pValue).toBeCloseTo(19 / 128, 12); // scipy: 0.1484375
    expect(withZero.ties).toBe(1);
  });

  it('uses the normal approximation with tie correction for tied magnitudes and for n > 50', () => {
    const r = compareRuns(byQid([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), byQid([0.2, 0.3, 0.2, 0.6, 0.7, 0.9]));
    expect(r.wilcoxon?.method).toBe('normal');
    expect(r.wilcoxon?.pValue).toBeCloseTo(0.057779571123597245, 10); // scipy method="asymptotic"
    const A = Array.from({ length: 60 }, (_, i) => ((i * 37) % 100) / 100);
    const B = A.map((x, i) => x + (((i * 13) % 17) - 6) / 100);
    const big = compareRuns(byQid(A), byQid(B));
    expect(big.wilcoxon?.statistic).toBe(475);
    expect(big.wilcoxon?.pValue).toBeCloseTo(0.008398218266255015, 10);
    expect(big.tTest?.pValue).toBeCloseTo(0.006658554101948041, 10);
  });

  it('pairs by qid, reports queries present in only one run, and is reproducible with a seed', () => {
    const x = new Map([
      ['1', 0.5],
      ['2', 0.1],
      ['3', 0.3],
    ]);
    const y = new Map([
      ['2', 0.4],
      ['3', 0.2],
      ['4', 0.9],
    ]);
    const r = compareRuns(x, y, { seed: 7 });
    expect(r.n).toBe(2);
    expect(r.onlyInA).toEqual(['1']);
    expect(r.onlyInB).toEqual(['4']);
    expect(r.meanDifference).toBeCloseTo(0.1, 12);
    expect(compareRuns(x, y, { seed: 7 }).bootstrap).toEqual(r.bootstrap);
  });

  it('bootstrap interval and randomization test agree with the direction of a clear improvement', () => {
    const base = Array.from({ length: 40 }, (_, i) => (i % 10) / 10);
    const better = base.map((v, i) => v + 0.05 + ((i % 3) - 1) / 100);
    const r = compareRuns(byQid(base), byQid(better), { resamples: 2000, permutations: 2000 });
    expect(r.bootstrap!.low).toBeGreaterThan(0.03);
    expect(r.bootstrap!.high).toBeLessThan(0.07);
    expect(r.bootstrap!.low).toBeLessThanOrEqual(r.meanDifference);
    expect(r.randomization!.pValue).toBeCloseTo(1 / 2001, 12); // no sign flip reaches the observed sum
  });

  it('returns no test where none is defined', () => {
    const r = compareRuns(byQid([0.2, 0.3]), byQid([0.2, 0.3]));
    expect(r.tTest).toBeNull();
    expect(r.wilcoxon).toBeNull();
    expect(r.ties).toBe(2);
  });
});

describe('adjustPValues', () => {
  it('Holm step-down and Bonferroni, in input order', () => {
    const p = [0.01, 0.04, 0.03, 0.2];
    expect(adjustPValues(p, 'holm').map((v) => +v.toFixed(10))).toEqual([0.04, 0.09, 0.09, 0.2]);
    expect(adjustPValues(p, 'bonferroni').map((v) => +v.toFixed(10))).toEqual([0.04, 0.16, 0.12, 0.8]);
    expect(adjustPValues([0.5, 0.6], 'bonferroni')).toEqual([1, 1]);
  });
});
