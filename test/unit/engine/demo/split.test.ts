import { describe, expect, it } from 'vitest';
import { fnv1a32, inSubset, SPLIT_SEED, splitOf, unitHash } from '../../../../main/engine/demo/index.ts';

describe('seeded split assignment', () => {
  const ids = Array.from({ length: 20000 }, (_, i) => `n${String(1740 + i * 7).padStart(8, '0')}`);

  it('depends only on the seed and the id', () => {
    expect(ids.map((id) => splitOf(id))).toEqual(ids.map((id) => splitOf(id, SPLIT_SEED)));
    expect(ids.slice(0, 200).map((id) => splitOf(id, 'other seed'))).not.toEqual(
      ids.slice(0, 200).map((id) => splitOf(id)),
    );
    expect(fnv1a32('a')).toBe(fnv1a32('a'));
    expect(fnv1a32('a')).not.toBe(fnv1a32('b'));
  });

  it('gives about 5 % test, 5 % dev, 90 % train, and a subset independent of the split', () => {
    const count = { train: 0, dev: 0, test: 0 };
    for (const id of ids) count[splitOf(id)]++;
    expect(count.test / ids.length).toBeGreaterThan(0.045);
    expect(count.test / ids.length).toBeLessThan(0.055);
    expect(count.dev / ids.length).toBeGreaterThan(0.045);
    expect(count.dev / ids.length).toBeLessThan(0.055);
    const sub = ids.filter((id) => inSubset(id, 0.2));
    expect(sub.length / ids.length).toBeGreaterThan(0.19);
    expect(sub.length / ids.length).toBeLessThan(0.21);
    // Within the subset the split fractions hold too: the two hashes are independent.
    const subTest = sub.filter((id) => splitOf(id) === 'test').length / sub.length;
    expect(subTest).toBeGreaterThan(0.04);
    expect(subTest).toBeLessThan(0.06);
  });

  it('spreads neighbouring ids uniformly', () => {
    const buckets = new Array(10).fill(0);
    for (const id of ids) buckets[Math.floor(unitHash('split', id) * 10)]++;
    for (const b of buckets) expect(Math.abs(b - ids.length / 10)).toBeLessThan(ids.length / 10 / 10);
  });
});
