import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat, readVariationFile } from '../../../../main/engine/attacks/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-attacks-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const originals = new Map([
  ['156493', 'do goldfish grow'],
  ['1110199', 'what is wifi vs bluetooth'],
  ['1124210', 'tracheids are part of _____.'],
]);

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function error(promise: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected an error');
}

describe('TSV (DL-typo)', () => {
  it('reads qid<TAB>query lines; changed is computed against the dataset', async () => {
    const p = file(
      'typo1.tsv',
      '156493\tdo golddish grow\n1110199\tWhat is wifi vs bluetooth\n\n1124210\ttracheids are patr of _____.\n',
    );
    const [set] = await readVariationFile(p, { originals });
    expect(set.family).toBe('misspelling');
    expect(set.variant).toBe('imported');
    expect(set.variations).toEqual([
      { queryId: '156493', text: 'do golddish grow', changed: true, edit: 'imported from typo1.tsv' },
      {
        queryId: '1110199',
        text: 'What is wifi vs bluetooth',
        changed: false,
        edit: 'same text as the original',
      },
      {
        queryId: '1124210',
        text: 'tracheids are patr of _____.',
        changed: true,
        edit: 'imported from typo1.tsv',
      },
    ]);
    expect(set.summary).toEqual({ queries: 3, changed: 2, noCandidate: 0 });
  });

  it('takes the family from the caller and reads gzip', async () => {
    const p = file('para.tsv.gz', gzipSync('156493\tdo goldfish get bigger\n'));
    const [set] = await readVariationFile(p, { originals, family: 'paraphrase' });
    expect(set.family).toBe('paraphrase');
    expect(set.variations[0].text).toBe('do goldfish get bigger');
  });

  it('names file, line and field of bad lines', async () => {
    const noTab = await error(
      readVariationFile(file('a.tsv', '156493\tdo goldfsh grow\n1110199 what is\n'), { originals }),
    );
    expect(noTab.details).toMatchObject({ line: 2, field: 'query' });
    expect(noTab.message).toMatch(/a\.tsv:2: expected "qid<TAB>query"/);
    const unknown = await error(readVariationFile(file('b.tsv', '999\tfoo\n'), { originals }));
    expect(unknown.message).toMatch(/b\.tsv:1: query "999" is not a query of the dataset/);
    const dup = await error(
      readVariationFile(file('c.tsv', '156493\ta\n1110199\tb\n156493\tc\n'), { originals }),
    );
    expect(dup.code).toBe('INPUT_DUPLICATE');
    expect(dup.message).toMatch(/c\.tsv:3: query "156493" appears again \(first on line 1\)/);
    expect((await error(readVariationFile(file('d.tsv', '\n\n'), { originals }))).code).toBe('INPUT_EMPTY');
  });
});

describe('query_variation_generators CSV', () => {
  const header = 'dataset,q_id,method,transformation_type,original_query,variation,valid,follow_category\n';

  it('gives one set per (transformation_type, method), with quoting and the "mispelling" spelling', async () => {
    const p = file(
      'variations.csv',
      header +
        'msmarco,156493,WordSwapQWERTY,mispelling,do goldfish grow,do golffish grow,True,True\n' +
        'msmarco,1110199,WordSwapQWERTY,mispelling,what is wifi vs bluetooth,what is wigi vs bluetooth,True,True\n' +
        'msmarco,156493,WordInnerSwapRandom,ordering,do goldfish grow,do grow goldfish,True,True\n' +
        'msmarco,1124210,WordInnerSwapRandom,ordering,"tracheids are part of _____.","part are tracheids of _____., ""quoted""",True,True\n' +
        'msmarco,1110199,ramsrigouthamg/t5_paraphraser,paraphrase,what is wifi vs bluetooth,what is wifi vs bluetooth,False,False\n',
    );
    const sets = await readVariationFile(p, { originals });
    expect(sets.map((s) => [s.family, s.variant, s.summary.queries, s.summary.changed])).toEqual([
      ['misspelling', 'WordSwapQWERTY', 2, 2],
      ['ordering', 'WordInnerSwapRandom', 2, 2],
      ['paraphrase', 'ramsrigouthamg/t5_paraphraser', 1, 0],
    ]);
    expect(sets[1].variations[1]).toEqual({
      queryId: '1124210',
      text: 'part are tracheids of _____., "quoted"',
      changed: true,
      edit: 'WordInnerSwapRandom (ordering)',
    });
    expect(sets[2].variations[0].edit).toBe(
      'ramsrigouthamg/t5_paraphraser (paraphrase), marked not valid in the file',
    );
    expect(sets.every((s) => s.originalMismatches === 0)).toBe(true);
  });

  it('reads quoted fields across lines and counts originals that differ from the dataset', async () => {
    const p = file(
      'multi.csv',
      `${header}msmarco,156493,m,synonym,"do goldfish\ngrow",do goldfish develop,True,True\nmsmarco,1110199,m,synonym,what is wi-fi,what is wlan vs bluetooth,True,True\n`,
    );
    const [set] = await readVariationFile(p, { originals });
    expect(set.variations.map((v) => v.queryId)).toEqual(['156493', '1110199']);
    expect(set.originalMismatches).toBe(1);
  });

  it('names file, line and field of bad rows', async () => {
    const noCol = await error(
      readVariationFile(file('h.csv', 'dataset,qid,variation\nx,1,y\n'), { originals }),
    );
    expect(noCol.details).toMatchObject({ line: 1, field: 'q_id' });
    const fields = await error(
      readVariationFile(file('f.csv', `${header}msmarco,156493,m,ordering,x,y,True\n`), { originals }),
    );
    expect(fields.message).toMatch(/f\.csv:2: expected 8 fields as in the header, found 7/);
    const family = await error(
      readVariationFile(file('g.csv', `${header}msmarco,156493,m,gen,x,y,True,True\n`), { originals }),
    );
    expect(family.details).toMatchObject({ line: 2, field: 'transformation_type' });
    const open = await error(
      readVariationFile(file('o.csv', `${header}msmarco,156493,m,ordering,"x,y,True,True\n`), { originals }),
    );
    expect(open.message).toMatch(/o\.csv:2: a quoted field is never closed/);
    const unknown = await error(
      readVariationFile(file('u.csv', `${header}msmarco,1,m,ordering,x,y,True,True\n`), { originals }),
    );
    expect(unknown.details).toMatchObject({ line: 2, field: 'qid' });
  });

  it('detects the format from the name', () => {
    expect(detectFormat('x/variations_trec2019_labeled.csv')).toBe('csv');
    expect(detectFormat('x/v.CSV.gz')).toBe('csv');
    expect(detectFormat('queries.dl2019.typo1.tsv')).toBe('tsv');
  });
});
