import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkbenchError } from '../../../../main/engine/errors.ts';
import { evaluate, loadRun } from '../../../../main/engine/eval/index.ts';
import { formatRunLine } from '../../../../main/engine/io/trec.ts';
import { QnetScorer, queryParams } from '../../../../main/engine/qnet/index.ts';
import {
  bm25Match,
  type Corpus,
  exhaustiveQnetSearch,
  FlatIndex,
  GraphArtifacts,
  graphSearch,
  readCorpusFiles,
  readNpy,
  readQnetQueries,
  readQueryEmbeddings,
  resolvePreset,
  SearchService,
  writeNpy,
} from '../../../../main/engine/search/index.ts';
import type { SearchTasks } from '../../../../main/engine/search/tasks.ts';
import { emptyDatasetStats, openStore, type Store } from '../../../../main/engine/store/index.ts';
import { WorkerPool } from '../../../../main/engine/workers/index.ts';
import {
  clusteredCorpus,
  docnos,
  gaussian,
  qnetParams,
  qnetSpec,
  random,
  referenceScorer,
} from './helpers.ts';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb-search-'));
  temps.push(dir);
  return dir;
}

const WORDS = [
  'graph',
  'query',
  'neural',
  'retrieval',
  'hypernetwork',
  'passage',
  'ranking',
  'sparse',
  'dense',
  'index',
  'vector',
  'lexical',
];

