import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDatasetStats, openStore, type Store } from '../../../../main/engine/store/index.ts';
import { removeTempDirs, tempDir } from '../../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

let store: Store;
beforeEach(() => {
  store = openStore(tempDir(), { now: () => new Date('2025-01-02T03:04:05Z') });
});
afterEach(() => store.close());

function addDataset(name: string, docs: [string, string, string][]): number {
  return store.transaction(() => {
    const id = store.datasets.create(
      { name, format: 'beir', sourcePath: `/data/${name}`, contentHash: 'h', hasCorpus: docs.length > 0 },
      emptyDatasetStats(),
    );
    for (const [docId, title, text] of docs) store.documents.insert(id, docId, title, text);
    if (docs.length) store.documents.buildFullTextIndex(id);
    store.datasets.update(id, {
      contentHash: 'h',
      hasCorpus: docs.length > 0,
      stats: emptyDatasetStats(),
      status: 'ready',
    });
    return id;
  });
}

describe('datasets and documents', () => {
  it('lists only committed datasets, by name, with their timestamps from the injected clock', () => {
    addDataset('b', []);
    addDataset('a', []);
    store.transaction(() =>
      store.datasets.create(
        { name: 'c', format: 'trec', sourcePath: '/c', contentHash: '', hasCorpus: false },
        emptyDatasetStats(),
      ),
    );
    expect(store.datasets.list().map((d) => d.name)).toEqual(['a', 'b']);
    expect(store.datasets.get('a')?.createdAt).toBe('2025-01-02T03:04:05.000Z');
    expect(() => store.datasets.require('c')).toThrow(/no dataset named "c"/);
  });

  it('enforces unique doc ids per dataset, not across datasets', () => {
    const a = addDataset('a', [['d1', '', 'x']]);
    const b = addDataset('b', [['d1', '', 'y']]);
    expect(store.documents.get(b, 'd1')?.text).toBe('y');
    expect(() => store.documents.insert(a, 'd1', '', 'again')).toThrow(
      expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }),
    );
  });

  it('keeps one full-text index per dataset, so BM25 statistics are per collection', () => {
    const a = addDataset('a', [
      ['a1', 'Hypernetworks', 'weights of a q-net'],
      ['a2', '', 'inner product retrieval'],
    ]);
    const before = store.documents.searchFullText(a, 'hypernetwork', 10);
    expect(before.map((h) => h.docId)).toEqual(['a1']); // porter stemming: hypernetworks → hypernetwork
    const b = addDataset('b', [
      ['b1', '', 'hypernetwork hypernetwork hypernetwork'],
      ['b2', '', 'hypernetwork'],
      ['b3', '', 'hypernetwork baseline'],
    ]);
    expect(store.documents.searchFullText(b, 'hypernetwork', 10).map((h) => h.docId)).toEqual([
      'b1',
      'b2',
      'b3',
    ]);
    // b's documents (the term everywhere) leave a's idf and lengths — and so a1's BM25 score — untouched.
    expect(store.documents.searchFullText(a, 'hypernetwork', 10)).toEqual(before);
    expect(store.documents.fullTextTables()).toEqual([`documents_fts_${a}`, `documents_fts_${b}`]);
    // FTS5's own consistency check against the dataset's content view.
    expect(() =>
      store.db.exec(`INSERT INTO documents_fts_${b}(documents_fts_${b}) VALUES ('integrity-check')`),
    ).not.toThrow();
  });

  it('builds an index chunk by chunk, each committed with its state; searches only a built one', () => {
    const id = addDataset('chunks', []);
    store.transaction(() => {
      for (let i = 0; i < 5; i++) store.documents.insert(id, `d${i}`, '', `passage ${i} about hypernetworks`);
    });
    expect(store.documents.fullTextIndex(id)).toBeUndefined();
    expect(store.documents.startFullTextIndex(id)).toMatchObject({
      status: 'building',
      documents: 5,
      indexed: 0,
    });
    expect(store.documents.indexFullTextChunk(id, 2)).toMatchObject({ status: 'building', indexed: 2 });
    expect(store.documents.indexFullTextChunk(id, 2)).toMatchObject({ status: 'building', indexed: 4 });
    expect(() => store.documents.searchFullText(id, 'hypernetwork', 10)).toThrow(
      expect.objectContaining({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('4 of 5 passages indexed'),
      }),
    );
    // A process that stops between chunks leaves exactly this state behind.
    store.close();
    store = openStore(store.dataDir, { now: () => new Date('2025-01-02T03:04:05Z') });
    expect(store.documents.fullTextIndex(id)).toMatchObject({
      status: 'building',
      indexed: 4,
      finishedAt: null,
    });
    expect(store.documents.indexFullTextChunk(id, 2)).toMatchObject({
      status: 'built',
      indexed: 5,
      finishedAt: '2025-01-02T03:04:05.000Z',
    });
    expect(store.documents.indexFullTextChunk(id, 2)).toMatchObject({ status: 'built', indexed: 5 }); // no-op
    expect(store.documents.searchFullText(id, 'hypernetwork', 10)).toHaveLength(5);
  });

  it('the database refuses an index marked built before every passage is in it', () => {
    const id = addDataset('strict', []);
    store.transaction(() => {
      for (let i = 0; i < 3; i++) store.documents.insert(id, `d${i}`, '', 'text');
    });
    store.documents.startFullTextIndex(id);
    store.documents.indexFullTextChunk(id, 1);
    expect(() =>
      store.db
        .prepare("UPDATE fulltext_indexes SET status = 'built', finished_at = 'now' WHERE dataset_id = ?")
        .run(id),
    ).toThrow(/CHECK constraint failed/);
    expect(store.documents.fullTextIndex(id)?.status).toBe('building');
  });

  it('scores title + text as one passage: bm25 is the same whether words sit in the title or the text', () => {
    const split = addDataset('split', [
      ['a', 'Hypernetworks', 'a hypernetwork makes weights'],
      ['b', '', 'dense retrieval with inner products'],
      ['c', 'Weights', 'of a small network'],
    ]);
    const joined = addDataset('joined', [
      ['a', '', 'Hypernetworks a hypernetwork makes weights'],
      ['b', '', 'dense retrieval with inner products'],
      ['c', '', 'Weights of a small network'],
    ]);
    const query = 'hypernetwork OR weights';
    const scores = (id: number) => store.documents.searchFullText(id, query, 10);
    expect(scores(split).map((h) => h.docId)).toEqual(['a', 'c']);
    expect(scores(split).map((h) => h.score)).toEqual(scores(joined).map((h) => h.score));
  });

  it('deleting a dataset removes its documents, index, queries, qrels and files, and detaches runs', () => {
    const a = addDataset('a', [['d1', 't', 'some text']]);
    const keep = addDataset('keep', [['k1', '', 'kept text']]);
    store.transaction(() => {
      store.queries.insert(a, 'q1', 'test', 'query');
      store.qrels.insert(a, 'test', 'q1', 'd1', 1);
      store.datasets.addFile(a, { role: 'corpus', path: '/x', split: null, bytes: 3 });
    });
    const runId = store.runs.create({ name: 'r', datasetId: a, tag: null, format: 'trec', source: 'x' });
    expect(store.datasets.delete('a')).toBe(true);
    const count = (table: string) =>
      (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('documents')).toBe(1);
    expect(count('queries')).toBe(0);
    expect(count('qrels')).toBe(0);
    expect(count('dataset_files')).toBe(0);
    expect(store.documents.fullTextTables()).toEqual([`documents_fts_${keep}`]);
    expect(store.runs.getById(runId)?.datasetId).toBeNull();
    expect(store.datasets.delete('a')).toBe(false);
    expect(store.integrityCheck()).toEqual(['ok']);
  });
});

