/**
 * IEEE 754 half precision, which Node 20 has no typed array for: embeddings may be stored as float16
 * (half the disk and memory) and precomputed `.npy` files come as `<f2`. Rounding is to nearest, ties to
 * even, like numpy's `astype(np.float16)`.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: m·2^-24 with m = (1.mantissa)·2^(e-1+10) before rounding.
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    const m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (rest > halfway || (rest === halfway && (m & 1) === 1) ? m + 1 : m);
  }
  const m = mantissa >>> 13;
  const rest = mantissa & 0x1fff;
  const h = sign | (e << 10) | m;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1) ? h + 1 : h;
}

let table: Float32Array | undefined;

/** All 65536 half values as float32, built once (256 kB) so decoding is a lookup. */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    table[h] =
      e === 0
        ? sign * m * 2 ** -24
        : e === 31
          ? m !== 0
            ? Number.NaN
            : sign * Number.POSITIVE_INFINITY
          : sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  return table;
}

export function halfToFloat(h: number): number {
  return halfTable()[h & 0xffff];
}

export function encodeHalf(
  values: Float32Array,
  out: Uint16Array = new Uint16Array(values.length),
): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
  return out;
}

export function decodeHalf(
  halves: Uint16Array,
  out: Float32Array = new Float32Array(halves.length),
): Float32Array {
  const t = halfTable();
  for (let i = 0; i < halves.length; i++) out[i] = t[halves[i]];
  return out;
}
