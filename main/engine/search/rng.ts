/**
 * Seeded randomness for graph search's entry points. The reference draws them with its framework's RNG;
 * no JavaScript generator reproduces numpy's or torch's streams, so the workbench fixes its own and states
 * it: mulberry32 (Tommy Ettinger's 32-bit generator) for the stream, Robert Floyd's algorithm (Bentley,
 * "Programming Pearls", CACM 1987) for a uniform sample without replacement in O(sample) time and memory.
 */

/** mulberry32: uniform floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct integers from [0, n), Floyd's order: for j = n − count … n − 1 draw t uniform in [0, j];
 * take t unless already taken, else take j. `taken(i)`/`take(i)` let the caller use its own set (graph
 * search marks the entry points explored with the same stamps).
 */
export function floydSample(
  n: number,
  count: number,
  seed: number,
  set: { taken(i: number): boolean; take(i: number): void },
  out: Int32Array,
): Int32Array {
  const random = mulberry32(seed);
  let k = 0;
  for (let j = n - count; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    const pick = set.taken(t) ? j : t;
    set.take(pick);
    out[k++] = pick;
  }
  return out.subarray(0, count);
}
