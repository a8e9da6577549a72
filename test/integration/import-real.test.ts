/** Imports of the real datasets in ../shared/datasets, with the counts their README states. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import { importDataset, planImport } from '../../main/engine/datasets/index.ts';
import { exportRun, importRun } from '../../main/engine/runs/index.ts';
import { openStore, type Store } from '../../main/engine/store/index.ts';
import { hasSharedDatasets, removeTempDirs, sharedDatasets, tempDir } from '../fixtures/datasets/paths.ts';

if (!hasSharedDatasets) {
  console.warn(
    `import-real: skipped — ${sharedDatasets} is absent (real datasets live beside the repository, not in it)`,
  );
}

describe.skipIf(!hasSharedDatasets)('real datasets', () => {
  let store: Store;
  beforeAll(() => {
    store = openStore(tempDir());
  });
  afterAll(() => {
    store.close();
    removeTempDirs();
  });

  it('BEIR SciFact: 5,183 documents, 300 queries all judged, 339 judgments', async () => {
    const { dataset } = await importDataset(store, planImport({ path: join(sharedDatasets, 'scifact') }));
    expect(dataset).toMatchObject({ name: 'scifact', format: 'beir' });
    expect(dataset.stats).toMatchObject({
      documents: 5183,
      queries: 300, // queries.jsonl holds exactly the 300 test queries
      judgedQueries: 300,
      judgments: 339,
      judgmentsPerLabel: { '1': 339 },
      splits: { test: { queries: 300, judgedQueries: 300, judgments: 339 } },
      unknownQrels: { unknownQueries: 0, unknownDocuments: 0 },
    });
    expect(dataset.stats.meanDocLength).toBeGreaterThan(150);
    const phrase = '"microstructural development of human newborn cerebral white matter"';
    expect(store.documents.searchFullText(dataset.id, phrase, 3).map((h) => h.docId)).toEqual(['4983']);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('through the CLI: import and `datasets show --json` report the same counts', async () => {
    const data = tempDir();
    let out = '';
    const io = {
      stdout: {
        write: (t: string) => {
          out += t;
          return true;
        },
      },
      stderr: { write: () => true },
    };
    expect(await main(['--data', data, 'datasets', 'import', join(sharedDatasets, 'scifact')], io)).toBe(0);
    out = '';
    expect(await main(['--data', data, 'datasets', 'show', 'scifact', '--json'], io)).toBe(0);
    expect(JSON.parse(out).stats).toMatchObject({
      documents: 5183,
      queries: 300,
      judgedQueries: 300,
      judgments: 339,
    });
  });

  it('TREC DL 2019 passage topics + qrels, no corpus: 43 judged queries, 9,260 judgments', async () => {
    const dir = join(sharedDatasets, 'trec-dl-2019-passage');
    const { dataset } = await importDataset(
      store,
      planImport({ topics: join(dir, 'topics.tsv'), qrels: join(dir, 'qrels.txt'), split: 'test' }),
    );
    expect(dataset).toMatchObject({ name: 'trec-dl-2019-passage', hasCorpus: false });
    expect(dataset.stats).toMatchObject({
      documents: 0,
      queries: 43,
      judgedQueries: 43,
      judgments: 9260,
      judgmentsPerLabel: { '0': 5158, '1': 1601, '2': 1804, '3': 697 },
    });
    const qrels = store.qrels.load(dataset.id, 'test');
    expect(qrels.size).toBe(43);
    expect([...qrels.values()].reduce((a, m) => a + m.size, 0)).toBe(9260);
  });

  it('TREC DL 2020: all 200 topics, of which 54 judged', async () => {
    const dir = join(sharedDatasets, 'trec-dl-2020-passage');
    const { dataset } = await importDataset(store, planImport({ path: dir, name: 'dl20' }));
    expect(dataset.stats).toMatchObject({ queries: 200, judgedQueries: 54, judgments: 11386 });
  });

  it('a DL-Hard run of 50,000 lines imports and exports to the same ranking', async () => {
    const dir = join(sharedDatasets, 'dl-hard');
    await importDataset(
      store,
      planImport({
        topics: join(dir, 'topics.tsv'),
        qrels: join(dir, 'dl_hard-passage.qrels'),
        name: 'dl-hard',
      }),
    );
    const file = join(dir, 'runs', 'bm25.run');
    const { run, lines, queries } = await importRun(store, { path: file, dataset: 'dl-hard' });
    expect({ lines, queries }).toEqual({ lines: 50000, queries: 50 });
    expect(run.stats.unknownQueries).toBe(0);
    const out = join(tempDir(), 'bm25.run');
    exportRun(store, run, out);
    // same (qid, docno, score) triples; ranks agree with the file's wherever the file has no score ties
    const key = (l: string) => {
      const f = l.split(/\s+/);
      return `${f[0]} ${f[2]} ${Number(f[4])}`;
    };
    const original = readFileSync(file, 'utf8').trim().split('\n');
    const exported = readFileSync(out, 'utf8').trim().split('\n');
    expect(exported.map(key).sort()).toEqual(original.map(key).sort());
    const fields = (lines: string[]) => lines.map((l) => l.split(/\s+/));
    const perScore = new Map<string, number>();
    const scoreKey = (f: string[]) => `${f[0]} ${Number(f[4])}`; // "25.2999" and "25.299900" are one score
    for (const f of fields(original)) perScore.set(scoreKey(f), (perScore.get(scoreKey(f)) ?? 0) + 1);
    // documents with a score unique within their query keep the file's order …
    const untied = (lines: string[]) =>
      fields(lines)
        .filter((f) => perScore.get(scoreKey(f)) === 1)
        .map((f) => `${f[0]} ${f[2]}`);
    expect(untied(exported).length).toBeGreaterThan(10_000);
    expect(untied(exported)).toEqual(untied(original));
    // … and tied ones come by docno descending (trec_eval)
    const ex = fields(exported);
    let tiedPairs = 0;
    for (let i = 1; i < ex.length; i++) {
      if (ex[i][0] === ex[i - 1][0] && Number(ex[i][4]) === Number(ex[i - 1][4])) {
        tiedPairs++;
        expect(Buffer.compare(Buffer.from(ex[i - 1][2]), Buffer.from(ex[i][2]))).toBe(1);
      }
    }
    expect(tiedPairs).toBeGreaterThan(0);
  });
});