/** A dataset whose passages have text (for BM25) and whose rows match the embeddings written beside it. */
function addDataset(store: Store, ids: string[], queries: [string, string][]): number {
  const rnd = random(77);
  return store.transaction(() => {
    const id = store.datasets.create(
      { name: 'toy', format: 'beir', sourcePath: '/toy', contentHash: 'h', hasCorpus: true },
      emptyDatasetStats(),
    );
    for (const docId of ids) {
      const words = Array.from({ length: 6 }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
      store.documents.insert(id, docId, '', words.join(' '));
    }
    store.documents.buildFullTextIndex(id);
    for (const [qid, text] of queries) store.queries.insert(id, qid, 'test', text);
    store.datasets.update(id, {
      contentHash: 'h',
      hasCorpus: true,
      stats: emptyDatasetStats(),
      status: 'ready',
    });
    return id;
  });
}

const dim = 16;
const rows = 900;
const Q = 5;
const spec = qnetSpec([dim, 16, 16, 1]);

interface Files {
  dir: string;
  docs: string;
  docIds: string;
  qnetDir: string;
  queries: string;
  queryIds: string;
}

/** Embeddings, ids and q-net parameters on disk, in the formats `search` reads. */
function writeInputs(dir: string): Files {
  const data = clusteredCorpus(rows, dim, 41, 15, 30);
  const files: Files = {
    dir,
    docs: join(dir, 'docs.npy'),
    docIds: join(dir, 'docs.txt'),
    qnetDir: join(dir, 'qnet'),
    queries: join(dir, 'queries.npy'),
    queryIds: join(dir, 'queries.txt'),
  };
  writeNpy(files.docs, data, [rows, dim]);
  writeFileSync(files.docIds, `${docnos(rows).join('\n')}\n`);
  mkdirSync(files.qnetDir);
  writeFileSync(join(files.qnetDir, 'qnet.json'), JSON.stringify({ dims: spec.dims }));
  const ids = Array.from({ length: Q }, (_, q) => `q${q + 1}`);
  writeFileSync(join(files.qnetDir, 'query_ids.txt'), `${ids.join('\n')}\n`);
  const per = Array.from({ length: Q }, (_, q) => qnetParams(spec, 900 + q));
  for (let j = 0; j < spec.dims.length - 1; j++) {
    const w = new Float32Array(Q * spec.dims[j] * spec.dims[j + 1]);
    for (let q = 0; q < Q; q++) w.set(per[q].weights[j], q * per[q].weights[j].length);
    writeNpy(join(files.qnetDir, `qnet_w${j}.npy`), w, [Q, spec.dims[j], spec.dims[j + 1]]);
    if (j < spec.dims.length - 2) {
      const b = new Float32Array(Q * spec.dims[j + 1]);
      for (let q = 0; q < Q; q++) b.set(per[q].biases[j], q * per[q].biases[j].length);
      writeNpy(join(files.qnetDir, `qnet_b${j}.npy`), b, [Q, spec.dims[j + 1]]);
    }
  }
  const g = gaussian(random(5));
  const qe = Float32Array.from(
    { length: Q * dim },
    (_, i) => data[((Math.floor(i / dim) * 131) % rows) * dim + (i % dim)] + 0.2 * g(),
  );
  writeNpy(files.queries, qe, [Q, dim]);
  writeFileSync(files.queryIds, `${ids.join('\n')}\n`);
  return files;
}

describe('SearchService', () => {
  let dataDir: string;
  let store: Store;
  let files: Files;
  let corpus: Corpus;
  let datasetId: number;
  beforeEach(() => {
    dataDir = tempDir();
    store = openStore(dataDir);
    files = writeInputs(tempDir());
    corpus = readCorpusFiles(files.docs, files.docIds);
    datasetId = addDataset(store, docnos(rows), [
      ['q1', 'neural graph retrieval'],
      ['q2', 'dense vector index'],
      ['q3', 'lexical ranking of passages'],
      ['q4', 'hypernetwork query'],
      ['q5', '!!!'],
    ]);
  });
  afterEach(() => store.close());

  it('reads what it wrote: .npy round trip and the q-net folder', () => {
    const npy = readNpy(files.docs);
    expect(npy.shape).toEqual([rows, dim]);
    expect(npy.data).toEqual(corpus.embeddings);
    const qnet = readQnetQueries(files.qnetDir);
    expect(qnet.ids).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(qnet.params.weights[0].length).toBe(Q * dim * 16);
    writeFileSync(join(files.dir, 'short.txt'), 'a\nb\n');
    expect(() => readCorpusFiles(files.docs, join(files.dir, 'short.txt'))).toThrow(
      /900 rows but .*short.txt lists 2 ids/,
    );
  });

  it('records exhaustive q-net search as a run whose rankings equal the direct search, exportable as TREC', async () => {
    const service = new SearchService({ store, dataDir });
    const queries = readQnetQueries(files.qnetDir);
    const texts = new Map(store.queries.list(datasetId).map((q) => [q.queryId, q.text]));
    const summary = await service.run({
      mode: 'qnet',
      runName: 'qnet-exh',
      datasetId,
      topK: 50,
      corpus,
      queries,
      queryTexts: texts,
    });
    const run = store.runs.require('qnet-exh');
    expect(run).toMatchObject({ source: 'search:qnet', format: 'search', status: 'ready', datasetId });
    expect(run.config).toMatchObject({
      mode: 'qnet',
      topK: 50,
      corpus: { rows, dim, embeddingsHash: corpus.contentHash },
    });
    expect(run.environment).toHaveProperty('cpu');
    expect(run.environment).toHaveProperty('intraOpNumThreads');
    expect(summary.stats).toMatchObject({ queries: Q, meanDocumentsScored: rows, fractionScored: 1 });
    const perQuery = run.stats.perQuery as Record<string, { scored: number; iterations: number; ms: number }>;
    expect(perQuery.q3).toMatchObject({ scored: rows, iterations: 1 });
    const rankings = store.runs.getRankings(run.id);
    for (let q = 0; q < Q; q++) {
      const want = await exhaustiveQnetSearch(
        referenceScorer(spec),
        queryParams(spec, queries.params, q),
        corpus,
        50,
      );
      const got = rankings.get(`q${q + 1}`)!;
      // The ONNX scorer and the float64 reference agree on the order of these well-separated scores.
      expect(got.docnos.slice(0, 10)).toEqual(Array.from(want.docs.subarray(0, 10), (d) => corpus.docnos[d]));
    }
    // Export as TREC lines and read them back with the eval capability.
    const lines: string[] = [];
    for (const r of store.runs.iterateResults(run.id)) {
      for (let i = 0; i < r.docnos.length; i++)
        lines.push(formatRunLine(r.queryId, r.docnos[i], i + 1, r.scores[i], 'qnet-exh'));
    }
    const path = join(files.dir, 'run.trec');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const loaded = await loadRun(path);
    expect(loaded.queries.size).toBe(Q);
    const top = rankings.get('q1')!.docnos[0];
    const qrels = new Map([['q1', new Map([[top, 1]])]]);
    expect(evaluate(qrels, loaded, ['recip_rank']).summary[0]).toBe(1);
    expect(store.queries.list(datasetId).length).toBe(Q);
    expect([...store.runs.iterateResults(run.id)][0].queryText).toBe('neural graph retrieval');
  });

  it('graph search builds the graph artifact once, scales the preset and counts documents and iterations', async () => {
    const service = new SearchService({ store, dataDir });
    const queries = readQnetQueries(files.qnetDir);
    const request = {
      mode: 'qnet-graph' as const,
      datasetId,
      topK: 20,
      corpus,
      queries,
      preset: 'efficient2' as const,
      graph: { k: 10 },
    };
    const a = await service.run({ ...request, runName: 'g1' });
    const b = await service.run({ ...request, runName: 'g2' });
    expect((a.stats.graph as { reused: boolean }).reused).toBe(false);
    expect((b.stats.graph as { reused: boolean }).reused).toBe(true);
    const preset = resolvePreset('efficient2', rows, { topK: 20 });
    expect(a.config.graphSearch).toMatchObject({ ...preset.params });
    expect(a.config.preset).toMatchObject({ name: 'efficient2' });
    const resolved = await new GraphArtifacts(dataDir).resolve(corpus, { k: 10 });
    expect(resolved.reused).toBe(true);
    const run = store.runs.require('g1');
    const perQuery = run.stats.perQuery as Record<string, { scored: number; iterations: number }>;
    const rankings = store.runs.getRankings(run.id);
    for (let q = 0; q < Q; q++) {
      const want = await graphSearch(
        referenceScorer(spec),
        queryParams(spec, queries.params, q),
        corpus,
        resolved.graph,
        preset.params,
      );
      expect(perQuery[`q${q + 1}`]).toEqual(
        expect.objectContaining({ scored: want.documentsScored, iterations: want.iterations }),
      );
      expect(rankings.get(`q${q + 1}`)!.docnos.slice(0, 5)).toEqual(
        Array.from(want.docs.subarray(0, 5), (d) => corpus.docnos[d]),
      );
    }
    expect(a.stats.fractionScored).toBeLessThan(1);
  });

  it('records flat and HNSW runs, HNSW with its recall against exact', async () => {
    const service = new SearchService({ store, dataDir });
    const queries = readQueryEmbeddings(files.queries, files.queryIds);
    await service.run({
      mode: 'flat',
      runName: 'flat',
      datasetId,
      topK: 10,
      corpus,
      queries,
      similarity: 'ip',
    });
    const h = await service.run({
      mode: 'hnsw',
      runName: 'hnsw',
      datasetId,
      topK: 10,
      corpus,
      queries,
      similarity: 'ip',
    });
    expect(h.config.hnsw).toMatchObject({ M: 16, efConstruction: 200, efSearch: 128 });
    expect(h.stats.meanRecallAt10).toBeGreaterThanOrEqual(0.9);
    expect(h.stats.meanRecall).toBe(h.stats.meanRecallAt10);
    const flat = await FlatIndex.create(corpus, 'ip', { intraOpNumThreads: 1 });
    const want = await flat.search(queries.embeddings.subarray(0, dim), 10);
    await flat.dispose();
    expect(store.runs.getRankings(store.runs.require('flat').id).get('q1')!.docnos).toEqual(
      Array.from(want.docs, (d) => corpus.docnos[d]),
    );
  });

  it('BM25 searches the dataset index with its parameters recorded; re-ranking rescored its top documents', async () => {
    const service = new SearchService({ store, dataDir });
    const list = store.queries.list(datasetId);
    const bm25 = await service.run({
      mode: 'bm25',
      runName: 'bm25',
      datasetId,
      topK: 100,
      queries: { ids: list.map((q) => q.queryId), texts: list.map((q) => q.text) },
    });
    expect(bm25.config.bm25).toMatchObject({ k1: 1.2, b: 0.75, tokenizer: 'porter unicode61' });
    const rankings = store.runs.getRankings(bm25.runId);
    expect(rankings.get('q5')!.docnos).toEqual([]); // a query without words finds nothing
    const q1 = rankings.get('q1')!;
    expect(q1.docnos.length).toBe(100);
    for (let i = 1; i < q1.scores.length; i++) expect(q1.scores[i]).toBeLessThanOrEqual(q1.scores[i - 1]);
    // Many passages share the same six-word vocabulary, so bm25 ties: the docno rule orders them.
    const ties = q1.scores.filter((s, i) => i > 0 && s === q1.scores[i - 1]).length;
    expect(ties).toBeGreaterThan(10);
    for (let i = 1; i < q1.scores.length; i++)
      if (q1.scores[i] === q1.scores[i - 1]) expect(q1.docnos[i - 1] > q1.docnos[i]).toBe(true);

    const queries = readQueryEmbeddings(files.queries, files.queryIds);
    const rr = await service.run({
      mode: 'rerank',
      runName: 'rr',
      datasetId,
      topK: 30,
      corpus,
      queries,
      baseRun: 'bm25',
      depth: 40,
      similarity: 'ip',
    });
    expect(rr.config.rerank).toMatchObject({ baseRun: 'bm25', depth: 40 });
    const re = store.runs.getRankings(rr.runId).get('q1')!;
    expect(re.docnos.length).toBe(30);
    const top40 = new Set(q1.docnos.slice(0, 40));
    expect(re.docnos.every((d) => top40.has(d))).toBe(true);
    for (let i = 1; i < re.scores.length; i++) expect(re.scores[i]).toBeLessThanOrEqual(re.scores[i - 1]);
    expect((rr.stats.perQuery as Record<string, { missing: number }>).q1.missing).toBe(0);
  });

  it('BM25 first builds (resumes) a missing or interrupted full-text index, with progress, and ranks as before', async () => {
    const service = new SearchService({ store, dataDir });
    const list = store.queries.list(datasetId);
    const request = (runName: string) => ({
      mode: 'bm25' as const,
      runName,
      datasetId,
      topK: 50,
      queries: { ids: list.map((q) => q.queryId), texts: list.map((q) => q.text) },
    });
    const before = await service.run(request('built'));
    expect(before.stats.fullTextIndexBuild).toBeUndefined();

    // interrupted after 300 of the 900 passages: BM25 must not search it as it is
    store.transaction(() => store.documents.dropFullTextIndex(datasetId));
    store.documents.startFullTextIndex(datasetId);
    store.documents.indexFullTextChunk(datasetId, 300);
    const stages: { stage?: string; done: number; total?: number | null }[] = [];
    const after = await service.run(request('resumed'), { progress: (u) => stages.push(u) });
    expect(after.stats.fullTextIndexBuild).toMatchObject({
      documents: rows,
      indexed: rows - 300,
      resumedAt: 300,
    });
    const indexing = stages.filter((u) => u.stage === 'full-text index');
    expect(indexing[0]).toMatchObject({ done: 300, total: rows });
    expect(indexing[indexing.length - 1]).toMatchObject({ done: rows, total: rows });
    expect(stages.findIndex((u) => u.stage === 'searching')).toBeGreaterThan(stages.indexOf(indexing[0]));
    expect(store.documents.fullTextIndex(datasetId)?.status).toBe('built');
    expect(store.runs.getRankings(after.runId)).toEqual(store.runs.getRankings(before.runId));
  });

  it('runs q-net searches on the worker pool with the same rankings as in this thread', async () => {
    const pool = new WorkerPool<SearchTasks>({
      entry: new URL('../../../fixtures/search/search-worker.ts', import.meta.url),
      size: 2,
    });
    try {
      const queries = readQnetQueries(files.qnetDir);
      const pooled = new SearchService({ store, dataDir, pool });
      const inThread = new SearchService({ store, dataDir });
      for (const mode of ['qnet', 'qnet-graph'] as const) {
        const request = {
          mode,
          datasetId,
          topK: 25,
          corpus,
          queries,
          preset: 'efficient2' as const,
          graph: { k: 10 },
        };
        const a = await pooled.run({ ...request, runName: `${mode}-pool` });
        await inThread.run({ ...request, runName: `${mode}-thread` });
        expect(store.runs.require(`${mode}-pool`).environment.workers).toBe(2);
        // Each run records the q-net kernel that scored it: one-thread workers and in-thread graph search
        // get what `auto` picks for one thread, in-thread exhaustive search what it picks for all cores.
        const oneThread = QnetScorer.plannedKernel({ spec: queries.spec, threads: { intraOpNumThreads: 1 } });
        const kernel = store.runs.require(`${mode}-thread`).environment.kernel;
        expect(kernel).toBe(
          mode === 'qnet-graph' ? oneThread : QnetScorer.plannedKernel({ spec: queries.spec }),
        );
        expect(store.runs.require(`${mode}-pool`).environment.kernel).toBe(oneThread);
        expect(a.stats.queries).toBe(Q);
        const got = store.runs.getRankings(a.runId);
        const want = store.runs.getRankings(store.runs.require(`${mode}-thread`).id);
        for (const [qid, ranking] of want) {
          expect(got.get(qid)!.docnos).toEqual(ranking.docnos);
          // The native kernel's scores do not depend on threads or batch sizes: the same floats.
          if (kernel === oneThread && kernel !== 'onnxruntime')
            expect(got.get(qid)!.scores).toEqual(ranking.scores);
        }
      }
    } finally {
      await pool.close();
    }
  });

  it('quotes every query word, so FTS5 operators and columns in query text are plain words', () => {
    expect(bm25Match('NOT title: "near" AND x-ray')).toBe(
      '"not" OR "title" OR "near" OR "and" OR "x" OR "ray"',
    );
    expect(bm25Match('?!')).toBeNull();
  });

  it('refuses a taken run name before searching, and a cancelled search records nothing', async () => {
    const service = new SearchService({ store, dataDir });
    const queries = readQnetQueries(files.qnetDir);
    await service.run({ mode: 'qnet', runName: 'taken', datasetId, topK: 5, corpus, queries });
    await expect(
      service.run({ mode: 'qnet', runName: 'taken', datasetId, topK: 5, corpus, queries }),
    ).rejects.toThrow(/exists already/);
    const controller = new AbortController();
    const err = await service
      .run(
        { mode: 'qnet', runName: 'cancelled', datasetId, topK: 5, corpus, queries },
        { signal: controller.signal, progress: () => controller.abort() },
      )
      .catch((e: unknown) => e as WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(store.runs.get('cancelled')).toBeUndefined();
  });
});
