import { describe, expect, it } from 'vitest';
import { compareUtf8, rankDocuments } from '../../../../main/engine/runs/index.ts';

describe('compareUtf8', () => {
  it('orders as the UTF-8 bytes do (strcmp), also where UTF-16 code units disagree', () => {
    const words = ['b', 'a', 'ab', '', 'A', '\uffff', '😀', 'é', '#1', 'a#'];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareUtf8)).toEqual(byBytes);
    // the case plain JS comparison gets wrong: U+FFFF (EF BF BF) sorts before U+1F600 (F0 9F 98 80)
    expect(compareUtf8('\uffff', '😀')).toBeLessThan(0);
    expect('\uffff' < '😀').toBe(false);
  });
});

describe('rankDocuments', () => {
  it('ranks by score descending, ties by docno descending, whatever the input order', () => {
    const r = rankDocuments(['d1', 'd3', 'd2', 'd10', 'x'], [0.5, 0.5, 0.9, 0.5, -1]);
    expect(r.docnos).toEqual(['d2', 'd3', 'd10', 'd1', 'x']); // "d3" > "d10" > "d1" byte-wise
    expect([...r.scores]).toEqual([0.9, 0.5, 0.5, 0.5, -1]);
  });

  it('keeps scores as exact doubles: values equal in float32 are not ties here', () => {
    const a = 1.0000000001;
    const b = 1.0000000002;
    expect(Math.fround(a)).toBe(Math.fround(b));
    const r = rankDocuments(['z', 'a'], [a, b]);
    expect(r.docnos).toEqual(['a', 'z']);
    expect(r.scores[0]).toBe(b);
  });

  it('handles empty input', () => {
    const r = rankDocuments([], []);
    expect(r.docnos).toEqual([]);
    expect(r.scores.length).toBe(0);
  });
});
