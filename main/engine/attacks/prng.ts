/**
 * Seeded randomness for the attack generators. Every query gets its own stream, seeded from the set's
 * seed, the generator and the query id, so a query's variation never depends on which other queries are
 * in the set or in what order they come (a split or a subset gives the same text for the same query).
 *
 * Generator: mulberry32 (Tommy Ettinger, public domain) — 32-bit state, passes gjrand/PractRand to
 * 2^32 outputs, far more than a query needs. Stream seeds: FNV-1a (32-bit) over the UTF-16 code units
 * of the key, finished with MurmurHash3's fmix32 so that keys differing in one character start far apart.
 */

export interface Random {
  /** Uniform in [0, 1), 2^-32 resolution. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A uniformly chosen element; the array must not be empty. */
  pick<T>(items: readonly T[]): T;
}

export function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(next() * n);
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick() from an empty list');
      return items[int(items.length)];
    },
  };
}

/** The stream of one query in one generated set. */
export function queryRandom(generator: string, seed: number, queryId: string): Random {
  return mulberry32(hash32(`${generator}\u0000${seed}\u0000${queryId}`));
}