describe('queries and qrels', () => {
  it('loads qrels as qid → docno → label maps, per split or merged', () => {
    const id = addDataset('d', []);
    store.transaction(() => {
      store.qrels.insert(id, 'test', 'q1', 'd1', 2);
      store.qrels.insert(id, 'test', 'q1', 'd2', -1);
      store.qrels.insert(id, 'dev', 'q2', 'd1', 0);
      store.qrels.insert(id, null, 'q3', 'd9', 1);
    });
    const test = store.qrels.load(id, 'test');
    expect([...test.entries()].map(([q, m]) => [q, [...m.entries()]])).toEqual([
      [
        'q1',
        [
          ['d1', 2],
          ['d2', -1],
        ],
      ],
    ]);
    expect(store.qrels.load(id, null).get('q3')?.get('d9')).toBe(1);
    expect(store.qrels.load(id).size).toBe(3);
    const summary = store.qrels.summary(id);
    expect(summary).toEqual({
      judgedQueries: 3,
      judgments: 3,
      judgmentsPerLabel: { '0': 1, '1': 1, '2': 1 },
      unjudgedEntries: 1,
      splits: {
        '': { judgedQueries: 1, judgments: 1 },
        dev: { judgedQueries: 1, judgments: 1 },
        test: { judgedQueries: 1, judgments: 1 },
      }, // the -1 is unjudged
    });
  });

  it('rejects a second judgment of the same pair in one split, also without a split', () => {
    const id = addDataset('d', []);
    store.qrels.insert(id, null, 'q1', 'd1', 1);
    expect(() => store.qrels.insert(id, null, 'q1', 'd1', 0)).toThrow(
      expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }),
    );
    store.qrels.insert(id, 'test', 'q1', 'd1', 0); // another split may judge it
    expect(store.qrels.label(id, null, 'q1', 'd1')).toBe(1);
  });

  it('assigns a query the split of the qrels that judge it, only when unambiguous', () => {
    const id = addDataset('d', []);
    store.transaction(() => {
      for (const q of ['q1', 'q2', 'q3']) store.queries.insert(id, q, null, `text ${q}`);
      store.queries.insert(id, 'q4', 'train', 'fixed');
      store.qrels.insert(id, 'test', 'q1', 'd', 1);
      store.qrels.insert(id, 'test', 'q2', 'd', 1);
      store.qrels.insert(id, 'dev', 'q2', 'e', 1);
      store.qrels.insert(id, 'test', 'q4', 'd', 1);
      store.queries.assignSplitsFromQrels(id);
    });
    expect(store.queries.list(id).map((q) => [q.queryId, q.split])).toEqual([
      ['q1', 'test'],
      ['q2', null],
      ['q3', null],
      ['q4', 'train'],
    ]);
    expect(store.queries.countBySplit(id)).toEqual({ '': 2, test: 1, train: 1 });
  });
});

