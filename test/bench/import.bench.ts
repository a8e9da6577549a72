/**
 * Import throughput: a seeded synthetic JSONL corpus of 200k passages (~60 words each, skewed word
 * frequencies) imported into a fresh store, once with the FTS5 index (the default) and once without it
 * (`fullText: false`) as the baseline measured in the same run. Prints docs/s, CPU time, the time of each
 * stage and peak RSS. Usage: npm run bench:import [-- DOCS]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImportStage, importDataset, planImport } from '../../main/engine/datasets/index.ts';
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

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

async function measure(dir: string, corpus: string, fullText: boolean) {
  const store = openStore(join(dir, fullText ? 'with-fts' : 'without-fts'));
  const stageStart = new Map<ImportStage, number>();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await importDataset(store, planImport({ path: corpus, name: 'bench', fullText }), {
    onProgress: (p) => {
      if (!stageStart.has(p.stage)) stageStart.set(p.stage, performance.now());
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const at = (s: ImportStage) => stageStart.get(s) ?? stageStart.get('finish')!;
  store.close();
  const docs = result.documents;
  console.log(
    `${fullText ? 'with FTS5 index   ' : 'without FTS5 index'}: ${seconds.toFixed(2)} s, ${Math.round(docs / seconds)} docs/s ` +
      `(CPU ${cpu.toFixed(2)} s, ${Math.round(docs / cpu)} docs per CPU-second)`,
  );
  console.log(
    `    read+parse+insert ${((at('index') - at('corpus')) / 1000).toFixed(2)} s, ` +
      `full-text index ${((at('finish') - at('index')) / 1000).toFixed(2)} s, ` +
      `statistics+commit ${((t0 + seconds * 1000 - at('finish')) / 1000).toFixed(2)} s`,
  );
  return seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'wb-bench-import-'));
try {
  const corpus = join(dir, 'corpus.jsonl');
  const bytes = await generate(corpus);
  console.log(`corpus: ${DOCS} passages × ${WORDS_PER_DOC} words, ${(bytes / 1e6).toFixed(1)} MB JSONL`);
  const without = await measure(dir, corpus, false);
  const withFts = await measure(dir, corpus, true);
  console.log(`FTS5 index costs ${(withFts / without).toFixed(2)}× the import without it`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
