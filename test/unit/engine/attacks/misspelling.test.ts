import { describe, expect, it } from 'vitest';
import {
  CHARACTER_EDITS,
  generateVariations,
  isStopWord,
  mulberry32,
  qwertyNeighbours,
  tokenize,
} from '../../../../main/engine/attacks/index.ts';
import { editWord } from '../../../../main/engine/attacks/misspelling.ts';
import { letterCount } from '../../../../main/engine/attacks/words.ts';
import { DL19_TOPICS, HAS_DL19, OWN_QUERIES, readTopics } from './helpers.ts';

const GOLDEN_QUERIES = OWN_QUERIES.slice(0, 3).concat({ queryId: 'o99', text: 'the of a' });
const rows = (variant: string) =>
  generateVariations(GOLDEN_QUERIES, { family: 'misspelling', variant, seed: 42 }).variations.map((v) => [
    v.queryId,
    v.text,
    v.changed,
    v.edit,
  ]);
const NONE = 'no word of ≥ 3 letters that is not a stop word';

describe('misspelling golden outputs (seed 42)', () => {
  it('dl-typo: one edit of any kind, lower-cased', () => {
    expect(rows('dl-typo')).toEqual([
      ['o1', 'hypernetworks for information eetrieval', true, 'qwerty "retrieval" → "eetrieval"'],
      ['o2', 'what is the capital of farnce?', true, 'swap "france" → "farnce"'],
      ['o3', 'how do sharks slsep', true, 'substitute "sleep" → "slsep"'],
      ['o99', 'the of a', false, NONE],
    ]);
  });

  it('swap, qwerty, insert, delete, substitute keep case', () => {
    expect(rows('swap').slice(0, 3)).toEqual([
      ['o1', 'Hypernetworks for information rertieval', true, 'swap "retrieval" → "rertieval"'],
      ['o2', 'what is the capital of farnce?', true, 'swap "france" → "farnce"'],
      ['o3', 'how do hsarks sleep', true, 'swap "sharks" → "hsarks"'],
    ]);
    expect(rows('qwerty').slice(0, 3)).toEqual([
      ['o1', 'Hypernetworks for informarion retrieval', true, 'qwerty "information" → "informarion"'],
      ['o2', 'what is the capitzl of france?', true, 'qwerty "capital" → "capitzl"'],
      ['o3', 'how do sharks aleep', true, 'qwerty "sleep" → "aleep"'],
    ]);
    expect(rows('insert').slice(0, 3)).toEqual([
      ['o1', 'Hypernetworks for information revtrieval', true, 'insert "retrieval" → "revtrieval"'],
      ['o2', 'what is the capitali of france?', true, 'insert "capital" → "capitali"'],
      ['o3', 'how do sharks sfleep', true, 'insert "sleep" → "sfleep"'],
    ]);
    expect(rows('delete').slice(0, 3)).toEqual([
      ['o1', 'Hypernetworks for informatio retrieval', true, 'delete "information" → "informatio"'],
      ['o2', 'what is the capital of rance?', true, 'delete "france" → "rance"'],
      ['o3', 'how do sharks seep', true, 'delete "sleep" → "seep"'],
    ]);
    expect(rows('substitute')).toEqual([
      ['o1', 'Hwpernetworks for information retrieval', true, 'substitute "Hypernetworks" → "Hwpernetworks"'],
      ['o2', 'what is the cakital of france?', true, 'substitute "capital" → "cakital"'],
      ['o3', 'how do sharks sleet', true, 'substitute "sleep" → "sleet"'],
      ['o99', 'the of a', false, NONE],
    ]);
  });
});