describe('runs and metrics', () => {
  it('round-trips rankings with the exact doubles and docnos containing #', () => {
    const run = store.runs.create({ name: 'r', datasetId: null, tag: 'T', format: 'trec', source: 'f' });
    const scores = new Float64Array([0.30000000000000004, 1e-300, -0, -5.5]);
    store.runs.addRanking(run, 'q1', 'query text', { docnos: ['a#1', 'b', 'c', 'd'], scores });
    store.runs.addRanking(run, 'q0', null, { docnos: [], scores: new Float64Array(0) });
    const rankings = store.runs.getRankings(run);
    expect([...rankings.keys()]).toEqual(['q1', 'q0']); // stored order
    const q1 = rankings.get('q1')!;
    expect(q1.docnos).toEqual(['a#1', 'b', 'c', 'd']);
    expect(q1.scores).toBeInstanceOf(Float64Array);
    expect([...q1.scores]).toEqual([...scores]);
    expect(Object.is(q1.scores[2], -0)).toBe(true);
    expect(rankings.get('q0')!.docnos).toEqual([]);
    expect([...store.runs.iterateResults(run)][0].queryText).toBe('query text');
  });

  it('saves per-query and aggregate metrics with their settings; same settings replace, others add', () => {
    const run = store.runs.create({ name: 'r', datasetId: null, tag: null, format: null, source: 'f' });
    const base = {
      relevanceLevel: 1,
      cutoff: 10,
      averaging: 'run-and-qrels',
      depth: 1000,
      judgedOnly: false,
      qrelsHash: 'abc',
    };
    store.metrics.save(run, [
      { queryId: null, measure: 'ndcg_cut.10', value: 0.5, settings: base },
      { queryId: 'q1', measure: 'ndcg_cut.10', value: 0.25, settings: base },
      { queryId: null, measure: 'ndcg_cut.10', value: 0.4, settings: { ...base, relevanceLevel: 2 } },
    ]);
    // the same settings with keys in another order are the same settings: the value is replaced
    const reordered = {
      qrelsHash: 'abc',
      judgedOnly: false,
      depth: 1000,
      averaging: 'run-and-qrels',
      cutoff: 10,
      relevanceLevel: 1,
    };
    store.metrics.save(run, [{ queryId: null, measure: 'ndcg_cut.10', value: 0.55, settings: reordered }]);
    const all = store.metrics.list(run);
    expect(all).toHaveLength(3);
    const agg = store.metrics.list(run, { aggregateOnly: true });
    expect(agg.map((m) => [m.settings.relevanceLevel, m.value]).sort()).toEqual([
      [1, 0.55],
      [2, 0.4],
    ]);
    expect(store.metrics.list(run, { aggregateOnly: false })).toEqual([
      { queryId: 'q1', measure: 'ndcg_cut.10', value: 0.25, settings: base },
    ]);
  });

  it('deleting a run deletes its rankings and metrics', () => {
    const run = store.runs.create({ name: 'r', datasetId: null, tag: null, format: null, source: 'f' });
    store.runs.addRanking(run, 'q', null, { docnos: ['d'], scores: new Float64Array([1]) });
    store.metrics.save(run, [
      {
        queryId: null,
        measure: 'map',
        value: 1,
        settings: {
          relevanceLevel: 1,
          cutoff: null,
          averaging: 'x',
          depth: null,
          judgedOnly: false,
          qrelsHash: 'h',
        },
      },
    ]);
    expect(store.runs.delete('r')).toBe(true);
    const n = (t: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([n('runs'), n('run_results'), n('metrics')]).toEqual([0, 0, 0]);
  });
});
