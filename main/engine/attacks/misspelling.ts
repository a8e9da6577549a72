import { qwertyNeighbours } from './keyboard.ts';
import type { Random } from './prng.ts';
import type { CharacterEdit, MisspellingVariant, Outcome } from './types.ts';
import { isLetter, isStopWord, letterCount, replaceCore, type Token, tokenize } from './words.ts';

/**
 * Misspellings (Penha et al., ECIR 2022, after textattack's WordSwap* transformations): one word of the
 * query gets one character edit. The DL-typo recipe (Zhuang & Zuccon, "Dealing with Typos for
 * BERT-based Passage Retrieval and Ranking", EMNLP 2021; their make_typo_queries.py) draws the edit from
 * all five kinds, edits exactly one word of ≥ 3 letters that is not a stop word, lower-cases the query
 * and resamples when the result differs only in case.
 */

export const CHARACTER_EDITS: readonly CharacterEdit[] = ['swap', 'qwerty', 'insert', 'delete', 'substitute'];

export interface MisspellingParams {
  /** Words with fewer letters are never edited (textattack MinWordLength(3) in the DL-typo recipe). */
  minWordLength: number;
  /** Never edit a stop word (textattack StopwordModification). */
  skipStopWords: boolean;
  /** Lower-case the whole query (the DL-typo recipe does). */
  lowercase: boolean;
}

export function defaultMisspellingParams(variant: MisspellingVariant): MisspellingParams {
  return { minWordLength: 3, skipStopWords: true, lowercase: variant === 'dl-typo' };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
/** An edit that changed nothing but case is drawn again; this bounds the redraws of a pathological word. */
const MAX_DRAWS = 1000;

const lower = (ch: string) => ch.toLowerCase();
const sameCase = (like: string, ch: string) => (like !== like.toLowerCase() ? ch.toUpperCase() : ch);

/** Positions (code-point indexes) where the edit can change the word. */
function positions(chars: string[], edit: CharacterEdit): number[] {
  const out: number[] = [];
  if (edit === 'insert') {
    for (let i = 0; i <= chars.length; i++) out.push(i);
    return out;
  }
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (!isLetter(c)) continue;
    if (edit === 'swap') {
      // Swapping equal letters is no typo; textattack would return the word unchanged.
      if (i + 1 < chars.length && isLetter(chars[i + 1]) && lower(chars[i + 1]) !== lower(c)) out.push(i);
    } else if (edit === 'qwerty') {
      if (qwertyNeighbours(lower(c)).length > 0) out.push(i);
    } else {
      out.push(i);
    }
  }
  return out;
}

function applicable(word: string, edit: CharacterEdit): boolean {
  return positions(Array.from(word), edit).length > 0;
}

/** One edit of one word; the caller has checked that the edit is applicable. */
export function editWord(word: string, edit: CharacterEdit, rng: Random): string {
  const chars = Array.from(word);
  const i = rng.pick(positions(chars, edit));
  switch (edit) {
    case 'swap':
      [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
      break;
    case 'qwerty':
      chars[i] = sameCase(chars[i], rng.pick(qwertyNeighbours(lower(chars[i]))));
      break;
    case 'insert':
      chars.splice(i, 0, ALPHABET[rng.int(26)]);
      break;
    case 'delete':
      chars.splice(i, 1);
      break;
    case 'substitute': {
      const others = ALPHABET.replace(lower(chars[i]), '');
      chars[i] = sameCase(chars[i], others[rng.int(others.length)]);
      break;
    }
  }
  return chars.join('');
}

function eligibleWords(tokens: Token[], params: MisspellingParams): Token[] {
  return tokens.filter(
    (t) => letterCount(t.core) >= params.minWordLength && !(params.skipStopWords && isStopWord(t.core)),
  );
}

function describeEligibility(params: MisspellingParams): string {
  return `no word of ≥ ${params.minWordLength} letters${params.skipStopWords ? ' that is not a stop word' : ''}`;
}

/** Misspells one word of `text`, or says why it cannot. */
export function misspell(
  text: string,
  variant: MisspellingVariant,
  params: MisspellingParams,
  rng: Random,
): Outcome {
  const tokens = tokenize(text);
  const edits = variant === 'dl-typo' ? CHARACTER_EDITS : [variant];
  // A word takes part when at least one of the variant's edits can change it.
  const words = eligibleWords(tokens, params).filter((t) => edits.some((e) => applicable(t.core, e)));
  if (words.length === 0) {
    const eligible = eligibleWords(tokens, params).length > 0;
    return {
      text: null,
      reason: eligible ? `no word where a ${variant} edit changes a letter` : describeEligibility(params),
    };
  }
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    // A word uniformly, then one of the edits that can change it (textattack's augmenter draws one
    // candidate per word and transformation; for words of ≥ 3 letters every edit applies, so the two agree).
    const word = rng.pick(words);
    const edit = rng.pick(edits.filter((e) => applicable(word.core, e)));
    const core = editWord(word.core, edit, rng);
    if (lower(core) === lower(word.core)) continue;
    const varied = replaceCore(text, word, core);
    const show = (w: string) => (params.lowercase ? w.toLowerCase() : w);
    return {
      text: params.lowercase ? varied.toLowerCase() : varied,
      edit: `${edit} "${show(word.core)}" → "${show(core)}"`,
    };
  }
  return { text: null, reason: `no edit changed more than case in ${MAX_DRAWS} draws` };
}
