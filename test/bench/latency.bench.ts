// Per-stage query latency of every search mode on one setup (issue 6, DESIGN.md §8): tokenize, query encode,
// search and total, p50/p95 per query at batch size 1 after a warm-up, QPS measured directly, with ratios to
// the bi-encoder's flat search measured in the same process on the same queries. Query encoders are generated
// packages (BERT-style, random weights) of the given width; document embeddings are seeded synthetic
// clusters (encoding a corpus is not part of any timing). BM25 runs on a synthetic text corpus of the same size.
// Run: npm run bench:latency [-- --quick] [-- --docs N] [-- --queries N] [-- --threads N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentEnvironment } from '../../main/engine/experiments/index.ts';
import {
  type LatencyMeasurement,
  measureLatency,
  openPipeline,
  type PipelineSpec,
} from '../../main/engine/latency/index.ts';
import { readPackage } from '../../main/engine/models/index.ts';
import {
  buildNeighbourGraph,
  FlatIndex,
  HnswIndex,
  makeCorpus,
  resolvePreset,
} from '../../main/engine/search/index.ts';
import { emptyDatasetStats, openStore } from '../../main/engine/store/index.ts';
import { generateTinyPackages } from '../fixtures/models/generate.ts';
import { WORDS } from '../fixtures/models/vocab.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = flag('quick');
const DOCS = value('docs', quick ? 5_000 : 10_000);
const DIM = quick ? 256 : 768;
const QNET_CORE_LAYERS = quick ? 2 : 6; // hypencoder.6_layer: 6 core blocks + the final projection
const QUERIES = value('queries', 10);
const WARMUP = 2;
const REPETITIONS = 2;
const THREADS = args.includes('--threads') ? value('threads', 0) : undefined;
const TOP_K = 100;

function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Documents around 1 per 100 cluster centres, like passage embeddings (as search.bench.ts). */
function clustered(rows: number, dim: number, seed: number): Float32Array {
  const g = gaussian(seed);
  const clusters = Math.max(10, Math.round(rows / 100));
  const centres = Float32Array.from({ length: clusters * dim }, () => g());
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const c = (Math.imul(i, 2654435761) >>> 0) % clusters;
    for (let j = 0; j < dim; j++) out[i * dim + j] = (centres[c * dim + j] + 0.6 * g()) / Math.sqrt(dim);
  }
  return out;
}

const content = WORDS.slice(17);
function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => content[Math.floor(random() * content.length)]).join(' ');
}

