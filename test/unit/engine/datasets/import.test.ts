import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildFullTextIndex,
  countWords,
  ensureFullTextIndex,
  FULL_TEXT_CHUNK_ROWS,
  fullTextIndexState,
  type ImportParams,
  type ImportProgress,
  type IndexProgress,
  importDataset,
  planImport,
} from '../../../../main/engine/datasets/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { bm25Search } from '../../../../main/engine/search/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { fixtures, removeTempDirs, tempDir } from '../../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

let store: Store;
beforeEach(() => {
  store = openStore(tempDir());
});
afterEach(() => store.close());

const run = (params: ImportParams, options = {}) => importDataset(store, planImport(params), options);
const sha256 = (...files: string[]) => {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex');
};
const count = (table: string) =>
  (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('BEIR folder', () => {
  it('imports passages, queries and every qrels split with exact statistics', async () => {
    const r = await run({ path: fixtures.beir, name: 'beir' });
    const d = r.dataset;
    expect(r).toMatchObject({ attached: false, documents: 4, queries: 3, judgments: 5 });
    expect(d).toMatchObject({ name: 'beir', format: 'beir', status: 'ready', hasCorpus: true });
    expect(d.stats).toMatchObject({
      documents: 4,
      queries: 3,
      judgedQueries: 3,
      judgments: 4, // the -1 label is unjudged (trec_eval), counted apart
      unjudgedEntries: 1,
      judgmentsPerLabel: { '0': 1, '1': 2, '2': 1 },
      splits: {
        dev: { queries: 1, judgedQueries: 1, judgments: 1 },
        test: { queries: 2, judgedQueries: 2, judgments: 3 },
      },
    });
    const corpus = readFileSync(join(fixtures.beir, 'corpus.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { title: string; text: string });
    const words = corpus.reduce((a, c) => a + countWords(c.title) + countWords(c.text), 0);
    expect(d.stats.meanDocLength).toBeCloseTo(words / 4, 10);
    expect(d.stats.meanQueryLength).toBeCloseTo((4 + 4 + 4) / 3, 10);
    // content hash: sha256 over the files' bytes in import order (corpus, queries, qrels by split name)
    expect(d.contentHash).toBe(
      sha256(
        ...['corpus.jsonl', 'queries.jsonl', 'qrels/dev.tsv', 'qrels/test.tsv'].map((f) =>
          join(fixtures.beir, f),
        ),
      ),
    );
    expect(store.datasets.files(d.id).map((f) => [f.role, f.split])).toEqual([
      ['corpus', null],
      ['queries', null],
      ['qrels', 'dev'],
      ['qrels', 'test'],
    ]);
  });

  it('keeps text exactly (Unicode, # in ids) and makes it searchable', async () => {
    const { dataset } = await run({ path: fixtures.beir });
    expect(store.documents.get(dataset.id, 'd3')).toEqual({
      docId: 'd3',
      title: 'Läufer café',
      text: 'Unicode text: naïve façade, 東京, and an emoji 🙂 survive import.',
    });
    expect(store.documents.get(dataset.id, 'd#4')?.title).toBe('Hash in id');
    expect(store.documents.searchFullText(dataset.id, 'façade', 5).map((h) => h.docId)).toEqual(['d3']);
    expect(store.documents.searchFullText(dataset.id, 'hypernetworks', 5).map((h) => h.docId)).toEqual([
      'd1',
    ]);
    expect(store.qrels.load(dataset.id, 'test').get('q2')).toEqual(
      new Map([
        ['d2', 1],
        ['d#4', -1],
      ]),
    );
  });

  it('reads .gz variants of every file to the same content', async () => {
    const dir = join(tempDir(), 'beir-gz');
    mkdirSync(join(dir, 'qrels'), { recursive: true });
    for (const f of ['corpus.jsonl', 'queries.jsonl', 'qrels/test.tsv', 'qrels/dev.tsv']) {
      writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(fixtures.beir, f))));
    }
    const plain = await run({ path: fixtures.beir, name: 'plain' });
    const gz = await run({ path: dir, name: 'gz' });
    expect(store.datasets.files(gz.dataset.id).every((f) => f.path.endsWith('.gz'))).toBe(true);
    expect(gz.dataset.stats).toEqual(plain.dataset.stats);
    expect([...store.documents.iterate(gz.dataset.id)]).toEqual([
      ...store.documents.iterate(plain.dataset.id),
    ]);
    expect(store.qrels.load(gz.dataset.id)).toEqual(store.qrels.load(plain.dataset.id));
  });
});

