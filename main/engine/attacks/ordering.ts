import type { Random } from './prng.ts';
import type { Outcome } from './types.ts';
import { tokenize } from './words.ts';

/** A shuffle that gives back the original order is drawn again, at most this often. */
const MAX_DRAWS = 100;

/**
 * Ordering (Penha et al., ECIR 2022): the words in a random order (Fisher–Yates), drawn again until the
 * order differs from the original — textattack's WordInnerSwapRandom, which Penha et al. used, swaps
 * two words; a full shuffle is the stronger attack the reproduction describes. Punctuation travels with
 * its word.
 */
export function shuffleWords(text: string, rng: Random): Outcome {
  const words = tokenize(text).map((t) => t.text);
  if (new Set(words.map((w) => w.toLowerCase())).size < 2) {
    return { text: null, reason: words.length < 2 ? 'fewer than two words' : 'all words are the same' };
  }
  const original = words.join(' ').toLowerCase();
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const order = words.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const shuffled = order.map((i) => words[i]).join(' ');
    if (shuffled.toLowerCase() !== original)
      return { text: shuffled, edit: `word order ${order.map((i) => i + 1).join(' ')}` };
  }
  return { text: null, reason: `no shuffle changed the order in ${MAX_DRAWS} draws` };
}