describe('character edits', () => {
  const words = ['retrieval', 'Bluetooth', 'aab', "medicare's", 'jamaica'];

  it('each edit does what its name says, and always changes the word', () => {
    const r = mulberry32(5);
    for (let round = 0; round < 200; round++) {
      for (const w of words) {
        for (const edit of CHARACTER_EDITS) {
          const out = editWord(w, edit, r);
          expect(out.toLowerCase()).not.toBe(w.toLowerCase());
          const diff = [...w].map((c, i) => (out[i] === c ? -1 : i)).filter((i) => i >= 0);
          if (edit === 'swap') {
            expect(out.length).toBe(w.length);
            expect(diff).toHaveLength(2);
            expect(diff[1]).toBe(diff[0] + 1);
            expect(out[diff[0]]).toBe(w[diff[1]]);
          } else if (edit === 'qwerty' || edit === 'substitute') {
            expect(out.length).toBe(w.length);
            expect(diff).toHaveLength(1);
            if (edit === 'qwerty')
              expect(qwertyNeighbours(w[diff[0]].toLowerCase())).toContain(out[diff[0]].toLowerCase());
            // Case follows the replaced letter.
            expect(out[diff[0]] === out[diff[0]].toUpperCase()).toBe(w[diff[0]] === w[diff[0]].toUpperCase());
          } else if (edit === 'insert') {
            expect(out.length).toBe(w.length + 1);
            expect([...Array(out.length).keys()].some((i) => out.slice(0, i) + out.slice(i + 1) === w)).toBe(
              true,
            );
          } else {
            expect(out.length).toBe(w.length - 1);
            expect([...Array(w.length).keys()].some((i) => w.slice(0, i) + w.slice(i + 1) === out)).toBe(
              true,
            );
          }
        }
      }
    }
  });

  it('never swaps equal neighbours nor edits the apostrophe', () => {
    const r = mulberry32(9);
    for (let i = 0; i < 300; i++) {
      expect(editWord('aab', 'swap', r)).toBe('aba');
      expect(editWord("it's", 'delete', r)).toContain("'");
      expect(editWord("it's", 'substitute', r)).toContain("'");
    }
  });
});

/**
 * The DL-typo constraints: exactly one word differs from the lower-cased original, that word has ≥ 3
 * letters and is not a stop word, and it differs in more than case.
 */
function checkTypoConstraints(original: string, variation: string): void {
  const a = tokenize(original.toLowerCase());
  const b = tokenize(variation);
  expect(variation).toBe(variation.toLowerCase());
  expect(b.length).toBe(a.length);
  const changed = a.flatMap((t, i) => (t.text !== b[i].text ? [i] : []));
  expect(changed, `${original} → ${variation}`).toHaveLength(1);
  const word = a[changed[0]];
  expect(letterCount(word.core)).toBeGreaterThanOrEqual(3);
  expect(isStopWord(word.core)).toBe(false);
  expect(b[changed[0]].core).not.toBe(word.core);
  // Punctuation around the word is untouched.
  expect(b[changed[0]].text.slice(0, b[changed[0]].coreStart)).toBe(word.text.slice(0, word.coreStart));
}

describe('DL-typo recipe constraints', () => {
  it('hold on every query of our own list, ten seeds', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const g = generateVariations(OWN_QUERIES, { family: 'misspelling', variant: 'dl-typo', seed });
      expect(g.summary.changed).toBe(OWN_QUERIES.length);
      g.variations.forEach((v, i) => {
        checkTypoConstraints(OWN_QUERIES[i].text, v.text);
      });
    }
  });

  describe.skipIf(!HAS_DL19)('on TREC DL 2019', () => {
    it('hold on every one of the 43 queries, ten seeded sets, and every query changes', () => {
      const topics = readTopics(DL19_TOPICS);
      expect(topics).toHaveLength(43);
      const kinds = new Set<string>();
      for (let seed = 1; seed <= 10; seed++) {
        const g = generateVariations(topics, { family: 'misspelling', variant: 'dl-typo', seed });
        expect(g.summary).toEqual({ queries: 43, changed: 43, noCandidate: 0 });
        g.variations.forEach((v, i) => {
          expect(v.queryId).toBe(topics[i].queryId);
          checkTypoConstraints(topics[i].text, v.text);
          kinds.add(v.edit.split(' ')[0]);
        });
      }
      expect([...kinds].sort()).toEqual(['delete', 'insert', 'qwerty', 'substitute', 'swap']);
    });

    it('every single-edit variant changes every query', () => {
      const topics = readTopics(DL19_TOPICS);
      for (const variant of CHARACTER_EDITS) {
        const g = generateVariations(topics, { family: 'misspelling', variant, seed: 3 });
        expect(g.summary.changed, variant).toBe(43);
        for (const v of g.variations) expect(v.edit.startsWith(`${variant} `)).toBe(true);
      }
    });
  });
});
