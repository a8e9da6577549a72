import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import { emptyDatasetStats, openStore } from '../../main/engine/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-attacks-cli-'));
const data = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const QUERIES: [string, string][] = [
  ['156493', 'do goldfish grow'],
  ['1110199', 'what is wifi vs bluetooth'],
  ['130510', 'definition declaratory judgment'],
  ['1124210', 'tracheids are part of _____.'],
];

beforeAll(() => {
  const store = openStore(data);
  store.transaction(() => {
    const id = store.datasets.create(
      { name: 'dl19', format: 'trec', sourcePath: dir, contentHash: 'x', hasCorpus: false },
      emptyDatasetStats(),
    );
    for (const [qid, text] of QUERIES) store.queries.insert(id, qid, null, text);
    store.datasets.update(id, {
      contentHash: 'x',
      hasCorpus: false,
      stats: emptyDatasetStats(),
      status: 'ready',
    });
  });
  store.close();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--data', data, ...args], {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
    },
  });
  return { code, out, err };
}

describe('workbench attacks', () => {
  it('generates seeded sets, and the same spec again only reports the stored set', async () => {
    const r = await cli(
      'attacks',
      'generate',
      '--family',
      'misspelling',
      '--seed',
      '1',
      '--sets',
      '2',
      '--dataset',
      'dl19',
    );
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(
      'created dl19/misspelling-dl-typo/seed1: 4 queries, 4 changed\ncreated dl19/misspelling-dl-typo/seed2: 4 queries, 4 changed\n',
    );
    const again = await cli(
      'attacks',
      'generate',
      '--family',
      'misspelling',
      '--variant',
      'dl-typo',
      '--seed',
      '2',
      '--dataset',
      'dl19',
    );
    expect(again.out).toBe('exists  dl19/misspelling-dl-typo/seed2: 4 queries, 4 changed\n');
  });

  it('shows a set as JSON with every variation and its original', async () => {
    const r = await cli('attacks', 'show', 'dl19/misspelling-dl-typo/seed1', '--json');
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out) as {
      set: Record<string, unknown>;
      variations: { queryId: string; original: string; text: string; changed: boolean; edit: string }[];
    };
    expect(shown.set).toMatchObject({
      name: 'dl19/misspelling-dl-typo/seed1',
      dataset: 'dl19',
      family: 'misspelling',
      variant: 'dl-typo',
      seed: 1,
      source: 'generated',
    });
    expect(shown.variations.map((v) => [v.queryId, v.original])).toEqual(QUERIES);
    for (const v of shown.variations) {
      expect(v.changed).toBe(true);
      expect(v.edit).toMatch(/^(swap|qwerty|insert|delete|substitute) "/);
    }
    const text = await cli('attacks', 'show', 'dl19/misspelling-dl-typo/seed1');
    expect(text.out).toContain('qid\tchanged\toriginal\tvariation\tedit\n');
    expect(text.out).toContain(`156493\tyes\tdo goldfish grow\t${shown.variations[0].text}\t`);
  });

  it('generates every available family with --family all and says why paraphrase is skipped', async () => {
    const r = await cli('attacks', 'generate', '--family', 'all', '--seed', '5', '--dataset', 'dl19');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(10);
    expect(r.out).toContain(
      'created dl19/naturality-drop-stopwords/seed5: 4 queries, 3 changed, 1 without a candidate',
    );
    expect(r.err).toMatch(/^skipped paraphrase: unavailable — needs a paraphrase model/);
  });

  it('imports a DL-typo TSV and a query-variation CSV', async () => {
    const tsv = join(dir, 'queries.dl2019.typo1.tsv');
    writeFileSync(tsv, '156493\tdo golddish grow\n1110199\twhat is wifj vs bluetooth\n');
    const t = await cli('attacks', 'import', tsv, '--dataset', 'dl19');
    expect(t).toMatchObject({
      code: 0,
      out: 'imported dl19/queries.dl2019.typo1: 2 queries, 2 changed (misspelling/imported)\n',
    });
    const csv = join(dir, 'variations_trec2019_labeled.csv');
    writeFileSync(
      csv,
      'dataset,q_id,method,transformation_type,original_query,variation,valid,follow_category\n' +
        'msmarco,156493,back_translation_pivot_language_de,paraphrase,do goldfish grow,do goldfish get bigger,True,True\n' +
        'msmarco,1110199,back_translation_pivot_language_de,paraphrase,what is wifi vs bluetooth,what is wifi vs bluetooth,False,False\n',
    );
    const c = await cli('attacks', 'import', csv, '--dataset', 'dl19', '--name', 'bt');
    expect(c.out).toBe('imported bt: 2 queries, 1 changed (paraphrase/back_translation_pivot_language_de)\n');
  });

  it('lists sets and the families, paraphrase shown unavailable with its reason', async () => {
    const r = await cli('attacks', 'list', '--json');
    const listed = JSON.parse(r.out) as {
      sets: { name: string }[];
      families: { family: string; generate: boolean; reason?: string }[];
    };
    expect(listed.sets.map((s) => s.name)).toContain('bt');
    expect(listed.sets).toHaveLength(14); // 2 + 10 generated, 2 imported
    expect(listed.families.find((f) => f.family === 'paraphrase')).toMatchObject({
      generate: false,
      reason: expect.stringContaining('none is installed'),
    });
    const text = await cli('attacks', 'list', '--dataset', 'dl19');
    expect(text.out).toMatch(/paraphrase\s+unavailable: needs a paraphrase model/);
    expect(text.out).toMatch(
      /dl19\/misspelling-dl-typo\/seed1\s+dl19\s+misspelling\/dl-typo\s+1\s+4\s+4\s+generated/,
    );
  });

  it('deletes a set', async () => {
    expect((await cli('attacks', 'delete', 'bt')).out).toBe('deleted variation set bt\n');
    const r = await cli('attacks', 'show', 'bt');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error \[NOT_FOUND\]: no variation set named "bt"/);
  });

  it('reports bad requests with the place and what to do', async () => {
    const p = await cli('attacks', 'generate', '--family', 'paraphrase', '--seed', '1', '--dataset', 'dl19');
    expect(p).toMatchObject({ code: 1 });
    expect(p.err).toMatch(/error \[UNAVAILABLE\]: paraphrase: needs a paraphrase model .*`attacks import/);
    const f = await cli('attacks', 'generate', '--family', 'typos', '--seed', '1', '--dataset', 'dl19');
    expect(f.err).toMatch(/--family: unknown family "typos". Families: misspelling, naturality/);
    const s = await cli('attacks', 'generate', '--family', 'ordering', '--seed', '-3', '--dataset', 'dl19');
    expect(s.code).not.toBe(0);
    const d = await cli('attacks', 'generate', '--family', 'ordering', '--seed', '1', '--dataset', 'dl20');
    expect(d.err).toMatch(/NOT_FOUND.*no dataset named "dl20"/);
    const param = await cli(
      'attacks',
      'generate',
      '--family',
      'misspelling',
      '--variant',
      'swap',
      '--param',
      'minWordLength',
      '--seed',
      '1',
      '--dataset',
      'dl19',
    );
    expect(param.err).toMatch(/--param takes key=value/);
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, '156493\tdo goldfsh grow\n999\tunknown\n');
    const i = await cli('attacks', 'import', bad, '--dataset', 'dl19');
    expect(i.err).toMatch(
      /bad\.tsv:2: query "999" is not a query of the dataset \(field "qid"\)\. Import the file into the dataset its queries come from/,
    );
  });
});
