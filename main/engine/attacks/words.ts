import { eng } from 'stopword';

/**
 * Words of a query as the attacks see them: whitespace-separated tokens, each with its core (the token
 * without leading and trailing punctuation, so "visceral?" has the core "visceral" and "_____." none).
 * Edits touch the core only; the punctuation around it stays where it was.
 */
export interface Token {
  /** Offset of the token in the query text. */
  start: number;
  text: string;
  /** Offset of the core inside `text`. */
  coreStart: number;
  core: string;
}

const TOKEN = /\S+/g;
const CORE = /^[^\p{L}\p{N}]*([\s\S]*?)[^\p{L}\p{N}]*$/u;
const LETTER = /\p{L}/u;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    const core = CORE.exec(t)?.[1] ?? '';
    const coreStart = core === '' ? 0 : t.indexOf(core);
    tokens.push({ start: m.index ?? 0, text: t, coreStart, core });
  }
  return tokens;
}

export function isLetter(ch: string): boolean {
  return LETTER.test(ch);
}

/** Letters (not digits or apostrophes) in a word: the DL-typo rule counts "words of ≥ 3 letters". */
export function letterCount(word: string): number {
  let n = 0;
  for (const ch of word) if (isLetter(ch)) n++;
  return n;
}

/**
 * English stop words of the `stopword` package (its `eng` list, 108 words). The DL-typo scripts used
 * NLTK's 179-word list; this one is a subset of it in spirit (function words, no contractions), kept in
 * a maintained npm package so that the list is the same on every install.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(eng.map((w) => w.toLowerCase()));

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase());
}

/** A content word: has a letter and is not a stop word. */
export function isContentWord(core: string): boolean {
  return core !== '' && LETTER.test(core) && !isStopWord(core);
}

/** Text as compared for "changed": case and spacing do not count (BERT-style encoders are uncased). */
export function comparable(text: string): string {
  return text.toLowerCase().split(/\s+/).filter(Boolean).join(' ');
}

/** Whether a variation differs from its original in more than case and whitespace. */
export function isChanged(original: string, variation: string): boolean {
  return comparable(original) !== comparable(variation);
}

/** The query with one token's core replaced, all other characters (spacing included) kept. */
export function replaceCore(text: string, token: Token, core: string): string {
  const at = token.start + token.coreStart;
  return text.slice(0, at) + core + text.slice(at + token.core.length);
}