describe('dataset cards', () => {
  const folderWith = (files: Record<string, string | Buffer>): string => {
    const dir = tempDir();
    for (const f of ['corpus.jsonl', 'queries.jsonl'])
      writeFileSync(join(dir, f), readFileSync(join(fixtures.beir, f)));
    mkdirSync(join(dir, 'qrels'));
    writeFileSync(join(dir, 'qrels', 'test.tsv'), readFileSync(join(fixtures.beir, 'qrels', 'test.tsv')));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it('keeps DATASET_CARD.md (before README.md) with the dataset, and deletes it with the dataset', async () => {
    const dir = folderWith({ 'DATASET_CARD.md': '# Tiny\n\nA card.\n', 'README.md': '# readme\n' });
    const r = await run({ path: dir, name: 'carded' });
    expect(r.card).toEqual({
      card: {
        file: 'DATASET_CARD.md',
        text: '# Tiny\n\nA card.\n',
        sha256: sha256(join(dir, 'DATASET_CARD.md')),
      },
      skipped: null,
    });
    expect(store.datasets.card(r.dataset.id)?.text).toBe('# Tiny\n\nA card.\n');
    // Attaching topics and qrels leaves the folder's card as it was.
    await run({
      topics: join(fixtures.trec, 'topics.tsv'),
      qrels: join(fixtures.trec, 'qrels.txt'),
      attachTo: 'carded',
      split: 'trec',
    });
    expect(store.datasets.card(r.dataset.id)?.file).toBe('DATASET_CARD.md');
    store.datasets.delete('carded');
    expect(count('dataset_cards')).toBe(0);
  });

  it('falls back to README.md; a folder without either has no card', async () => {
    const r = await run({ path: folderWith({ 'README.md': 'readme text' }), name: 'readme' });
    expect(store.datasets.card(r.dataset.id)).toMatchObject({ file: 'README.md', text: 'readme text' });
    const none = await run({ path: fixtures.beir, name: 'plain' });
    expect(none.card).toEqual({ card: null, skipped: null });
    expect(store.datasets.card(none.dataset.id)).toBeUndefined();
  });

  it('leaves out, and reports, a card that is not UTF-8 or too large; the import itself goes through', async () => {
    const bad = await run({
      path: folderWith({ 'DATASET_CARD.md': Buffer.from([0x23, 0x20, 0xff, 0xfe]) }),
      name: 'bad',
    });
    expect(bad.card).toEqual({ card: null, skipped: { file: 'DATASET_CARD.md', reason: 'not valid UTF-8' } });
    expect(bad.dataset.stats.documents).toBe(4);
    const big = await run({ path: folderWith({ 'README.md': 'x'.repeat((1 << 20) + 1) }), name: 'big' });
    expect(big.card.skipped?.reason).toMatch(/^1048577 bytes, more than the 1048576 a card may have$/);
    expect(count('dataset_cards')).toBe(0);
  });
});

describe('other formats', () => {
  it('MS MARCO folder: collection.tsv, queries.<split>.tsv, qrels.<split>.tsv; a query listed in two splits is kept once', async () => {
    const { dataset } = await run({ path: fixtures.msmarco });
    expect(dataset.stats).toMatchObject({ documents: 3, queries: 2, judgedQueries: 2, judgments: 2 });
    expect(store.queries.list(dataset.id)).toEqual([
      { queryId: '7', split: 'dev', text: 'hypernetwork weights' },
      { queryId: '8', split: 'dev', text: 'dense retrieval' },
    ]);
    expect(store.documents.get(dataset.id, '101')?.text).toBe('A second passage, on dense retrieval.');
  });

  it('generic JSONL in the reference format with chosen keys, integer ids kept as text', async () => {
    const dir = tempDir();
    const file = join(dir, 'passages.jsonl');
    writeFileSync(
      file,
      '{"pid": 11, "passage": "first text"}\n{"pid": "x-12", "passage": "second text", "title": 5}\n',
    );
    const { dataset } = await run({ path: file, idKey: 'pid', textKey: 'passage' });
    expect([...store.documents.iterate(dataset.id)]).toEqual([
      { docId: '11', title: '', text: 'first text' },
      { docId: 'x-12', title: '', text: 'second text' },
    ]);
    expect(dataset.stats.keys).toEqual({ id: 'pid', title: null, text: 'passage' });
  });

  it('generic JSONL detects Pyserini-style keys from the first record', async () => {
    const dir = tempDir();
    const file = join(dir, 'pyserini.jsonl');
    writeFileSync(file, '{"id": "a", "contents": "alpha"}\n{"id": "b", "contents": "beta"}\n');
    const { dataset } = await run({ path: file });
    expect(dataset.stats.keys).toEqual({ id: 'id', title: null, text: 'contents' });
    expect(dataset.stats.documents).toBe(2);
  });

  it('topics + qrels with no corpus form a dataset; qrels of unknown queries are kept by default and reported', async () => {
    const { dataset } = await run({
      topics: join(fixtures.trec, 'topics.tsv'),
      qrels: join(fixtures.trec, 'qrels.txt'),
      split: 'test',
    });
    expect(dataset).toMatchObject({ name: 'trec-tiny', format: 'trec', hasCorpus: false });
    expect(dataset.stats).toMatchObject({ documents: 0, queries: 2, judgedQueries: 3, judgments: 5 });
    expect(dataset.stats.unknownQrels).toMatchObject({
      policy: 'keep',
      unknownQueries: 1,
      unknownQueryJudgments: 1,
      unknownDocuments: 0, // no corpus: documents cannot be checked
      dropped: 0,
    });
    expect(dataset.stats.unknownQrels.examples[0]).toMatch(/qrels\.txt:6: unknown query \(t9 d1\)/);
  });
});

describe('attaching topics and qrels to a corpus', () => {
  const topics = join(fixtures.trec, 'topics.tsv');
  const qrels = join(fixtures.trec, 'qrels.txt');

  it('adds queries and qrels under the split, chains the content hash, and checks qrels against the corpus', async () => {
    const base = (await run({ path: fixtures.beir, name: 'beir' })).dataset;
    const r = await run({ topics, qrels, attachTo: 'beir', split: 'trec' });
    expect(r).toMatchObject({ attached: true, documents: 0, queries: 2, judgments: 5 });
    const d = r.dataset;
    expect(d.id).toBe(base.id);
    expect(d.stats.documents).toBe(4);
    expect(d.stats.meanDocLength).toBe(base.stats.meanDocLength);
    expect(d.stats.queries).toBe(5);
    expect(d.stats.splits.trec).toEqual({ queries: 2, judgedQueries: 3, judgments: 5 });
    expect(d.stats.unknownQrels).toMatchObject({
      unknownQueries: 1,
      unknownQueryJudgments: 1,
      unknownDocuments: 1,
      unknownDocumentJudgments: 1,
    });
    const h = createHash('sha256').update(base.contentHash);
    for (const f of [topics, qrels]) h.update(readFileSync(f));
    expect(d.contentHash).toBe(h.digest('hex'));
  });

  it('--unknown drop stores only judgments of known queries and documents, counting the dropped', async () => {
    await run({ path: fixtures.beir, name: 'beir' });
    const { dataset } = await run({ topics, qrels, attachTo: 'beir', split: 'trec', unknown: 'drop' });
    expect(dataset.stats.splits.trec.judgments).toBe(3);
    expect(dataset.stats.unknownQrels).toMatchObject({ policy: 'drop', dropped: 2 });
    expect([...store.qrels.load(dataset.id, 'trec').keys()]).toEqual(['t1', 't2']);
  });

  it('--unknown error refuses the import at the first unknown, naming file, line and field, and stores none of it', async () => {
    const before = (await run({ path: fixtures.beir, name: 'beir' })).dataset;
    const error = await run({ topics, qrels, attachTo: 'beir', split: 'trec', unknown: 'error' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).message).toContain(
      `${qrels}:5: qrels name an unknown document ("zzz-unknown") (field "docno")`,
    );
    const after = store.datasets.get('beir')!;
    expect(after.stats).toEqual(before.stats);
    expect(after.contentHash).toBe(before.contentHash);
    expect(store.queries.count(before.id)).toBe(3);
    expect(store.qrels.splits(before.id)).toEqual(['dev', 'test']);
  });

  it('a query id already in the dataset: same text is kept once, another text is an error', async () => {
    await run({ path: fixtures.beir, name: 'beir' });
    const dir = tempDir();
    const same = join(dir, 'same.tsv');
    writeFileSync(same, 'q1\twhat is a hypernetwork\nnew\tnew query\n');
    expect((await run({ topics: same, attachTo: 'beir' })).queries).toBe(1);
    const other = join(dir, 'other.tsv');
    writeFileSync(other, 'q2\tanother text\n');
    await expect(run({ topics: other, attachTo: 'beir' })).rejects.toThrow(
      `${other}:1: query id "q2" is already in the dataset with another text`,
    );
  });

  it('refuses to attach to a dataset that does not exist', async () => {
    await expect(run({ topics, attachTo: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/** A JSONL corpus of `n` passages over a small vocabulary, so that BM25 has many partial matches. */
function corpusFile(n: number): string {
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron'.split(' ');
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = Array.from({ length: 8 + (i % 7) }, (_, j) => words[(i * 7 + j * j * 3) % words.length]);
    lines.push(JSON.stringify({ _id: `p${i}`, title: words[i % words.length], text: text.join(' ') }));
  }
  const file = join(tempDir(), 'passages.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const QUERIES = ['alpha beta', 'gamma theta kappa', 'omicron', 'mu nu xi delta', 'zeta zeta eta'];
const rankings = (id: number) => QUERIES.map((q) => bm25Search(store.documents, id, q, 50));
const stateRows = () => count('fulltext_indexes');

describe('full-text index', () => {
  it('is built after the import has committed, as a step with its own timing and progress', async () => {
    const seen: ImportProgress[] = [];
    const r = await run({ path: fixtures.beir }, { onProgress: (p: ImportProgress) => seen.push(p) });
    expect(r.fullText).toMatchObject({ dataset: 'beir-tiny', documents: 4, indexed: 4, alreadyBuilt: false });
    expect(r.fullText?.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(fullTextIndexState(store, r.dataset)).toEqual({ status: 'built', indexed: 4, documents: 4 });
    // the index stage comes after the commit (`finish`) and counts passages, not bytes
    const index = seen.filter((p) => p.stage === 'index');
    expect(seen.findIndex((p) => p.stage === 'index')).toBeGreaterThan(
      seen.findIndex((p) => p.stage === 'finish'),
    );
    expect(index[0]).toMatchObject({ indexed: 0, documents: 4, fraction: 0 });
    expect(index[index.length - 1]).toMatchObject({ indexed: 4, documents: 4, fraction: 1 });
  });

  it('fullText: false leaves it not built, and BM25 refuses it; buildFullTextIndex adds it once', async () => {
    const { dataset, fullText } = await run({ path: fixtures.beir, fullText: false });
    expect(fullText).toBeNull();
    expect(fullTextIndexState(store, dataset)).toEqual({ status: 'not-built', indexed: 0, documents: 4 });
    expect(() => store.documents.searchFullText(dataset.id, 'hypernetwork', 5)).toThrow(
      expect.objectContaining({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('is not built; build it with `workbench datasets index beir-tiny`'),
      }),
    );
    const controller = new AbortController();
    controller.abort();
    await expect(
      buildFullTextIndex(store, dataset.name, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(store.documents.fullTextTables()).toEqual([]); // a cancel before the start changes nothing
    expect(stateRows()).toBe(0);
    expect(await buildFullTextIndex(store, dataset.name)).toMatchObject({ indexed: 4, alreadyBuilt: false });
    expect(store.documents.searchFullText(dataset.id, 'hypernetwork', 5).map((h) => h.docId)).toEqual(['d1']);
    expect(await buildFullTextIndex(store, dataset.name)).toMatchObject({ indexed: 0, alreadyBuilt: true });
    const rebuilt = await buildFullTextIndex(store, dataset.name, { rebuild: true });
    expect(rebuilt).toMatchObject({ indexed: 4, resumedAt: 0, alreadyBuilt: false });
    expect(store.documents.searchFullText(dataset.id, 'hypernetwork', 5)).toHaveLength(1); // never duplicated
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('a cancel midway keeps the chunks done as "building", which BM25 never uses; a resume completes it', async () => {
    const file = corpusFile(2_000);
    const chunked = (await run({ path: file, name: 'chunked', fullText: false })).dataset;
    const controller = new AbortController();
    const seen: IndexProgress[] = [];
    const error = await buildFullTextIndex(store, 'chunked', {
      chunkRows: 300,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.indexed >= 600) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CANCELLED',
      message: expect.stringContaining('cancelled at 600 of 2,000 passages'),
    });
    expect((error as Error).message).toContain('`workbench datasets index chunked` resumes it');
    expect(seen.map((p) => p.indexed)).toEqual([0, 300, 600]);
    expect(fullTextIndexState(store, chunked)).toEqual({
      status: 'building',
      indexed: 600,
      documents: 2_000,
    });
    expect(() => bm25Search(store.documents, chunked.id, 'alpha', 10)).toThrow(
      /full-text index of dataset "chunked" is incomplete \(600 of 2,000 passages indexed\)/,
    );

    // The state is in the database, not in this process: another connection sees it and resumes.
    store.close();
    store = openStore(store.dataDir);
    const resumed = await ensureFullTextIndex(store, chunked.id, { chunkRows: 300 });
    expect(resumed).toMatchObject({ documents: 2_000, indexed: 1_400, resumedAt: 600, alreadyBuilt: false });
    expect(fullTextIndexState(store, chunked)).toEqual({ status: 'built', indexed: 2_000, documents: 2_000 });

    // The same rankings, scores included, as an index built in one transaction (how imports built it before).
    const whole = (await run({ path: file, name: 'whole', fullText: false })).dataset;
    store.documents.buildFullTextIndex(whole.id);
    const expected = rankings(whole.id);
    expect(expected.every((r) => r.docnos.length === 50)).toBe(true);
    expect(rankings(chunked.id)).toEqual(expected);
    expect(store.integrityCheck()).toEqual(['ok']);
    const fts = store.documents.fullTextTables();
    for (const t of fts)
      expect(() => store.db.exec(`INSERT INTO ${t} (${t}) VALUES ('integrity-check')`)).not.toThrow();
  });

  it('a cancel while the import builds its index keeps the import and says how to finish the index', async () => {
    const file = corpusFile(FULL_TEXT_CHUNK_ROWS * 2 + 1_000);
    const controller = new AbortController();
    const error = await run(
      { path: file, name: 'half' },
      {
        signal: controller.signal,
        clock: (() => {
          let t = 0;
          return () => (t += 1000); // every progress event passes the throttle
        })(),
        onProgress: (p: ImportProgress) => {
          if (p.stage === 'index' && p.indexed > 0) controller.abort();
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error).toMatchObject({ code: 'CANCELLED', details: { dataset: 'half', imported: true } });
    expect((error as Error).message).toMatch(
      /^dataset "half" was imported \(41,000 passages\); building the full-text index of dataset "half" cancelled at 20,000 of 41,000 passages/,
    );
    const dataset = store.datasets.require('half');
    expect(dataset.stats.documents).toBe(41_000);
    expect(fullTextIndexState(store, dataset)).toEqual({
      status: 'building',
      indexed: FULL_TEXT_CHUNK_ROWS,
      documents: 41_000,
    });
    expect(await buildFullTextIndex(store, 'half')).toMatchObject({ indexed: 21_000, resumedAt: 20_000 });
    expect(fullTextIndexState(store, dataset).status).toBe('built');
  });

  it('waits for an import holding the connection instead of failing, then goes on', async () => {
    const file = corpusFile(500);
    const { dataset } = await run({ path: file, name: 'wait', fullText: false });
    let release!: () => void;
    const holding = store.writeAsync(
      'the import of dataset "other"',
      () => new Promise<void>((r) => (release = r)),
    );
    const building = ensureFullTextIndex(store, dataset.id, { chunkRows: 100 });
    await new Promise((r) => setTimeout(r, 120));
    expect(stateRows()).toBe(0); // not even started while the import holds the transaction
    release();
    await holding;
    expect(await building).toMatchObject({ indexed: 500 });
  });

  it('deleting the dataset drops its index and its state', async () => {
    await run({ path: fixtures.beir, name: 'gone' });
    expect(stateRows()).toBe(1);
    store.datasets.delete('gone');
    expect(stateRows()).toBe(0);
    expect(store.documents.fullTextTables()).toEqual([]);
  });
});

describe('names, progress and cancel', () => {
  it('refuses a name that is taken and leaves the existing dataset as it was', async () => {
    const first = (await run({ path: fixtures.beir, name: 'x' })).dataset;
    await expect(run({ path: fixtures.msmarco, name: 'x' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(store.datasets.get('x')).toEqual(first);
    store.datasets.delete('x');
    expect((await run({ path: fixtures.msmarco, name: 'x' })).dataset.format).toBe('msmarco');
  });

  it('reports progress through the stages, ending at fraction 1 with the final counts', async () => {
    const seen: ImportProgress[] = [];
    let t = 0;
    await run(
      { path: fixtures.beir },
      { onProgress: (p: ImportProgress) => seen.push(p), clock: () => (t += 1000) },
    );
    const stages = seen.map((p) => p.stage).filter((s, i, a) => a.indexOf(s) === i);
    expect(stages).toEqual(['corpus', 'queries', 'qrels', 'finish', 'index']);
    const finish = seen.filter((p) => p.stage === 'finish').pop();
    expect(finish).toMatchObject({ fraction: 1, documents: 4, indexed: 0, queries: 3, judgments: 5 });
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ stage: 'index', fraction: 1, documents: 4, indexed: 4 });
    // bytes up to the commit, then passages indexed: each rises within its stage
    for (let i = 1; i < seen.length; i++)
      if (seen[i].stage === 'index' ? seen[i - 1].stage === 'index' : true)
        expect(seen[i].fraction).toBeGreaterThanOrEqual(seen[i - 1].fraction);
  });

  it('a cancel mid-import rolls everything back', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++)
      lines.push(JSON.stringify({ _id: `d${i}`, text: `passage number ${i} with a few words` }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const controller = new AbortController();
    let abortedAt = 0;
    const error = await run(
      { path: file },
      {
        signal: controller.signal,
        clock: (() => {
          let t = 0;
          return () => (t += 1000);
        })(),
        onProgress: (p: ImportProgress) => {
          if (p.documents > 0 && !controller.signal.aborted) {
            abortedAt = p.documents;
            controller.abort();
          }
        },
      },
    ).catch((e: unknown) => e);
    expect(abortedAt).toBeGreaterThan(0);
    expect(abortedAt).toBeLessThan(20_000);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(store.datasets.get('big')).toBeUndefined();
    expect([count('datasets'), count('documents'), count('dataset_files')]).toEqual([0, 0, 0]);
    expect(store.documents.fullTextTables()).toEqual([]);
    expect(stateRows()).toBe(0);
    expect(store.integrityCheck()).toEqual(['ok']);
    expect((await run({ path: file })).dataset.stats.documents).toBe(20_000);
  });
});
