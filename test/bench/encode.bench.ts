/**
 * `npm run bench:encode` — document encoding speed with a generated tiny BERT-like package (seeded weights):
 * tokenisation alone, the onnxruntime forward passes alone, and the whole corpus encode (tokenise, run,
 * write the resumable artifact) both on the worker pool (as the app and the CLI run it) and in this thread
 * on one session, beside the same network in PyTorch over the same weights and the same token batches
 * (test/bench/python/encode_tiny.py), measured in the same run. Prints docs/s and ratios, asserts nothing;
 * the PyTorch outputs are compared with the workbench's as a check that both compute the same thing, and
 * the pool's file with the in-thread one (they must be bit-identical).
 *
 * Options: --docs N (2000) --dim D (128) --layers L (2) --heads H (4) --ffn F (4·dim) --max-length M (128)
 *          --batch B (32) --reps R (2) --threads T (all cores; in-thread session and PyTorch)
 *          --workers W (encodeWorkers(): one per core, at most 4) --no-python
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  documentText,
  type EncodeCorpusResult,
  embeddingOf,
  encodeCorpus,
  encodeWorkers,
  memoryCorpus,
  pooledEncoder,
  runTokenBatch,
  sessionEncoder,
  writeNpy,
} from '../../main/engine/encode/index.ts';
import { openModel, readPackage, type TokenBatch } from '../../main/engine/models/index.ts';
import { enginePool } from '../../main/engine/workers/index.ts';
import { generateTinyPackages } from '../fixtures/models/generate.ts';
import { syntheticCorpus } from '../fixtures/models/vocab.ts';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const nDocs = option('docs', 2000);
const dim = option('dim', 128);
const layers = option('layers', 2);
const heads = option('heads', 4);
const ffn = option('ffn', 4 * dim);
const maxLength = option('max-length', 128);
const batchSize = option('batch', 32);
const reps = option('reps', 2);
const threads = option('threads', availableParallelism());
const workers = option('workers', encodeWorkers());
const withPython = !process.argv.includes('--no-python');

const rate = (docs: number, seconds: number) => docs / seconds;
const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

function findPython(): string | undefined {
  const candidates = [process.env.WORKBENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => !!p,
  );
  return candidates.find(
    (p) => spawnSync(p, ['-c', 'import numpy, torch'], { stdio: 'ignore' }).status === 0,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'wb-bench-encode-'));
try {
  const pkgs = await generateTinyPackages(join(dir, 'pkg'), {
    seed: 2025,
    dim,
    layers,
    heads,
    ffn,
    docMaxLength: maxLength,
    queryMaxLength: 32,
  });
  const model = await openModel(readPackage(pkgs.biencoder), { threads: { intraOpNumThreads: threads } });
  const docs = syntheticCorpus(nDocs, 77, 120);
  const texts = docs.map(documentText);

  console.log(
    `encode bench: ${fmt(nDocs)} synthetic documents (4–120 words), tiny BERT ${layers} layers × ${dim} (${heads} heads, FFN ${ffn}), CLS pooling`,
  );
  console.log(
    `  maxLength ${maxLength}, batch ${batchSize}, batches sorted by length; onnxruntime-node ${ort.env.versions.common}, CPU provider, ${threads} intra-op threads`,
  );
  console.log(
    `  machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load ${loadavg()[0].toFixed(1)}`,
  );

  // The batches encodeCorpus forms for a corpus within one sort window: longest first, ties in corpus order.
  const order = Array.from(texts, (_, i) => i).sort((a, b) => texts[b].length - texts[a].length || a - b);
  const groups: string[][] = [];
  for (let i = 0; i < order.length; i += batchSize)
    groups.push(order.slice(i, i + batchSize).map((k) => texts[k]));

  let start = performance.now();
  const batches: TokenBatch[] = groups.map((g) => model.tokenizer.batch(g, maxLength));
  const tokenizeSeconds = (performance.now() - start) / 1000;
  const tokens = batches.reduce((a, b) => a + b.tokenCounts.reduce((x, y) => x + y, 0), 0);

  for (const b of batches.slice(0, 3)) await runTokenBatch(model.doc.session, b, ['embedding']);
  let forwardSeconds = Number.POSITIVE_INFINITY;
  let embeddings: Float32Array[] = [];
  for (let r = 0; r < reps; r++) {
    start = performance.now();
    const out: Float32Array[] = [];
    for (const b of batches)
      out.push(embeddingOf(await runTokenBatch(model.doc.session, b, ['embedding']), b.batchSize));
    forwardSeconds = Math.min(forwardSeconds, (performance.now() - start) / 1000);
    if (r === 0) embeddings = out;
  }

  const pool = enginePool({ size: workers });
  await pool.ready();
  const pooled = pooledEncoder(pool, readPackage(pkgs.biencoder));
  const inThread = sessionEncoder(model);
  let poolSeconds = Number.POSITIVE_INFINITY;
  let threadSeconds = Number.POSITIVE_INFINITY;
  const files: EncodeCorpusResult[] = [];
  // Alternating, so that a change in the machine's load hits both alike.
  for (let r = 0; r < reps + 1; r++) {
    for (const encoder of [pooled, inThread]) {
      start = performance.now();
      const result = await encodeCorpus({
        dataDir: join(dir, `data-${r}-${encoder.run.workers}`),
        encoder,
        corpus: memoryCorpus(docs),
        batchSize,
        maxLength,
      });
      const seconds = (performance.now() - start) / 1000;
      // The first round warms the workers' sessions up (each opens the graph on its first batch).
      if (r === 0) files.push(result);
      else if (encoder === pooled) poolSeconds = Math.min(poolSeconds, seconds);
      else threadSeconds = Math.min(threadSeconds, seconds);
    }
  }
  await pool.close();
  await model.close();
  const data = (r: EncodeCorpusResult) => readFileSync(join(r.dir, r.meta.dataFile));
  const sameBits = data(files[0]).equals(data(files[1]));

  let torch: { docsPerSecond: number; maxAbsDiff: number; torch: string; threads: number } | undefined;
  const python = withPython ? findPython() : undefined;
  if (python) {
    const bench = join(dir, 'torch');
    mkdirSync(join(bench, 'weights'), { recursive: true });
    const weightDims: Record<string, number[]> = {};
    for (const [name, t] of pkgs.weights) {
      weightDims[name] = t.dims;
      writeNpy(
        join(bench, 'weights', `${name}.npy`),
        t.data,
        t.dims.length === 2 ? [t.dims[0], t.dims[1]] : [1, t.data.length],
      );
    }
    let offset = 0;
    const index = batches.map((b) => {
      const entry = { offset, batchSize: b.batchSize, length: b.length };
      offset += 2 * b.batchSize * b.length;
      return entry;
    });
    const all = new BigInt64Array(offset);
    batches.forEach((b, i) => {
      all.set(b.inputIds, index[i].offset);
      all.set(b.attentionMask, index[i].offset + b.inputIds.length);
    });
    writeFileSync(join(bench, 'tokens.bin'), new Uint8Array(all.buffer));
    const ortOut = new Float32Array(embeddings.reduce((a, e) => a + e.length, 0));
    let at = 0;
    for (const e of embeddings) {
      ortOut.set(e, at);
      at += e.length;
    }
    writeFileSync(join(bench, 'ort.bin'), new Uint8Array(ortOut.buffer));
    writeFileSync(
      join(bench, 'config.json'),
      JSON.stringify({ hidden: dim, heads, layers, pooling: 'cls', weights: weightDims, batches: index }),
    );
    const script = fileURLToPath(new URL('./python/encode_tiny.py', import.meta.url));
    const result = spawnSync(python, [script, bench, String(threads), String(reps)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (result.status === 0) torch = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    else console.log(`  PyTorch run failed:\n${result.stderr}`);
  }

  const split = pooled.run.intraOpNumThreads;
  const rows: [string, number][] = [
    ['tokenise only (tokenizers.js + padding)', rate(nDocs, tokenizeSeconds)],
    ['onnxruntime forward passes only', rate(nDocs, forwardSeconds)],
    [
      `encodeCorpus on the pool (${workers} worker${workers === 1 ? '' : 's'} × ${split} thread${split === 1 ? '' : 's'})`,
      rate(nDocs, poolSeconds),
    ],
    [`encodeCorpus in this thread (1 session × ${threads} threads)`, rate(nDocs, threadSeconds)],
  ];
  if (torch)
    rows.push([
      `PyTorch ${torch.torch} forward passes only (${torch.threads} thread${torch.threads === 1 ? '' : 's'})`,
      torch.docsPerSecond,
    ]);
  console.log(
    `\n  ${tokens.toLocaleString('en-US')} tokens, ${(tokens / nDocs).toFixed(1)} per document; best of ${reps}`,
  );
  for (const [label, docsPerSecond] of rows) {
    const ratio = torch ? `  ${(docsPerSecond / torch.docsPerSecond).toFixed(2)}× PyTorch` : '';
    console.log(`  ${label.padEnd(56)} ${fmt(docsPerSecond).padStart(9)} docs/s${ratio}`);
  }
  console.log(
    `  pool vs in-thread: ${(threadSeconds / poolSeconds).toFixed(2)}× the speed; files ${sameBits ? 'bit-identical' : 'DIFFER'}`,
  );
  if (torch)
    console.log(`  PyTorch vs onnxruntime embeddings: max |difference| ${torch.maxAbsDiff.toExponential(2)}`);
  else if (withPython)
    console.log(
      '  PyTorch: skipped, no python3 with numpy and torch (apt-get install python3-torch python3-numpy libopenblas0-pthread)',
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
