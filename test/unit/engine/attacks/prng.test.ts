import { describe, expect, it } from 'vitest';
import { hash32, mulberry32, queryRandom } from '../../../../main/engine/attacks/index.ts';

describe('mulberry32', () => {
  it('gives the reference outputs (checked against a Python port of the C original)', () => {
    const r = mulberry32(1);
    expect([r.next(), r.next(), r.next()]).toEqual([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
    const s = mulberry32(0xdeadbeef);
    expect([s.next(), s.next()]).toEqual([0.9413696140982211, 0.26719574979506433]);
  });

  it('draws integers uniformly enough: chi-square over 10 bins of 100k draws', () => {
    const r = mulberry32(7);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[r.int(10)]++;
    const chi2 = bins.reduce((s, o) => s + (o - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.88); // p = 0.001 for 9 degrees of freedom
  });

  it('refuses an empty pick and a non-positive range', () => {
    const r = mulberry32(1);
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => r.int(0)).toThrow(RangeError);
  });
});

describe('hash32 and query streams', () => {
  it('hashes as FNV-1a + fmix32 (values from the Python port)', () => {
    expect(hash32('')).toBe(2872998923);
    expect(hash32('a')).toBe(444641715);
    expect(hash32('misspelling/dl-typo\u00001\u0000156493')).toBe(3430555911);
  });

  it('gives each query its own stream, the same on every call', () => {
    const a = queryRandom('ordering/shuffle', 3, 'q1').next();
    expect(queryRandom('ordering/shuffle', 3, 'q1').next()).toBe(a);
    expect(queryRandom('ordering/shuffle', 3, 'q2').next()).not.toBe(a);
    expect(queryRandom('ordering/shuffle', 4, 'q1').next()).not.toBe(a);
    expect(queryRandom('misspelling/swap', 3, 'q1').next()).not.toBe(a);
  });
});
