/**
 * `npm run bench:qnet` — q-net scoring speed for hypencoder.6_layer shapes over seeded documents:
 * the workbench's q-net scorer (the kernel `auto` picks, and onnxruntime's graph; one query; a batch of queries) beside, measured in the same run,
 * the same math in numpy+OpenBLAS and in PyTorch as the reference scores (torch.einsum per layer),
 * and one large onnxruntime MatMul as this machine's roofline. Prints ratios, asserts nothing.
 *
 * Every measurement takes one pass per round and the rounds interleave all of them, so on a shared
 * machine each sees the same mix of load; the best pass of each is compared.
 *
 * Options: --docs N (100000) --reps R (3) --threads T (all cores) --chunk C (1024) --queries Q (4)
 *          --sweep 512,2048 (other chunk sizes) --no-python --quick (20000 docs, 2 rounds)
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../main/engine/onnx/index.ts';
import {
  flopsPerDocument,
  HYPENCODER_6_LAYER,
  maxRelativeError,
  type QnetKernelRequest,
  type QnetParams,
  QnetScorer,
  queryParams,
  scoreReference,
  xorshift32Stream,
} from '../../main/engine/qnet/index.ts';
import { type PythonBaseline, startPythonBaselines } from './python/qnet_baselines.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const quick = process.argv.includes('--quick');
const nDocs = Number(option('docs', quick ? '20000' : '100000'));
const reps = Number(option('reps', quick ? '2' : '3'));
const threads = Number(option('threads', String(availableParallelism())));
const chunk = Number(option('chunk', '1024'));
const queries = Number(option('queries', '4'));
const sweep = option('sweep', '512,2048')
  .split(',')
  .map(Number)
  .filter((c) => c > 0 && c !== chunk);
const withPython = !process.argv.includes('--no-python');
// The reference retriever's default: 100,000 documents per q-net call (hypencoder_cb/inference/retrieve.py).
const referenceBatch = Math.min(nDocs, 100_000);

const spec = HYPENCODER_6_LAYER;
const { dims } = spec;
const flops = flopsPerDocument(dims);
// √(2/768): the scale of the reference's fixed base q-net (DESIGN.md §4), so activations stay O(1).
const weightScale = Math.sqrt(2 / 768);

interface Measurement {
  group: string;
  label: string;
  settings: string;
  /** FLOPs one pass performs (2·Σ d_j·d_{j+1} per document scored). */
  flopsPerPass: number;
  docsPerPass: number;
  pass: () => Promise<number>;
  seconds: number[];
}

const measurements: Measurement[] = [];
function measure(m: Omit<Measurement, 'seconds' | 'flopsPerPass'> & { flopsPerPass?: number }): Measurement {
  const full = { ...m, flopsPerPass: m.flopsPerPass ?? m.docsPerPass * flops, seconds: [] };
  measurements.push(full);
  return full;
}
const gflops = (m: Measurement) => m.flopsPerPass / Math.min(...m.seconds) / 1e9;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

function makeParams(count: number, seed: number): QnetParams {
  return {
    weights: dims
      .slice(0, -1)
      .map((d, j) => xorshift32Stream(seed + 11 * j, count * d * dims[j + 1], weightScale)),
    biases: dims.slice(1, -1).map((d, j) => xorshift32Stream(seed + 1000 + 13 * j, count * d, 0.1)),
  };
}

async function scorer(chunkSize: number, kernel: QnetKernelRequest = 'auto'): Promise<QnetScorer> {
  return QnetScorer.create({
    spec,
    provider: 'cpu',
    threads: { intraOpNumThreads: threads },
    chunkSize,
    kernel,
  });
}

