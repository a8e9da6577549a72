/**
 * Import throughput: a seeded synthetic JSONL corpus of 200k passages (~60 words each, skewed word
 * frequencies) imported into a fresh store with the default `fullText: true`, which builds the FTS5 index
 * after the import has committed, in chunks. Prints, each labelled: the import's docs/s against the target
 * (50k docs/s), its peak RSS, the index build's docs/s, and import + index together; then, as the baseline
 * measured in the same run, the same index built again in ONE transaction, to show what chunking costs.
 * Usage: npm run bench:import [-- DOCS]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FULL_TEXT_CHUNK_ROWS,
  type ImportStage,
  importDataset,
  planImport,
} from '../../main/engine/datasets/index.ts';
import { openStore } from '../../main/engine/store/index.ts';

const DOCS = Number(process.argv[2] ?? 200_000);
const WORDS_PER_DOC = 60;
const VOCABULARY = 30_000;

/** Park–Miller minimal standard generator: the same corpus on every machine. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

async function generate(path: string): Promise<number> {
  const rand = rng(42);
  const vocab: string[] = [];
  for (let i = 0; i < VOCABULARY; i++) {
    let w = '';
    const len = 3 + Math.floor(rand() * 8);
    for (let j = 0; j < len; j++) w += String.fromCharCode(97 + Math.floor(rand() * 26));
    vocab.push(w);
  }
  const word = () => vocab[Math.floor(rand() ** 3 * VOCABULARY)];
  const out = createWriteStream(path);
  let chunk: string[] = [];
  for (let i = 0; i < DOCS; i++) {
    const words: string[] = [];
    for (let j = 0; j < WORDS_PER_DOC; j++) words.push(word());
    chunk.push(JSON.stringify({ _id: `doc${i}`, title: `${word()} ${word()}`, text: words.join(' ') }));
    if (chunk.length === 5000 || i === DOCS - 1) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
  return statSync(path).size;
}

const TARGET_DOCS_PER_SECOND = 50_000;

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const rate = (docs: number, seconds: number) => Math.round(docs / seconds).toLocaleString('en-US');
const line = (label: string, docs: number, seconds: number, cpu: number) =>
  `${label.padEnd(16)} ${seconds.toFixed(2).padStart(6)} s  ${rate(docs, seconds).padStart(7)} docs/s  ` +
  `(CPU ${cpu.toFixed(2)} s, ${rate(docs, cpu)} docs per CPU-second)`;

const dir = mkdtempSync(join(tmpdir(), 'wb-bench-import-'));
try {
  const corpus = join(dir, 'corpus.jsonl');
  const bytes = await generate(corpus);
  console.log(`corpus: ${DOCS} passages × ${WORDS_PER_DOC} words, ${(bytes / 1e6).toFixed(1)} MB JSONL`);

  const store = openStore(join(dir, 'data'));
  const stageAt = new Map<ImportStage, { ms: number; cpu: NodeJS.CpuUsage }>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await importDataset(store, planImport({ path: corpus, name: 'bench' }), {
    onProgress: (p) => {
      if (!stageAt.has(p.stage)) stageAt.set(p.stage, { ms: performance.now(), cpu: process.cpuUsage() });
    },
  });
  const total = (performance.now() - t0) / 1000;
  const totalCpu = cpuSeconds(cpu0);
  const docs = result.documents;
  const index = result.fullText;
  const indexAt = stageAt.get('index');
  if (!index || !indexAt) throw new Error('the import did not build the full-text index');
  const importSeconds = result.elapsedMs / 1000;
  const importCpu = (indexAt.cpu.user + indexAt.cpu.system - cpu0.user - cpu0.system) / 1e6;
  const at = (s: ImportStage) => stageAt.get(s)?.ms ?? indexAt.ms;

  console.log(line('import', docs, importSeconds, importCpu));
  console.log(
    `    read+parse+insert ${((at('finish') - at('corpus')) / 1000).toFixed(2)} s, ` +
      `statistics+commit ${((t0 + result.elapsedMs - at('finish')) / 1000).toFixed(2)} s`,
  );
  const met = docs / importSeconds >= TARGET_DOCS_PER_SECOND;
  console.log(
    `target: import ≥ ${TARGET_DOCS_PER_SECOND.toLocaleString('en-US')} docs/s: ${met ? 'met' : 'NOT met'} ` +
      `(import ${rate(docs, importSeconds)} docs/s; the full-text index is built after it and timed apart)`,
  );
  console.log(`peak RSS (import) ${peakRssMb().toFixed(0)} MB`);
  console.log(
    `${line('full-text index', docs, index.elapsedMs / 1000, cpuSeconds(indexAt.cpu))}  ` +
      `[${FULL_TEXT_CHUNK_ROWS.toLocaleString('en-US')} passages per transaction]`,
  );
  console.log(line('import + index', docs, total, totalCpu));
  console.log(`peak RSS (import + index) ${peakRssMb().toFixed(0)} MB`);

  // Baseline: the same index in one transaction (how imports built it before), on the same store.
  store.transaction(() => store.documents.dropFullTextIndex(result.dataset.id));
  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  store.documents.buildFullTextIndex(result.dataset.id);
  const oneSeconds = (performance.now() - t1) / 1000;
  console.log(line('index, one tx', docs, oneSeconds, cpuSeconds(cpu1)));
  console.log(
    `chunked index build takes ${(index.elapsedMs / 1000 / oneSeconds).toFixed(2)}× the one-transaction build`,
  );
  console.log(`peak RSS (with the baseline) ${peakRssMb().toFixed(0)} MB`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
