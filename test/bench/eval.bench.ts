// Evaluation throughput on a seeded synthetic run of 1,000 queries × 1,000 documents (1M lines) with graded
// qrels: (a) load + evaluate, the CLI path; (b) evaluate only, on the loaded run. Prints lines/s.
// Run: npm run bench:eval [-- --queries N --docs N --repeat N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, formatTrecEval, loadQrels, loadRun } from '../../main/engine/eval/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const numQueries = arg('queries', 1000);
const docsPerQuery = arg('docs', 1000);
const repeat = arg('repeat', 5);

/** Deterministic xorshift32 so every machine benchmarks the same file. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function generate(dir: string): { runPath: string; qrelsPath: string; lines: number } {
  const random = rng(20250101);
  const run: string[] = [];
  const qrels: string[] = [];
  for (let q = 0; q < numQueries; q++) {
    const qid = String(100000 + q);
    let score = 30;
    for (let r = 0; r < docsPerQuery; r++) {
      const docno = `D${Math.floor(random() * 9_000_000)}-${q}-${r}`;
      // Scores with 6 decimals, like Pyserini's; about 1 in 20 repeats its predecessor (a tie).
      if (random() > 0.05) score -= random() * 0.02;
      run.push(`${qid} Q0 ${docno} ${r + 1} ${score.toFixed(6)} bench`);
      if (random() < 0.05) qrels.push(`${qid} 0 ${docno} ${Math.floor(random() * 4)}`);
    }
    for (let j = 0; j < 20; j++) qrels.push(`${qid} 0 unretrieved-${q}-${j} ${1 + (j % 3)}`);
  }
  const runPath = join(dir, 'bench.run');
  const qrelsPath = join(dir, 'bench.qrels');
  writeFileSync(runPath, `${run.join('\n')}\n`);
  writeFileSync(qrelsPath, `${qrels.join('\n')}\n`);
  return { runPath, qrelsPath, lines: run.length };
}

/** Wall-clock and CPU time of one call (CPU time is steadier when other work shares the cores). */
function timed<T>(fn: () => Promise<T>): { result: Promise<T>; stop: () => { wall: number; cpu: number } } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fn();
  return {
    result,
    stop: () => {
      const cpu = process.cpuUsage(cpu0);
      return { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
    },
  };
}

function fmt(t: { wall: number; cpu: number }, lines: number): string {
  const rate = (ms: number) => `${Math.round((lines / ms) * 1000).toLocaleString('en-US')}/s`;
  return `${t.wall.toFixed(0).padStart(5)} ms wall (${rate(t.wall)}), ${t.cpu.toFixed(0).padStart(5)} ms cpu`;
}

const dir = mkdtempSync(join(tmpdir(), 'eval-bench-'));
try {
  const { runPath, qrelsPath, lines } = generate(dir);
  const qrels = await loadQrels(qrelsPath);
  const measureSets: Array<[string, string[]]> = [
    ['official', ['official']],
    ['nDCG@10 + RR@10 + R@1000', ['ndcg_cut.10', 'RR@10', 'recall.1000']],
    ['all_trec', ['all_trec']],
  ];
  console.log(
    `eval bench: ${numQueries} queries × ${docsPerQuery} docs = ${lines.toLocaleString('en-US')} run lines`,
  );
  for (const [label, measures] of measureSets) {
    let full = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
    let only = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
    for (let i = 0; i < repeat; i++) {
      const a = timed(async () => {
        const run = await loadRun(runPath);
        formatTrecEval(evaluate(qrels, run, measures, { relevanceLevel: 2 }));
        return run;
      });
      const run = await a.result;
      const fullTime = a.stop();
      const b = timed(async () => evaluate(qrels, run, measures, { relevanceLevel: 2 }));
      await b.result;
      const onlyTime = b.stop();
      full = { wall: Math.min(full.wall, fullTime.wall), cpu: Math.min(full.cpu, fullTime.cpu) };
      only = { wall: Math.min(only.wall, onlyTime.wall), cpu: Math.min(only.cpu, onlyTime.cpu) };
    }
    console.log(`${label.padEnd(26)} load+evaluate ${fmt(full, lines)}   evaluate only ${fmt(only, lines)}`);
  }
  console.log(
    `lines/s = run lines per second of wall time, best of ${repeat}; cpu = process CPU time (includes GC threads); ` +
      `node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
