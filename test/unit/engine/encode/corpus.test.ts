import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  corpusArtifactDir,
  type DocumentEncoder,
  type EncodeCorpusOptions,
  type EncodeProgress,
  type EncodeTasks,
  encodeBatch,
  encodeCorpus,
  LOCK_FILE,
  listEmbeddingArtifacts,
  memoryCorpus,
  PROGRESS_FILE,
  pooledEncoder,
  readEmbeddings,
  sessionEncoder,
} from '../../../../main/engine/encode/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  type ModelPackage,
  type ModelRuntime,
  openModel,
  readPackage,
} from '../../../../main/engine/models/index.ts';
import { type EngineTasks, enginePool, WorkerPool } from '../../../../main/engine/workers/index.ts';
import { generateTinyPackages, type TinyPackages } from '../../../fixtures/models/generate.ts';
import { syntheticCorpus } from '../../../fixtures/models/vocab.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./encode-child.ts', import.meta.url));
const crashEntry = new URL('../../../fixtures/encode/crash-worker.ts', import.meta.url);

let tmp: string;
let pkgs: TinyPackages;
let pkg: ModelPackage;
/** The same package with its sessions open in this thread (reference rows, the in-thread encoder). */
let model: ModelRuntime;
/** Two production workers (workers/worker.ts), as the CLI and the app start them. */
let pool: WorkerPool<EngineTasks>;
let n = 0;
const freshDataDir = () => join(tmp, `data-${n++}`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'wb-corpus-'));
  // Mean pooling sums over the padded length, so a different batch composition changes the last bits:
  // that is what makes "bit-identical after resume" a real check of the batch plan (see the premise below).
  pkgs = await generateTinyPackages(join(tmp, 'pkg'), { seed: 21, dim: 16, pooling: 'mean' });
  pkg = readPackage(pkgs.biencoder);
  model = await openModel(pkg);
  pool = enginePool({ size: 2 });
  await pool.ready();
});
afterAll(async () => {
  await pool?.close();
  await model?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** encodeCorpus on the pool of two workers. */
const encodeOnPool = (options: Omit<EncodeCorpusOptions, 'encoder'>, on = pool) =>
  encodeCorpus({ ...options, encoder: pooledEncoder(on, pkg) });

const dataBytes = (dir: string) => readFileSync(join(dir, 'embeddings.f32'));

describe('encodeCorpus', () => {
  it('writes embeddings in corpus order, each as if encoded alone, and reuses a finished artifact', async () => {
    const docs = syntheticCorpus(200, 2);
    const corpus = memoryCorpus(docs);
    const dataDir = freshDataDir();
    const result = await encodeOnPool({ dataDir, corpus, batchSize: 8, sortWindow: 64 });
    expect(result.reused).toBe(false);
    // Windows of 64, 64, 64 and 8 documents: 8 + 8 + 8 + 1 batches.
    expect(result.batchesEncoded).toBe(25);
    const { meta, ids, vectors } = readEmbeddings(result.dir);
    expect(ids).toEqual(docs.map((d) => d.docId));
    expect(meta).toMatchObject({
      source: 'encoded',
      count: 200,
      dim: 16,
      dtype: 'float32',
      corpus: { hash: corpus.hash, count: 200 },
    });
    expect(meta.settings).toMatchObject({ batchSize: 8, sortWindow: 64, maxLength: 32 });
    // The pool's thread split is what the artifact records: cores shared out between the two workers.
    expect(meta.run).toMatchObject({
      provider: 'cpu',
      requested: 'cpu',
      workers: 2,
      intraOpNumThreads: Math.max(1, Math.floor(availableParallelism() / 2)),
      interOpNumThreads: 1,
    });
    for (const i of [0, 1, 57, 64, 199]) {
      const text = `${docs[i].title} ${docs[i].text}`.trim();
      const alone = await encodeBatch(model.doc.session, model.tokenizer, [text], 32);
      const row = vectors.subarray(i * 16, (i + 1) * 16);
      for (let d = 0; d < 16; d++) expect(Math.abs(row[d] - alone[d])).toBeLessThan(1e-5);
    }
    // Nothing of the run's bookkeeping stays behind.
    expect(readdirSync(result.dir).sort()).toEqual(['embeddings.f32', 'ids.txt', 'meta.json']);
    const again = await encodeOnPool({ dataDir, corpus, batchSize: 8, sortWindow: 64 });
    expect(again).toMatchObject({ reused: true, dir: result.dir, batchesEncoded: 0 });
    expect(listEmbeddingArtifacts(dataDir, { corpusHash: corpus.hash }).map((m) => m.dir)).toEqual([
      result.dir,
    ]);
    // A setting that changes the numbers gives another artifact.
    expect(
      corpusArtifactDir({ dataDir, model: pkg, corpus, batchSize: 8, sortWindow: 64, maxLength: 16 }),
    ).not.toBe(result.dir);
  });

  it('opens the doc graph once per worker and reuses it for later encodes', async () => {
    const copy = join(tmp, 'pkg-copy');
    cpSync(pkgs.biencoder, copy, { recursive: true });
    const moved = readPackage(copy);
    const settings = { batchSize: 4, sortWindow: 64 };
    // Enough batches that both workers take some (four are out at once), so both open the graph.
    await encodeCorpus({
      dataDir: freshDataDir(),
      encoder: pooledEncoder(pool, moved),
      corpus: memoryCorpus(syntheticCorpus(64, 13)),
      ...settings,
    });
    // With the package folder gone, only sessions the workers kept can encode.
    renameSync(copy, `${copy}-gone`);
    const corpus = memoryCorpus(syntheticCorpus(300, 14));
    const cached = await encodeCorpus({
      dataDir: freshDataDir(),
      encoder: pooledEncoder(pool, moved),
      corpus,
      ...settings,
    });
    const fresh = await encodeOnPool({ dataDir: freshDataDir(), corpus, ...settings });
    expect(dataBytes(cached.dir).equals(dataBytes(fresh.dir))).toBe(true);
  });

  it('stores float16 when asked, within half precision of float32', async () => {
    const corpus = memoryCorpus(syntheticCorpus(50, 4));
    const dataDir = freshDataDir();
    const f32 = readEmbeddings((await encodeOnPool({ dataDir, corpus, batchSize: 8 })).dir);
    const half = await encodeOnPool({ dataDir, corpus, batchSize: 8, dtype: 'float16' });
    expect(statSync(join(half.dir, 'embeddings.f16')).size).toBe(50 * 16 * 2);
    const f16 = readEmbeddings(half.dir);
    expect(f16.meta.dtype).toBe('float16');
    for (let i = 0; i < f32.vectors.length; i++) {
      expect(Math.abs(f16.vectors[i] - f32.vectors[i])).toBeLessThanOrEqual(
        Math.abs(f32.vectors[i]) * 2 ** -11 + 2 ** -24,
      );
    }
  });

  it('reads large files in chunks into one array, with the same values', async () => {
    const dataDir = freshDataDir();
    const { dir } = await encodeOnPool({ dataDir, corpus: memoryCorpus(syntheticCorpus(30, 6)) });
    expect(readEmbeddings(dir, { singleReadLimit: 0 }).vectors).toEqual(readEmbeddings(dir).vectors);
  });

  describe('on a 20k-document corpus, on the pool', () => {
    const docs = syntheticCorpus(20_000, 9);
    const corpus = memoryCorpus(docs);
    const settings = { batchSize: 32, sortWindow: 4096 };
    let oneShot: Buffer;
    const oneShotProgress: EncodeProgress[] = [];
    let mostInFlight = 0;

    beforeAll(async () => {
      // Counts the batches out at once, to see the pool kept busy within its bound (2 × workers).
      const pooled = pooledEncoder(pool, pkg);
      let out = 0;
      const counting: DocumentEncoder = {
        ...pooled,
        async encode(...args) {
          mostInFlight = Math.max(mostInFlight, ++out);
          try {
            return await pooled.encode(...args);
          } finally {
            out--;
          }
        },
      };
      const result = await encodeCorpus({
        dataDir: freshDataDir(),
        encoder: counting,
        corpus,
        ...settings,
        onProgress: (p) => oneShotProgress.push(p),
      });
      oneShot = dataBytes(result.dir);
      expect(oneShot.length).toBe(20_000 * 16 * 4);
    });

    it('keeps both workers busy and reports progress after every batch', () => {
      expect(mostInFlight).toBe(4);
      expect(oneShotProgress).toHaveLength(1 + 625);
      expect(oneShotProgress[0]).toMatchObject({ docsDone: 0, batchesDone: 0, batchesTotal: 625 });
      expect(oneShotProgress.every((p, i) => i === 0 || p.batchesDone === i)).toBe(true);
      expect(oneShotProgress.every((p, i) => i === 0 || p.docsDone > oneShotProgress[i - 1].docsDone)).toBe(
        true,
      );
      expect(oneShotProgress.at(-1)).toMatchObject({ docsDone: 20_000, docsTotal: 20_000, etaSeconds: 0 });
      expect(oneShotProgress.at(-1)?.docsPerSecond).toBeGreaterThan(0);
    });

    it('writes the same bits as the in-thread encoder (threads and arrival order change nothing)', async () => {
      // In this thread: one session with every core's threads, one batch at a time, in order.
      const inThread = await encodeCorpus({
        dataDir: freshDataDir(),
        encoder: sessionEncoder(model),
        corpus,
        ...settings,
      });
      expect(inThread.meta.run).toMatchObject({ workers: 0, intraOpNumThreads: availableParallelism() });
      expect(dataBytes(inThread.dir).equals(oneShot)).toBe(true);
    });

    it('premise: another batch plan gives other bits, so bit-identity below checks the plan', async () => {
      const other = await encodeOnPool({
        dataDir: freshDataDir(),
        corpus,
        batchSize: 32,
        sortWindow: 1024,
      });
      const a = new Float32Array(oneShot.buffer, oneShot.byteOffset, oneShot.length / 4);
      const b = readEmbeddings(other.dir).vectors;
      let differing = 0;
      let worst = 0;
      for (let i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
        if (a[i] !== b[i]) differing++;
      }
      expect(worst).toBeLessThan(1e-5);
      expect(differing).toBeGreaterThan(0);
    });

    it('resumes a cancelled encode and ends bit-identical to a one-shot run', async () => {
      const dataDir = freshDataDir();
      const controller = new AbortController();
      const seen: EncodeProgress[] = [];
      const first = encodeOnPool({
        dataDir,
        corpus,
        ...settings,
        commitIntervalMs: 50,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.batchesDone === 250) controller.abort();
        },
      });
      const err = await first.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkbenchError);
      expect((err as WorkbenchError).code).toBe('CANCELLED');
      expect(seen[0]).toMatchObject({
        docsDone: 0,
        batchesDone: 0,
        batchesTotal: 625,
        docsTotal: 20_000,
        docsPerSecond: null,
      });
      // Batches already running when the cancel came finish and are kept; none is started after it.
      const stoppedAt = seen.at(-1)!.batchesDone;
      expect(stoppedAt).toBeGreaterThanOrEqual(250);
      expect(stoppedAt).toBeLessThanOrEqual(250 + 4);
      expect(seen.every((p, i) => i === 0 || p.docsDone > seen[i - 1].docsDone)).toBe(true);
      const dir = corpusArtifactDir({ dataDir, model: pkg, corpus, ...settings });
      expect(existsSync(join(dir, 'meta.json'))).toBe(false);
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
      // The cancel committed every batch it reported, and only those.
      expect(readFileSync(join(dir, PROGRESS_FILE), 'utf8').trim().split('\n')).toHaveLength(1 + stoppedAt);

      const resumedProgress: EncodeProgress[] = [];
      const second = await encodeOnPool({
        dataDir,
        corpus,
        ...settings,
        onProgress: (p) => resumedProgress.push(p),
      });
      expect(second.batchesResumed).toBe(stoppedAt);
      expect(second.batchesEncoded).toBe(625 - stoppedAt);
      expect(resumedProgress[0].docsResumed).toBe(resumedProgress[0].docsDone);
      expect(resumedProgress[0].docsDone).toBeGreaterThan(7000);
      expect(resumedProgress.at(-1)).toMatchObject({ docsDone: 20_000, batchesDone: 625, etaSeconds: 0 });
      expect(dataBytes(second.dir).equals(oneShot)).toBe(true);
      expect(readEmbeddings(second.dir).ids).toEqual(docs.map((d) => d.docId));
    });

    it('resumes after the encoding process was killed (SIGKILL) and ends bit-identical', async () => {
      const dataDir = freshDataDir();
      const child = spawn(
        process.execPath,
        [
          join(repoRoot, 'main/bin/run-ts.mjs'),
          childScript,
          pkgs.biencoder,
          dataDir,
          '20000',
          '9',
          '32',
          '4096',
          '4',
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      let lastReported = 0;
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      child.stdout.on('data', (d: Buffer) => {
        for (const m of d.toString().matchAll(/batches (\d+)/g)) lastReported = Number(m[1]);
        if (lastReported >= 400 && child.exitCode === null) child.kill('SIGKILL');
      });
      const { signal } = await exit;
      expect(signal, `the child ended on its own: ${stderr}`).toBe('SIGKILL');

      const dir = corpusArtifactDir({ dataDir, model: pkg, corpus, ...settings });
      expect(existsSync(join(dir, 'meta.json'))).toBe(false);
      // The dead process's lock and progress are still there; the lock is taken over, the progress used.
      expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
      expect(existsSync(join(dir, PROGRESS_FILE))).toBe(true);
      const resumed = await encodeOnPool({ dataDir, corpus, ...settings });
      expect(resumed.batchesResumed).toBeGreaterThan(0);
      expect(resumed.batchesResumed).toBeLessThanOrEqual(lastReported);
      expect(resumed.batchesResumed + resumed.batchesEncoded).toBe(625);
      expect(dataBytes(resumed.dir).equals(oneShot)).toBe(true);
    });
  });

  it('fails the encode clearly when a worker crashes, keeps what was done, and the pool recovers', async () => {
    const crashText = 'worker-crash-marker';
    const docs = syntheticCorpus(3000, 5);
    // In the third sort window, so the first two are encoded (and some of them committed) before the crash.
    docs[2500] = { ...docs[2500], text: `${docs[2500].text} ${crashText}` };
    const corpus = memoryCorpus(docs);
    const settings = { batchSize: 16, sortWindow: 1024 };
    const crashing = new WorkerPool<EncodeTasks>({ entry: crashEntry, size: 2, workerData: { crashText } });
    try {
      await crashing.ready();
      const before = crashing.threadIds();
      const dataDir = freshDataDir();
      const err = await encodeOnPool({ dataDir, corpus, ...settings, commitIntervalMs: 0 }, crashing).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkbenchError);
      expect((err as WorkbenchError).code).toBe('WORKER_CRASHED');
      expect((err as WorkbenchError).details).toMatchObject({ task: 'encodeDocuments' });
      expect((err as WorkbenchError).message).toMatch(
        /^Corpus encoding stopped: a worker thread died while encoding a batch \(exited with code 70\) and was replaced\. \d+ of 188 batches are saved: run the encode again to resume after them$/,
      );
      const saved = Number(/(\d+) of 188/.exec((err as WorkbenchError).message)![1]);
      expect(saved).toBeGreaterThanOrEqual(128);
      const dir = corpusArtifactDir({ dataDir, model: pkg, corpus, ...settings });
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

      // The crashed worker was replaced, and the same pool encodes on, the same bits as the production pool.
      const clean = memoryCorpus(syntheticCorpus(300, 6));
      const again = await encodeOnPool({ dataDir: freshDataDir(), corpus: clean, ...settings }, crashing);
      expect(crashing.threadIds()).toHaveLength(2);
      expect(crashing.threadIds()).not.toEqual(before);
      const reference = await encodeOnPool({ dataDir: freshDataDir(), corpus: clean, ...settings });
      expect(dataBytes(again.dir).equals(dataBytes(reference.dir))).toBe(true);

      // Workers that do not crash resume the encode after the saved batches.
      const resumed = await encodeOnPool({ dataDir, corpus, ...settings });
      expect(resumed.batchesResumed).toBe(saved);
      const oneShot = await encodeOnPool({ dataDir: freshDataDir(), corpus, ...settings });
      expect(dataBytes(resumed.dir).equals(dataBytes(oneShot.dir))).toBe(true);
    } finally {
      await crashing.close();
    }
  });

  it('starts over when the progress log belongs to another plan', async () => {
    const corpus = memoryCorpus(syntheticCorpus(600, 12));
    const settings = { batchSize: 16, sortWindow: 256 };
    const oneShot = dataBytes((await encodeOnPool({ dataDir: freshDataDir(), corpus, ...settings })).dir);
    const dataDir = freshDataDir();
    const dir = corpusArtifactDir({ dataDir, model: pkg, corpus, ...settings });
    const controller = new AbortController();
    await encodeOnPool({
      dataDir,
      corpus,
      ...settings,
      commitIntervalMs: 0,
      signal: controller.signal,
      onProgress: (p) => p.batchesDone === 10 && controller.abort(),
    }).catch(() => undefined);
    const log = readFileSync(join(dir, PROGRESS_FILE), 'utf8').split('\n');
    expect(log.length).toBeGreaterThanOrEqual(1 + 10 + 1);
    writeFileSync(
      join(dir, PROGRESS_FILE),
      [JSON.stringify({ planHash: 'other', totalBatches: 38 }), ...log.slice(1)].join('\n'),
    );
    const result = await encodeOnPool({ dataDir, corpus, ...settings });
    expect(result.batchesResumed).toBe(0);
    expect(result.batchesEncoded).toBe(38);
    expect(dataBytes(result.dir).equals(oneShot)).toBe(true);
  });

  it('refuses to encode an artifact another live process is encoding', async () => {
    const dataDir = freshDataDir();
    const corpus = memoryCorpus(syntheticCorpus(10, 1));
    const dir = corpusArtifactDir({ dataDir, model: pkg, corpus });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(encodeOnPool({ dataDir, corpus })).rejects.toThrow(
      new RegExp(`being encoded by process ${process.ppid}`),
    );
  });

  it('fails clearly when the corpus yields a different number of documents than it declares', async () => {
    const docs = syntheticCorpus(10, 1);
    const corpus = { hash: 'h', size: 12, documents: () => docs };
    await expect(encodeOnPool({ dataDir: freshDataDir(), corpus })).rejects.toThrow(
      /yielded 10 documents but declared 12/,
    );
  });
});
