/**
 * Deterministic, seeded assignment of synsets to splits and to the demo subset. Each decision is a hash of
 * the seed, the decision's name and the synset id, so it depends on nothing else: adding a synset, reading
 * the files in another order or building the subset instead of the full set never moves another synset.
 */

export const SPLIT_SEED = 'wordnet-3.1-concept-search-v1';

export type Split = 'train' | 'dev' | 'test';
export const SPLITS: readonly Split[] = ['train', 'dev', 'test'];

/** Fractions of synsets per split (the rest is train). 5 % of ~117k synsets gives ~5.9k test queries. */
export const TEST_FRACTION = 0.05;
export const DEV_FRACTION = 0.05;

/** FNV-1a, 32 bit, over the UTF-16 code units (all ids and seeds are ASCII). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // FNV's low bits mix poorly for inputs that differ in their last characters; one murmur3 finaliser fixes that.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for (decision, id). */
export function unitHash(decision: string, id: string, seed: string = SPLIT_SEED): number {
  return fnv1a32(`${seed}/${decision}/${id}`) / 2 ** 32;
}

export function splitOf(synsetId: string, seed: string = SPLIT_SEED): Split {
  const u = unitHash('split', synsetId, seed);
  if (u < TEST_FRACTION) return 'test';
  if (u < TEST_FRACTION + DEV_FRACTION) return 'dev';
  return 'train';
}

/** Whether a synset belongs to a subset holding `fraction` of all synsets. */
export function inSubset(synsetId: string, fraction: number, seed: string = SPLIT_SEED): boolean {
  return unitHash('subset', synsetId, seed) < fraction;
}
