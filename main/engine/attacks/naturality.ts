import type { Random } from './prng.ts';
import type { Outcome } from './types.ts';
import { isContentWord, isStopWord, type Token, tokenize } from './words.ts';

/**
 * Naturality (Penha et al., ECIR 2022): queries written the way people type keywords. Penha et al. drop
 * NLTK's stop words and lower-case; here the stop words are the `stopword` package's English list and
 * case is kept (it does not count as a change anyway). Both variants join the remaining words with
 * single spaces.
 */

const join = (tokens: Token[]) => tokens.map((t) => t.text).join(' ');
const quoted = (tokens: Token[]) => tokens.map((t) => `"${t.core}"`).join(', ');

/** Removes every stop word; a query of stop words only is left as it is (nothing would remain). */
export function dropStopWords(text: string): Outcome {
  const tokens = tokenize(text);
  const stop = tokens.filter((t) => t.core !== '' && isStopWord(t.core));
  if (stop.length === 0) return { text: null, reason: 'no stop word to drop' };
  const kept = tokens.filter((t) => !stop.includes(t));
  if (!kept.some((t) => t.core !== ''))
    return { text: null, reason: 'only stop words: nothing would remain' };
  return { text: join(kept), edit: `dropped ${quoted(stop)}` };
}

/** Removes one content word (not a stop word), chosen at random; the query must keep at least one word. */
export function dropWord(text: string, rng: Random): Outcome {
  const tokens = tokenize(text);
  const content = tokens.filter((t) => isContentWord(t.core));
  if (content.length === 0) return { text: null, reason: 'no content word to drop' };
  if (tokens.length < 2) return { text: null, reason: 'a one-word query: nothing would remain' };
  const dropped = rng.pick(content);
  return { text: join(tokens.filter((t) => t !== dropped)), edit: `dropped "${dropped.core}"` };
}
