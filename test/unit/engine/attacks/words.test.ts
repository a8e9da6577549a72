import { describe, expect, it } from 'vitest';
import { QWERTY_NEIGHBOURS, qwertyNeighbours } from '../../../../main/engine/attacks/index.ts';
import {
  isChanged,
  isStopWord,
  letterCount,
  replaceCore,
  STOP_WORDS,
  tokenize,
} from '../../../../main/engine/attacks/words.ts';

describe('tokenize', () => {
  it('finds each word with its core, punctuation around it left out', () => {
    const tokens = tokenize('define  visceral? tracheids are part of _____.');
    expect(tokens.map((t) => [t.start, t.text, t.core])).toEqual([
      [0, 'define', 'define'],
      [8, 'visceral?', 'visceral'],
      [18, 'tracheids', 'tracheids'],
      [28, 'are', 'are'],
      [32, 'part', 'part'],
      [37, 'of', 'of'],
      [40, '_____.', ''],
    ]);
    expect(tokenize("(medicare's)")[0]).toMatchObject({ core: "medicare's", coreStart: 1 });
  });

  it('replaces a core and keeps every other character, spacing included', () => {
    const text = 'define  "visceral"?';
    const t = tokenize(text)[1];
    expect(replaceCore(text, t, 'vsiceral')).toBe('define  "vsiceral"?');
  });

  it('counts letters only', () => {
    expect(letterCount('ww1')).toBe(2);
    expect(letterCount("medicare's")).toBe(9);
    expect(letterCount('ïle')).toBe(3);
  });
});

describe('stop words and "changed"', () => {
  it('uses the stopword package English list, case-insensitively', () => {
    expect(STOP_WORDS.size).toBe(108);
    expect(isStopWord('The')).toBe(true);
    expect(isStopWord('what')).toBe(true);
    expect(isStopWord('goldfish')).toBe(false);
  });

  it('does not count case or spacing as a change', () => {
    expect(isChanged('Do Goldfish grow', 'do goldfish  grow ')).toBe(false);
    expect(isChanged('do goldfish grow', 'do goldfsh grow')).toBe(true);
  });
});

describe('QWERTY neighbours', () => {
  it('follows the staggered ANSI rows', () => {
    expect([...qwertyNeighbours('s')].sort()).toEqual(['a', 'd', 'e', 'w', 'x', 'z']);
    expect([...qwertyNeighbours('p')].sort()).toEqual(['l', 'o']);
    expect([...qwertyNeighbours('m')].sort()).toEqual(['j', 'k', 'n']);
    expect(qwertyNeighbours('1')).toEqual([]);
  });

  it('is symmetric and covers the 26 letters', () => {
    expect(QWERTY_NEIGHBOURS.size).toBe(26);
    for (const [k, near] of QWERTY_NEIGHBOURS) for (const n of near) expect(qwertyNeighbours(n)).toContain(k);
  });
});
