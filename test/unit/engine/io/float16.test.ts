import { describe, expect, it } from 'vitest';
import { decodeHalf, encodeHalf, floatToHalf, halfToFloat } from '../../../../main/engine/io/float16.ts';

describe('float16', () => {
  it('encodes known values with round-to-nearest-even (numpy astype float16)', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to infinity
      [1e9, 0x7c00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie with 0 → even
      [1.5 * 2 ** -25, 0x0001],
      [2 ** -14, 0x0400], // smallest normal
      [1 + 2 ** -11, 0x3c00], // tie → even mantissa
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    for (const [value, half] of cases) expect([value, floatToHalf(value)]).toEqual([value, half]);
    expect(floatToHalf(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(floatToHalf(Number.NaN) & 0x3ff).not.toBe(0);
  });

  it('decodes subnormals, infinities and NaN', () => {
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x8000)).toBe(-0);
    expect(halfToFloat(0xc100)).toBe(-2.5);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      if (floatToHalf(halfToFloat(h)) !== h) throw new Error(`half ${h.toString(16)} does not round-trip`);
    }
    const values = Float32Array.from([0.5, -1.25, 3.140625]);
    expect(Array.from(decodeHalf(encodeHalf(values)))).toEqual([0.5, -1.25, 3.140625]);
  });
});
