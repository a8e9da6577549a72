/**
 * Byte-wise string order, as C's strcmp sees UTF-8 text. trec_eval breaks score ties and orders query ids
 * with strcmp, so every comparison of docnos or qids in this capability goes through here.
 */
export function compareBytewise(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 unit order equals UTF-8 byte order (= code point order) except when one unit is a
      // surrogate (a code point ≥ U+10000, 4 UTF-8 bytes) and the other lies in U+E000–U+FFFF.
      if (x >= 0xd800 && y >= 0xd800) return surrogatesLast(x) - surrogatesLast(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

function surrogatesLast(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Sorts query ids the way trec_eval lists them (strcmp order). */
export function sortBytewise(ids: Iterable<string>): string[] {
  return [...ids].sort(compareBytewise);
}