/** One [4096,768]·[768,768] MatMul, B as a graph input (as q-net weights are) or a constant it may pre-pack. */
async function rooflineSession(mode: 'input' | 'constant'): Promise<() => Promise<number>> {
  const M = 4096;
  const K = 768;
  const a = xorshift32Stream(3, M * K, 1);
  const b = xorshift32Stream(4, K * K, weightScale);
  const g = new GraphBuilder('roofline');
  const x = g.input('a', 'float32', ['M', K]);
  const w =
    mode === 'input' ? g.input('b', 'float32', [K, K]) : g.initializer('b', { data: b, dims: [K, K] });
  g.output(g.op('MatMul', [x, w], undefined, 'c'), 'float32', ['M', K]);
  const session = await ort.InferenceSession.create(g.toBytes(), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds: Record<string, ort.Tensor> = { a: new ort.Tensor('float32', a, [M, K]) };
  if (mode === 'input') feeds.b = new ort.Tensor('float32', b, [K, K]);
  const c = new ort.Tensor('float32', new Float32Array(M * K), [M, K]);
  await session.run(feeds, { c });
  return () =>
    timed(async () => {
      for (let i = 0; i < ROOFLINE_RUNS; i++) await session.run(feeds, { c });
    });
}
const ROOFLINE_RUNS = 40;
const ROOFLINE_FLOPS = 2 * 4096 * 768 * 768 * ROOFLINE_RUNS;

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `q-net scoring benchmark — hypencoder.6_layer dims [${dims.join(',')}], ${JSON.stringify(spec.config)}`,
  );
  console.log(
    `${(flops / 1e6).toFixed(3)} MFLOP per document (2·Σ d_j·d_{j+1}); ${nDocs} seeded documents; best of ${reps} interleaved rounds`,
  );
  console.log(
    `machine: ${cpu}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
  );
  const loadBefore = loadavg()[0];

  const docs = xorshift32Stream(42, nDocs * dims[0], 1);
  const batch = makeParams(queries, 7);
  const one = queryParams(spec, batch, 0);
  const out = new Float32Array(nDocs);
  const batchOut = new Float32Array(queries * nDocs);

  const main = await scorer(chunk);
  const s = main.settings;
  const settings = (c: number, kernel = s.kernel) =>
    `${kernel}, ${s.intraOpNumThreads}/${s.interOpNumThreads} threads, chunk ${c}`;
  await main.score(one, docs, Math.min(nDocs, 4 * chunk), out);
  const ours = measure({
    group: 'this workbench',
    label: 'q-net, one query',
    settings: settings(chunk),
    docsPerPass: nDocs,
    pass: () => timed(() => main.score(one, docs, nDocs, out)),
  });
  // The other kernel on the same documents: onnxruntime's graph when `auto` chose the native kernel.
  const others: QnetScorer[] = [];
  if (s.kernel !== 'onnxruntime') {
    const ort = await scorer(chunk, 'onnxruntime');
    others.push(ort);
    await ort.score(one, docs, Math.min(nDocs, 4 * chunk), out);
    measure({
      group: 'this workbench',
      label: 'q-net, one query',
      settings: settings(chunk, 'onnxruntime'),
      docsPerPass: nDocs,
      pass: () => timed(() => ort.score(one, docs, nDocs, out)),
    });
  }
  await main.scoreBatch(batch, docs, Math.min(nDocs, chunk), batchOut);
  const batched = measure({
    group: 'this workbench',
    label: `q-net, batch of ${queries} queries`,
    settings: s.kernel === 'onnxruntime' ? `${settings(chunk)}, ${s.batchMode}` : settings(chunk),
    docsPerPass: queries * nDocs,
    pass: () => timed(() => main.scoreBatch(batch, docs, nDocs, batchOut)),
  });
  // onnxruntime's other batch mode measured on this machine too, so `auto`'s choice is visible.
  const otherBatch = await QnetScorer.create({
    spec,
    provider: 'cpu',
    threads: { intraOpNumThreads: threads },
    chunkSize: chunk,
    kernel: 'onnxruntime',
    batchMode: 'graph',
  });
  others.push(otherBatch);
  await otherBatch.scoreBatch(batch, docs, Math.min(nDocs, chunk), batchOut);
  measure({
    group: 'this workbench',
    label: `q-net, batch of ${queries} queries`,
    settings: `${settings(chunk, 'onnxruntime')}, ${otherBatch.settings.batchMode}`,
    docsPerPass: queries * nDocs,
    pass: () => timed(() => otherBatch.scoreBatch(batch, docs, nDocs, batchOut)),
  });
  for (const c of [...sweep, nDocs]) {
    const sc = await scorer(c);
    others.push(sc);
    await sc.score(one, docs, Math.min(nDocs, c), out);
    measure({
      group: 'this workbench',
      label: c === nDocs ? 'q-net, one query, one full batch' : 'q-net, one query',
      settings: settings(c),
      docsPerPass: nDocs,
      pass: () => timed(() => sc.score(one, docs, nDocs, out)),
    });
  }
  const roofline = [
    measure({
      group: 'roofline',
      label: 'MatMul [4096,768]x[768,768] ×40',
      settings: `weights as input, ${threads} threads`,
      docsPerPass: 0,
      flopsPerPass: ROOFLINE_FLOPS,
      pass: await rooflineSession('input'),
    }),
    measure({
      group: 'roofline',
      label: 'MatMul [4096,768]x[768,768] ×40',
      settings: `weights constant, ${threads} threads`,
      docsPerPass: 0,
      flopsPerPass: ROOFLINE_FLOPS,
      pass: await rooflineSession('constant'),
    }),
  ];

  const checks: string[] = [];
  const checkDocs = Math.min(nDocs, 1024);
  await main.score(one, docs, checkDocs, out);
  const oursScores = out.slice(0, checkDocs);
  checks.push(
    `ours vs TypeScript float64 reference, 64 documents: ${maxRelativeError(oursScores, scoreReference(spec, one, docs, 64)).toExponential(2)}`,
  );
  await main.scoreBatch(batch, docs, checkDocs, batchOut);
  checks.push(
    `batch query 0 vs single query, ${checkDocs} documents: ${maxRelativeError(batchOut.subarray(0, checkDocs), oursScores).toExponential(2)}`,
  );

  const pythonNotes: string[] = [];
  let torchReference: Measurement | undefined;
  const torchRows: Measurement[] = [];
  const numpyRows: Measurement[] = [];
  let baselines: PythonBaseline[] = [];
  if (!withPython) pythonNotes.push('skipped: --no-python');
  else {
    const started = await startPythonBaselines({
      dims,
      config: spec.config,
      nDocs,
      threads,
      docs,
      params: one,
    });
    baselines = started.baselines;
    pythonNotes.push(...started.notes);
    for (const b of baselines) {
      const label = b.impl === 'numpy' ? 'numpy + OpenBLAS' : 'PyTorch einsum (reference path)';
      for (const c of [...new Set([referenceBatch, chunk])]) {
        const m = measure({
          group: 'Python baselines (same math, documents and weights)',
          label,
          settings: `${b.threads} threads, chunk ${c}`,
          docsPerPass: nDocs,
          pass: () => b.pass(c),
        });
        if (b.impl === 'numpy') numpyRows.push(m);
        else {
          torchRows.push(m);
          if (c === referenceBatch) torchReference = m;
        }
      }
      if (b.impl === 'torch')
        checks.push(
          `ours vs PyTorch, ${checkDocs} documents: ${maxRelativeError(oursScores, await b.scores(checkDocs)).toExponential(2)}`,
        );
    }
  }

  let maxLoad = loadBefore;
  for (let r = 0; r < reps; r++) {
    for (const m of measurements) {
      m.seconds.push(await m.pass());
      maxLoad = Math.max(maxLoad, loadavg()[0]);
    }
    console.log(`  round ${r + 1}/${reps} done (load average ${loadavg()[0].toFixed(2)})`);
  }
  for (const b of baselines) b.close();
  for (const sc of [main, ...others]) await sc.dispose();

  let group = '';
  for (const m of measurements) {
    if (m.group !== group) {
      group = m.group;
      console.log(`\n${group}:`);
    }
    const rate =
      m.docsPerPass > 0
        ? `${(m.docsPerPass / Math.min(...m.seconds)).toFixed(0).padStart(7)} docs/s`
        : ' '.repeat(14);
    const all = m.seconds.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `  ${m.label.padEnd(34)} ${m.settings.padEnd(42)} ${rate} ${gflops(m).toFixed(1).padStart(7)} GFLOP/s  (passes, s: ${all})`,
    );
  }
  for (const note of pythonNotes) console.log(`  ${note}`);
  console.log('\nchecks (max relative error):');
  for (const c of checks) console.log(`  ${c}`);

  const best = (rows: Measurement[]) => rows.reduce((a, b) => (gflops(b) > gflops(a) ? b : a));
  const ratio = (a: Measurement, b: Measurement) => `${(gflops(a) / gflops(b)).toFixed(2)}×`;
  const roof = best(roofline);
  console.log('\nratios (best pass over best pass, this run):');
  if (torchReference)
    console.log(
      `  ours / PyTorch as the reference runs it (${torchReference.settings}): ${ratio(ours, torchReference)}  (target ≥ 2×)`,
    );
  if (torchRows.length > 0)
    console.log(
      `  ours / PyTorch at its best setting (${best(torchRows).settings}): ${ratio(ours, best(torchRows))}`,
    );
  if (numpyRows.length > 0)
    console.log(
      `  ours / numpy at its best setting (${best(numpyRows).settings}): ${ratio(ours, best(numpyRows))}`,
    );
  console.log(
    `  ours / roofline (${roof.settings}): ${((100 * gflops(ours)) / gflops(roof)).toFixed(0)} %  (target ≥ 75 %)`,
  );
  console.log(`  batch of ${queries} / one query (per scored document): ${ratio(batched, ours)}`);
  const fastest = best(measurements.filter((m) => m.group === 'this workbench' && m.docsPerPass === nDocs));
  console.log(`  fastest single-query setting: ${fastest.settings}, ${gflops(fastest).toFixed(1)} GFLOP/s`);
  console.log(
    `  load average (1 min) before / highest / after: ${loadBefore.toFixed(2)} / ${maxLoad.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`,
  );
  if (maxLoad > availableParallelism() / 2) {
    // Best-of-rounds absorbs short bursts, not load that comes and goes between measurements.
    console.log(
      '  warning: other work shared the CPUs during this run, so ratios between measurements taken at different moments may be off; rerun on an idle machine (--quick takes under a minute)',
    );
  }
}

await main();