const root = mkdtempSync(join(tmpdir(), 'wb-bench-latency-'));
try {
  const env = experimentEnvironment({ threads: THREADS ?? 'all logical cores' });
  console.log(
    `# latency bench: ${DOCS} documents × ${DIM}, q-net ${QNET_CORE_LAYERS} core layers, ${QUERIES} queries × ${REPETITIONS} repetitions after ${WARMUP} warm-up, top ${TOP_K}, batch 1`,
  );
  console.log(
    `# ${env.cpu}, ${env.logicalCores} logical cores, ${((env.memoryBytes as number) / 2 ** 30).toFixed(0)} GiB, ${env.os}, Node ${env.node}, onnxruntime-node ${env.onnxruntime}, hnswlib-node ${env.hnswlib}`,
  );

  const dims = [...Array.from({ length: QNET_CORE_LAYERS + 1 }, () => DIM), 1];
  const packages = await generateTinyPackages(join(root, 'packages'), {
    seed: 11,
    dim: DIM,
    heads: DIM / 64,
    layers: 2,
    ffn: DIM * 4,
    qnetDims: dims,
    queryMaxLength: 32,
    docMaxLength: 32,
  });
  const hyp = readPackage(packages.hypencoder);
  const be = readPackage(packages.biencoder);
  const corpus = makeCorpus({
    embeddings: clustered(DOCS, DIM, 7),
    dim: DIM,
    docnos: Array.from({ length: DOCS }, (_, i) => `doc${i}`),
  });
  const random = uniform(3);
  const texts = Array.from(
    { length: QUERIES },
    () => `what ${sentence(random, 4 + Math.floor(random() * 5))}`,
  );

  const started = performance.now();
  const { graph } = await buildNeighbourGraph(corpus, { k: 32, metric: 'l2' });
  const graphMs = performance.now() - started;
  const hnswStarted = performance.now();
  const hnsw = await HnswIndex.build(corpus, 'ip', {});
  const hnswMs = performance.now() - hnswStarted;
  const flat = await FlatIndex.create(corpus, 'ip');
  const rerankEmbeddings = clustered(QUERIES, DIM, 99);
  const candidates: Int32Array[] = [];
  for (let q = 0; q < QUERIES; q++)
    candidates.push((await flat.search(rerankEmbeddings.subarray(q * DIM, (q + 1) * DIM), TOP_K)).docs);
  await flat.dispose();
  console.log(
    `# built beforehand, not timed: exact 32-NN graph ${(graphMs / 1000).toFixed(1)} s, HNSW (M 16, efConstruction 200) ${(hnswMs / 1000).toFixed(1)} s, re-ranking candidates: ${TOP_K} per query`,
  );

  const store = openStore(join(root, 'data'));
  const textRandom = uniform(5);
  const datasetId = store.transaction(() => {
    const id = store.datasets.create(
      { name: 'bench', format: 'jsonl', sourcePath: root, contentHash: 'bench', hasCorpus: true },
      emptyDatasetStats(),
    );
    for (let i = 0; i < DOCS; i++)
      store.documents.insert(id, `doc${i}`, sentence(textRandom, 3), sentence(textRandom, 40));
    store.documents.buildFullTextIndex(id);
    store.datasets.update(id, {
      contentHash: 'bench',
      hasCorpus: true,
      stats: emptyDatasetStats(),
      status: 'ready',
    });
    return id;
  });

  const preset = (name: 'efficient1' | 'efficient2') => resolvePreset(name, DOCS, { topK: TOP_K }).params;
  const modes: { label: string; spec: PipelineSpec }[] = [
    {
      label: 'bi-encoder flat (baseline)',
      spec: { mode: 'flat', model: be, corpus, topK: TOP_K, similarity: 'ip' },
    },
    {
      label: 'bi-encoder HNSW efSearch 128',
      spec: { mode: 'hnsw', model: be, corpus, topK: TOP_K, index: hnsw },
    },
    { label: 'Hypencoder exhaustive', spec: { mode: 'qnet', model: hyp, corpus, topK: TOP_K } },
    {
      label: 'Hypencoder graph Efficient 1 (scaled)',
      spec: { mode: 'qnet-graph', model: hyp, corpus, topK: TOP_K, graph, search: preset('efficient1') },
    },
    {
      label: 'Hypencoder graph Efficient 2 (scaled)',
      spec: { mode: 'qnet-graph', model: hyp, corpus, topK: TOP_K, graph, search: preset('efficient2') },
    },
    {
      label: 'Hypencoder graph 1000/64/16',
      spec: {
        mode: 'qnet-graph',
        model: hyp,
        corpus,
        topK: TOP_K,
        graph,
        search: {
          numEntryPoints: Math.min(1000, DOCS),
          nCandidates: 64,
          maxIter: 16,
          earlyStop: true,
          topK: TOP_K,
          seed: 42,
        },
      },
    },
    {
      label: `Hypencoder re-rank top ${TOP_K}`,
      spec: { mode: 'rerank', model: hyp, corpus, topK: TOP_K, candidates: (q) => candidates[q] },
    },
    { label: 'BM25 (FTS5)', spec: { mode: 'bm25', documents: store.documents, datasetId, topK: TOP_K } },
  ];

  const results: { label: string; m: LatencyMeasurement }[] = [];
  for (const { label, spec } of modes) {
    const pipeline = await openPipeline(spec, { threads: THREADS });
    try {
      const [m] = await measureLatency(pipeline, texts, {
        warmup: WARMUP,
        repetitions: REPETITIONS,
        batchSizes: [1],
      });
      results.push({ label, m });
      process.stderr.write(`measured ${label}\n`);
    } finally {
      await pipeline.dispose();
    }
  }
  store.close();

  const base = results[0].m.summary;
  const f = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
  const pad = (s: string, n: number) => s.padEnd(n);
  const header = [
    'mode',
    'tokenize p50/p95',
    'encode p50/p95',
    'search p50/p95',
    'total p50/p95',
    'QPS',
    'total p50 ×flat',
    'search p50 ×flat',
    'QPS ×flat',
  ];
  const rows = results.map(({ label, m }) => {
    const s = m.summary.stages;
    return [
      label,
      `${f(s.tokenize.p50)}/${f(s.tokenize.p95)}`,
      `${f(s.encode.p50)}/${f(s.encode.p95)}`,
      `${f(s.search.p50)}/${f(s.search.p95)}`,
      `${f(s.total.p50)}/${f(s.total.p95)}`,
      m.summary.qps.toFixed(1),
      (s.total.p50 / base.stages.total.p50).toFixed(2),
      (s.search.p50 / base.stages.search.p50).toFixed(2),
      (m.summary.qps / base.qps).toFixed(3),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log('# milliseconds per query; ratios against the bi-encoder flat row of this run');
  for (const r of [header, ...rows])
    console.log(
      r
        .map((c, i) => pad(c, widths[i]))
        .join('  ')
        .trimEnd(),
    );
  const threads = results.map(({ m }) => `${m.settings.provider}/${m.settings.threads}`);
  console.log(`# provider/threads per row: ${threads.join(', ')}`);
  for (const { label, m } of results) console.log(`# ${label}: ${m.settings.description}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
