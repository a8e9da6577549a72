import { describe, expect, it } from 'vitest';
import { cFixed, compareBytewise } from '../../../../main/engine/eval/index.ts';

describe('cFixed (C printf %.Nf)', () => {
  it('rounds exact binary ties to even as glibc does, unlike toFixed', () => {
    expect((0.03125).toFixed(4)).toBe('0.0313');
    expect(cFixed(0.03125, 4)).toBe('0.0312');
    expect(cFixed(0.09375, 4)).toBe('0.0938');
    expect(cFixed(0.125, 2)).toBe('0.12');
    expect(cFixed(0.375, 2)).toBe('0.38');
    expect(cFixed(2.5, 0)).toBe('2');
  });

  it('matches toFixed away from ties, including values that only look like ties', () => {
    // 0.00015 is not exactly representable: it lies below the tie, so both give 0.0001… in C as well.
    expect(cFixed(0.00015, 4)).toBe((0.00015).toFixed(4));
    expect(cFixed(0.33333333, 4)).toBe('0.3333');
    expect(cFixed(1, 4)).toBe('1.0000');
    expect(cFixed(-978.68, 4)).toBe('-978.6800');
    expect(cFixed(-0, 4)).toBe('-0.0000');
  });

  it('prints NaN as glibc prints x86 0/0', () => {
    expect(cFixed(Number.NaN, 4)).toBe('-nan');
  });
});

describe('compareBytewise', () => {
  it('orders like strcmp on UTF-8 bytes', () => {
    expect(compareBytewise('a', 'b')).toBeLessThan(0);
    expect(compareBytewise('ab', 'a')).toBeGreaterThan(0);
    expect(compareBytewise('Z', 'a')).toBeLessThan(0);
    // U+FF21 is EF BC A1, U+1F600 is F0 9F 98 80: bytes say U+FF21 first, UTF-16 units say the opposite.
    expect(compareBytewise('\u{FF21}', '\u{1F600}')).toBeLessThan(0);
    expect('\u{FF21}' < '\u{1F600}').toBe(false);
    expect(compareBytewise('é', 'z')).toBeGreaterThan(0);
    expect(compareBytewise('same', 'same')).toBe(0);
  });
});
