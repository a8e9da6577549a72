/**
 * C printf's `%.Nf`, which trec_eval uses for every number it prints. JavaScript's toFixed rounds the exact
 * binary value to nearest like glibc does, except on exact ties, where toFixed rounds up and glibc rounds to
 * even (0.03125 → "0.0312" in trec_eval, "0.0313" with toFixed). Ties are rare (at 4 digits only odd
 * multiples of 1/32), so they are detected exactly and everything else goes through toFixed.
 */
export function cFixed(x: number, digits: number): string {
  // glibc prints the sign bit of x86's default NaN (0.0/0.0), which trec_eval can produce under -J.
  if (Number.isNaN(x)) return '-nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const sign = negative ? '-' : '';
  const k = exactTieFloor(a, digits);
  if (k === null) return sign + a.toFixed(digits);
  // Round half to even: k is the lower neighbour.
  const n = k % 2n === 0n ? k : k + 1n;
  const text = n.toString().padStart(digits + 1, '0');
  return digits === 0 ? sign + text : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** C's `%-Ws`: left-aligned, padded to at least `width`, never truncated. */
export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** When a·10^d is exactly k + ½ returns k, else null. Uses the exact binary value of `a` (BigInt arithmetic). */
function exactTieFloor(a: number, digits: number): bigint | null {
  const twice = a * 2 * 10 ** digits;
  // Cheap filter: an exact tie makes 2·a·10^d an odd integer, and that product is then computed exactly.
  if (!Number.isInteger(twice) || twice % 2 !== 1 || twice > Number.MAX_SAFE_INTEGER) return null;
  const { mantissa, exponent } = decompose(a);
  // a = mantissa · 2^exponent; check 2·a·10^d == twice exactly.
  const scale = 2n * 10n ** BigInt(digits);
  let lhsNum = mantissa * scale;
  let lhsDen = 1n;
  if (exponent >= 0) lhsNum <<= BigInt(exponent);
  else lhsDen <<= BigInt(-exponent);
  if (lhsNum % lhsDen !== 0n || lhsNum / lhsDen !== BigInt(twice)) return null;
  return (BigInt(twice) - 1n) / 2n;
}

function decompose(a: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}
