/**
 * `npm run bench:qnet` — q-net scoring speed for hypencoder.6_layer shapes over seeded documents:
 * the workbench's onnxruntime path (one query; a batch of queries) beside, measured in the same run,
 * the same math in numpy+OpenBLAS and in PyTorch as the reference scores (torch.einsum per layer),
 * and one large onnxruntime MatMul as this machine's roofline. Prints ratios, asserts nothing.
 *
 * Options: --docs N (100000) --reps R (3) --threads T (all cores) --chunk C (1024) --queries Q (4)
 *          --sweep 256,512,… (chunk sizes to compare) --no-python
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../main/engine/onnx/index.ts';
import {
  flopsPerDocument,
  HYPENCODER_6_LAYER,
  maxRelativeError,
  type QnetParams,
  QnetScorer,
  queryParams,
  scoreReference,
  xorshift32Stream,
} from '../../main/engine/qnet/index.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const nDocs = Number(option('docs', '100000'));
const reps = Number(option('reps', '3'));
const threads = Number(option('threads', String(availableParallelism())));
const chunk = Number(option('chunk', '1024'));
const queries = Number(option('queries', '4'));
const sweep = option('sweep', '256,512,1024,2048,4096')
  .split(',')
  .map(Number)
  .filter((c) => c !== chunk);
const withPython = !process.argv.includes('--no-python');

const spec = HYPENCODER_6_LAYER;
const { dims } = spec;
const flops = flopsPerDocument(dims);
// √(2/768): the scale of the reference's fixed base q-net (DESIGN.md §4), so activations stay O(1).
const weightScale = Math.sqrt(2 / 768);

interface Timing {
  label: string;
  settings: string;
  docsPerSecond: number;
  gflops: number;
  seconds: number[];
}
const rows: Timing[] = [];

function record(
  label: string,
  settings: string,
  seconds: number[],
  docsPerPass: number,
  flopsPerPass = docsPerPass * flops,
): Timing {
  const best = Math.min(...seconds);
  const row = {
    label,
    settings,
    seconds,
    docsPerSecond: docsPerPass / best,
    gflops: flopsPerPass / best / 1e9,
  };
  rows.push(row);
  const all = seconds.map((s) => s.toFixed(2)).join(' ');
  console.log(
    `  ${label.padEnd(34)} ${settings.padEnd(30)} ${row.docsPerSecond.toFixed(0).padStart(8)} docs/s ${row.gflops.toFixed(1).padStart(7)} GFLOP/s  (s: ${all})`,
  );
  return row;
}

async function timePasses(
  pass: () => Promise<unknown>,
  warmup: () => Promise<unknown>,
  repetitions: number,
): Promise<number[]> {
  await warmup();
  const seconds: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = performance.now();
    await pass();
    seconds.push((performance.now() - start) / 1000);
  }
  return seconds;
}

function makeParams(count: number, seed: number): QnetParams {
  return {
    weights: dims
      .slice(0, -1)
      .map((d, j) => xorshift32Stream(seed + 11 * j, count * d * dims[j + 1], weightScale)),
    biases: dims.slice(1, -1).map((d, j) => xorshift32Stream(seed + 1000 + 13 * j, count * d, 0.1)),
  };
}

async function roofline(): Promise<Timing> {
  // One [4096,768]·[768,768] MatMul: the best GEMM rate onnxruntime reaches here, with B as a graph
  // input (as the q-net's weights are) and as a constant it may pre-pack.
  const M = 4096;
  const K = 768;
  const a = xorshift32Stream(3, M * K, 1);
  const b = xorshift32Stream(4, K * K, weightScale);
  let best: Timing | undefined;
  for (const mode of ['weights as input', 'weights constant'] as const) {
    const g = new GraphBuilder('roofline');
    const x = g.input('a', 'float32', ['M', K]);
    const w =
      mode === 'weights as input'
        ? g.input('b', 'float32', [K, K])
        : g.initializer('b', { data: b, dims: [K, K] });
    g.output(g.op('MatMul', [x, w], undefined, 'c'), 'float32', ['M', K]);
    const session = await ort.InferenceSession.create(g.toBytes(), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const feeds: Record<string, ort.Tensor> = { a: new ort.Tensor('float32', a, [M, K]) };
    if (mode === 'weights as input') feeds.b = new ort.Tensor('float32', b, [K, K]);
    const c = new ort.Tensor('float32', new Float32Array(M * K), [M, K]);
    const runs = 40;
    const pass = async () => {
      for (let i = 0; i < runs; i++) await session.run(feeds, { c });
    };
    const seconds = await timePasses(pass, pass, reps);
    const row = record(
      `ORT MatMul [${M},${K}]x[${K},${K}]`,
      `${mode}, ${threads} threads`,
      seconds,
      0,
      2 * M * K * K * runs,
    );
    if (!best || row.gflops > best.gflops) best = row;
    await session.release();
  }
  return best!;
}

interface PythonLine {
  impl?: string;
  chunk?: number;
  threads?: number;
  seconds?: number[];
  skip?: string;
  reason?: string;
  scores?: string;
  values?: number[];
  versions?: string;
  torch?: string;
  numpy?: string;
}

/** The first interpreter that can import numpy: $WORKBENCH_PYTHON, Debian's /usr/bin/python3, then python3 on PATH. */
function findPython(): string | undefined {
  const candidates = [process.env.WORKBENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => !!p,
  );
  return candidates.find((p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0);
}

function runPython(python: string, configFile: string, impl: string): PythonLine[] {
  const script = fileURLToPath(new URL('./python/qnet_baselines.py', import.meta.url));
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const result = spawnSync(python, [script, configFile, impl], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    console.log(
      `  ${impl}: python failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
    return [];
  }
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PythonLine);
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `q-net scoring benchmark — hypencoder.6_layer dims [${dims.join(',')}], ${JSON.stringify(spec.config)}`,
  );
  console.log(
    `${(flops / 1e6).toFixed(3)} MFLOP per document (2·Σ d_j·d_{j+1}); ${nDocs} seeded documents; best of ${reps} passes`,
  );
  console.log(
    `machine: ${cpu}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
  );

  // Timings on a shared machine are only comparable within one run; the load says how shared it was.
  const loadBefore = loadavg()[0];
  const docs = xorshift32Stream(42, nDocs * dims[0], 1);
  const batch = makeParams(queries, 7);
  const one = queryParams(spec, batch, 0);

  console.log('\nonnxruntime (this workbench):');
  const scorer = await QnetScorer.create({
    spec,
    provider: 'cpu',
    threads: { intraOpNumThreads: threads },
    chunkSize: chunk,
  });
  const s = scorer.settings;
  const settings = (c: number) =>
    `${s.provider}, ${s.intraOpNumThreads}/${s.interOpNumThreads} thr, chunk ${c}`;
  const out = new Float32Array(nDocs);
  const warm = () => scorer.score(one, docs, Math.min(nDocs, 4 * chunk), out);
  const ours = record(
    'q-net, one query',
    settings(chunk),
    await timePasses(() => scorer.score(one, docs, nDocs, out), warm, reps),
    nDocs,
  );
  const checkDocs = Math.min(nDocs, 1024);
  const oursScores = out.slice(0, checkDocs);

  const reference = scoreReference(spec, one, docs, 64);
  console.log(
    `  check: max relative error vs the TypeScript float64 reference on 64 documents: ${maxRelativeError(oursScores, reference).toExponential(2)}`,
  );

  const batchOut = new Float32Array(queries * nDocs);
  const batchSeconds = await timePasses(
    () => scorer.scoreBatch(batch, docs, nDocs, batchOut),
    () => scorer.scoreBatch(batch, docs, chunk),
    Math.max(1, reps - 1),
  );
  const batched = record(
    `q-net, batch of ${queries} queries`,
    settings(chunk),
    batchSeconds,
    queries * nDocs,
  );
  console.log(
    `  check: batch query 0 vs single query, max relative error ${maxRelativeError(batchOut.subarray(0, checkDocs), oursScores).toExponential(2)}`,
  );
  await scorer.dispose();

  for (const c of sweep) {
    const sc = await QnetScorer.create({
      spec,
      provider: 'cpu',
      threads: { intraOpNumThreads: threads },
      chunkSize: c,
    });
    record(
      'q-net, one query (chunk sweep)',
      settings(c),
      await timePasses(
        () => sc.score(one, docs, nDocs, out),
        () => sc.score(one, docs, Math.min(nDocs, c), out),
        Math.max(1, reps - 1),
      ),
      nDocs,
    );
    await sc.dispose();
  }
  const full = await QnetScorer.create({
    spec,
    provider: 'cpu',
    threads: { intraOpNumThreads: threads },
    chunkSize: nDocs,
  });
  record(
    'q-net, one query, one full batch',
    settings(nDocs),
    await timePasses(
      () => full.score(one, docs, nDocs, out),
      async () => {},
      Math.max(1, reps - 1),
    ),
    nDocs,
  );
  await full.dispose();

  console.log('\nroofline:');
  const roof = await roofline();

  let torchReference: Timing | undefined;
  let torchBest: Timing | undefined;
  let numpyBest: Timing | undefined;
  console.log('\nPython baselines (same math, same documents and weights, same thread count):');
  const python = withPython ? findPython() : undefined;
  if (!withPython) console.log('  skipped: --no-python');
  else if (!python)
    console.log(
      '  skipped: no python3 with numpy found (apt-get install python3-numpy python3-torch libopenblas0-pthread)',
    );
  else {
    const dir = mkdtempSync(join(tmpdir(), 'wb-bench-qnet-'));
    try {
      const file = (name: string, data: Float32Array) => {
        const p = join(dir, name);
        writeFileSync(p, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return p;
      };
      const configFile = join(dir, 'config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          dims,
          config: spec.config,
          nDocs,
          threads,
          reps,
          checkDocs,
          // The reference retriever's default batch (100,000 documents per q-net call) and our chunk.
          chunks: [...new Set([Math.min(nDocs, 100_000), chunk])],
          docsFile: file('docs.f32', docs),
          weightFiles: one.weights.map((w, j) => file(`w${j}.f32`, w)),
          biasFiles: one.biases.map((b, j) => file(`b${j}.f32`, b)),
        }),
      );
      console.log(`  interpreter: ${python}`);
      for (const impl of ['numpy', 'torch']) {
        for (const line of runPython(python, configFile, impl)) {
          if (line.skip) console.log(`  ${line.skip}: skipped — ${line.reason}`);
          else if (line.scores) {
            console.log(
              `  check: max relative error, ours vs PyTorch on ${checkDocs} documents: ${maxRelativeError(oursScores, line.values!).toExponential(2)}`,
            );
          } else if (line.versions) console.log(`  versions: torch ${line.torch}, numpy ${line.numpy}`);
          else if (line.impl && line.seconds) {
            const label = line.impl === 'numpy' ? 'numpy + OpenBLAS' : 'PyTorch einsum (reference path)';
            const row = record(label, `${line.threads} threads, chunk ${line.chunk}`, line.seconds, nDocs);
            if (line.impl === 'numpy' && (!numpyBest || row.gflops > numpyBest.gflops)) numpyBest = row;
            if (line.impl === 'torch-einsum') {
              if (line.chunk === Math.min(nDocs, 100_000)) torchReference = row;
              if (!torchBest || row.gflops > torchBest.gflops) torchBest = row;
            }
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const ratio = (a: Timing, b: Timing) => `${(a.gflops / b.gflops).toFixed(2)}×`;
  console.log('\nratios (GFLOP/s over GFLOP/s, measured in this run):');
  if (torchReference)
    console.log(
      `  ours / PyTorch as the reference runs it (${torchReference.settings}): ${ratio(ours, torchReference)}  (target ≥ 2×)`,
    );
  if (torchBest)
    console.log(`  ours / PyTorch at its best setting (${torchBest.settings}): ${ratio(ours, torchBest)}`);
  if (numpyBest)
    console.log(`  ours / numpy at its best setting (${numpyBest.settings}): ${ratio(ours, numpyBest)}`);
  console.log(
    `  ours / roofline (${roof.settings}): ${((100 * ours.gflops) / roof.gflops).toFixed(0)} %  (target ≥ 75 %)`,
  );
  console.log(`  batch of ${queries} / one query: ${ratio(batched, ours)}`);
  console.log(
    `  load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`,
  );
  const bestChunk = rows
    .filter((r) => r.label.startsWith('q-net, one query'))
    .sort((a, b) => b.gflops - a.gflops)[0];
  console.log(
    `  fastest single-query setting: ${bestChunk.settings} at ${bestChunk.gflops.toFixed(1)} GFLOP/s`,
  );
}

await main();
