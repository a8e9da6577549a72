import { afterAll, describe, expect, it } from 'vitest';
import {
  generateVariations,
  synonymCandidates,
  tokenize,
  WordNet,
} from '../../../../main/engine/attacks/index.ts';
import { dropStopWords, dropWord } from '../../../../main/engine/attacks/naturality.ts';
import { shuffleWords } from '../../../../main/engine/attacks/ordering.ts';
import { mulberry32 } from '../../../../main/engine/attacks/prng.ts';
import { OWN_QUERIES } from './helpers.ts';

const wordnet = new WordNet();
afterAll(() => wordnet.close());
const GOLDEN_QUERIES = OWN_QUERIES.slice(0, 3).concat({ queryId: 'o99', text: 'the of a' });
const rows = (family: 'naturality' | 'ordering' | 'synonym', variant: string) =>
  generateVariations(GOLDEN_QUERIES, { family, variant, seed: 42 }, wordnet).variations.map((v) => [
    v.queryId,
    v.text,
    v.changed,
    v.edit,
  ]);

describe('naturality', () => {
  it('drop-stopwords removes every stop word and nothing else (golden)', () => {
    expect(rows('naturality', 'drop-stopwords')).toEqual([
      ['o1', 'Hypernetworks information retrieval', true, 'dropped "for"'],
      ['o2', 'capital france?', true, 'dropped "what", "is", "the", "of"'],
      ['o3', 'sharks sleep', true, 'dropped "how", "do"'],
      ['o99', 'the of a', false, 'only stop words: nothing would remain'],
    ]);
    expect(dropStopWords('define visceral?')).toEqual({ text: null, reason: 'no stop word to drop' });
  });

  it('drop-word removes exactly one content word (golden)', () => {
    expect(rows('naturality', 'drop-word')).toEqual([
      ['o1', 'Hypernetworks for information', true, 'dropped "retrieval"'],
      ['o2', 'what is the capital of', true, 'dropped "france"'],
      ['o3', 'how do sleep', true, 'dropped "sharks"'],
      ['o99', 'the of a', false, 'no content word to drop'],
    ]);
    expect(dropWord('goldfish', mulberry32(1))).toEqual({
      text: null,
      reason: 'a one-word query: nothing would remain',
    });
    const r = mulberry32(3);
    for (let i = 0; i < 100; i++) {
      const out = dropWord('the quick brown fox', r);
      if (out.text === null) throw new Error('expected a variation');
      expect(tokenize(out.text)).toHaveLength(3);
      expect(out.text).toContain('the');
    }
  });
});

describe('ordering', () => {
  it('shuffles the words, never back into the original order (golden)', () => {
    expect(rows('ordering', 'shuffle')).toEqual([
      ['o1', 'for Hypernetworks information retrieval', true, 'word order 2 1 3 4'],
      ['o2', 'what capital france? the is of', true, 'word order 1 4 6 3 2 5'],
      ['o3', 'sleep sharks how do', true, 'word order 4 3 1 2'],
      ['o99', 'the a of', true, 'word order 1 3 2'],
    ]);
    const r = mulberry32(11);
    for (let i = 0; i < 200; i++)
      expect(shuffleWords('goldfish grow', r)).toMatchObject({ text: 'grow goldfish' });
    expect(shuffleWords('New new', r)).toEqual({ text: null, reason: 'all words are the same' });
    expect(shuffleWords('goldfish', r)).toEqual({ text: null, reason: 'fewer than two words' });
  });
});

describe('synonym (WordNet 3.1)', () => {
  it('replaces one content word by a WordNet synonym (golden)', () => {
    expect(rows('synonym', 'wordnet')).toEqual([
      [
        'o1',
        'Hypernetworks for information recovery',
        true,
        'synonym "retrieval" → "recovery" (noun 00046648)',
      ],
      ['o2', 'what is the cap of france?', true, 'synonym "capital" → "cap" (noun 02959683)'],
      ['o3', 'how do sharks sopor', true, 'synonym "sleep" → "sopor" (noun 14049464)'],
      ['o99', 'the of a', false, 'no content word has a WordNet synonym'],
    ]);
  });

  it('finds the synsets of inflected words through their base form', () => {
    const causes = synonymCandidates(wordnet, 'causes').map((c) => c.word);
    expect(causes).toContain('reason'); // noun "cause": reason, grounds
    expect(causes).toContain('induce'); // verb "cause": induce, stimulate, have, get, make
    expect(causes).not.toContain('cause');
    // Irregular plural through WordNet's exception list: geese → goose → goof, goofball, …
    expect(synonymCandidates(wordnet, 'geese').map((c) => c.word)).toContain('goofball');
    // Every synset of "shark" has the one lemma: no candidate.
    expect(synonymCandidates(wordnet, 'sharks')).toEqual([]);
    expect(synonymCandidates(wordnet, 'founded').map((c) => c.word)).toContain('establish');
  });

  it('keeps single-word lemmas only and flags queries without a candidate', () => {
    for (const c of synonymCandidates(wordnet, 'cook')) expect(c.word).toMatch(/^[a-z][a-z'-]*$/);
    const g = generateVariations(
      [{ queryId: 'x', text: 'sigmet qwzxv' }],
      { family: 'synonym', variant: 'wordnet', seed: 1 },
      wordnet,
    );
    expect(g.variations[0]).toMatchObject({ changed: false, edit: 'no content word has a WordNet synonym' });
    expect(g.summary.noCandidate).toBe(1);
  });

  it('never picks a word whose base form is a stop word ("does" → "do")', () => {
    for (let seed = 0; seed < 30; seed++) {
      const g = generateVariations(
        [{ queryId: 'x', text: 'does aspirin thin blood' }],
        { family: 'synonym', variant: 'wordnet', seed },
        wordnet,
      );
      expect(g.variations[0].edit).not.toMatch(/^synonym "does"/);
    }
  });
});
