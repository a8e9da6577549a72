import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  buildNeighbourGraph,
  chooseGraphMethod,
  GraphArtifacts,
  graphArtifactKey,
  makeCorpus,
  sharedCorpus,
} from '../../../../main/engine/search/index.ts';
import { bruteForceNeighbours, clusteredCorpus, docnos } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb-graph-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function rowsOf(neighbours: Int32Array, k: number): number[][] {
  return Array.from({ length: neighbours.length / k }, (_, i) =>
    Array.from(neighbours.subarray(i * k, (i + 1) * k)),
  );
}

/** Fraction of rows whose neighbour set equals the reference's (float32 GEMM vs float64 may swap near-ties at the edge). */
function agreement(got: number[][], want: number[][]): number {
  let same = 0;
  for (let i = 0; i < got.length; i++) {
    const a = new Set(got[i]);
    if (want[i].every((x) => a.has(x))) same++;
  }
  return same / got.length;
}

describe('buildNeighbourGraph', () => {
  const dim = 24;
  const rows = 700;
  const data = clusteredCorpus(rows, dim, 3, 12);
  const corpus = makeCorpus({ embeddings: data, dim, docnos: docnos(rows) });

  it('exact L2 and inner product match brute force, nearest first, never the row itself', async () => {
    for (const metric of ['l2', 'ip'] as const) {
      const { graph, report } = await buildNeighbourGraph(corpus, { k: 15, metric, method: 'exact' });
      const got = rowsOf(graph.neighbours, 15);
      const want = bruteForceNeighbours(data, dim, 15, metric);
      for (let i = 0; i < rows; i++) expect(got[i]).not.toContain(i);
      expect(agreement(got, want)).toBeGreaterThan(0.99);
      // Order too: the first neighbour is the brute-force nearest for nearly every row.
      expect(got.filter((r, i) => r[0] === want[i][0]).length / rows).toBeGreaterThan(0.99);
      expect(report).toMatchObject({
        method: 'exact',
        metric,
        k: 15,
        rows,
        recallAtK: 1,
        graphBytes: rows * 15 * 4,
      });
    }
  });

  it('excludes the row itself in every block, not only the first (the reference keeps later self-loops)', async () => {
    // More rows than one 256-row block, with exact duplicates: a duplicate is a neighbour, the row never.
    const dup = clusteredCorpus(600, 8, 9, 5, 200);
    const c = makeCorpus({ embeddings: dup, dim: 8, docnos: docnos(600) });
    const { graph } = await buildNeighbourGraph(c, { k: 5, method: 'exact' });
    for (let i = 0; i < 600; i++)
      expect(Array.from(graph.neighbours.subarray(i * 5, i * 5 + 5))).not.toContain(i);
  });

  it('reads a corpus in shared memory the same way', async () => {
    const a = await buildNeighbourGraph(corpus, { k: 8, method: 'exact' });
    const b = await buildNeighbourGraph(sharedCorpus(corpus), { k: 8, method: 'exact' });
    expect(Array.from(b.graph.neighbours)).toEqual(Array.from(a.graph.neighbours));
  });

  it('HNSW builds report their recall against exact neighbours on a sample', async () => {
    const { graph, report } = await buildNeighbourGraph(corpus, { k: 10, method: 'hnsw', recallSample: 200 });
    expect(report.method).toBe('hnsw');
    expect(report.recallSample).toBe(200);
    const want = bruteForceNeighbours(data, dim, 10);
    const got = rowsOf(graph.neighbours, 10);
    let hits = 0;
    for (let i = 0; i < rows; i++) hits += got[i].filter((x) => want[i].includes(x)).length;
    const recall = hits / (rows * 10);
    expect(recall).toBeGreaterThan(0.9);
    expect(Math.abs(report.recallAtK - recall)).toBeLessThan(0.05);
    for (let i = 0; i < rows; i++) expect(got[i]).not.toContain(i);
  });

  it('chooses exact up to the cost of 100k × 768 and HNSW beyond', () => {
    expect(chooseGraphMethod(100_000, 768)).toBe('exact');
    expect(chooseGraphMethod(100_001, 768)).toBe('hnsw');
    expect(chooseGraphMethod(240_000, 128)).toBe('exact');
    expect(chooseGraphMethod(1_000_000, 128)).toBe('hnsw');
  });

  it('stops when cancelled mid-build', async () => {
    const big = makeCorpus({ embeddings: clusteredCorpus(3000, 16, 4), dim: 16, docnos: docnos(3000) });
    const controller = new AbortController();
    let updates = 0;
    const err = await buildNeighbourGraph(
      big,
      { k: 10, method: 'exact' },
      {
        signal: controller.signal,
        progress: () => {
          updates++;
          controller.abort();
        },
      },
    ).catch((e: unknown) => e as WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(updates).toBe(1);
  });
});

describe('GraphArtifacts', () => {
  const dim = 16;
  const rows = 1200;
  const corpus = makeCorpus({ embeddings: clusteredCorpus(rows, dim, 5, 40), dim, docnos: docnos(rows) });

  it('stores the graph under the hash of its inputs and reuses it', async () => {
    const dataDir = tempDir();
    const artifacts = new GraphArtifacts(dataDir);
    const first = await artifacts.resolve(corpus, { k: 10, method: 'exact' });
    expect(first.reused).toBe(false);
    expect(first.dir).toBe(join(dataDir, 'artifacts', 'graphs', first.meta.key));
    expect(first.meta.key).toBe(graphArtifactKey(first.meta.inputs));
    expect(first.meta.inputs).toMatchObject({
      embeddingsHash: corpus.contentHash,
      rows,
      dim,
      k: 10,
      metric: 'l2',
      method: 'exact',
    });
    expect(first.meta.report.buildMs).toBeGreaterThan(0);
    expect(first.meta.report.peakRssBytes).toBeGreaterThan(0);
    expect(readFileSync(join(first.dir, 'neighbours.i32')).byteLength).toBe(rows * 10 * 4);
    const again = await artifacts.resolve(corpus, { k: 10, method: 'exact' });
    expect(again.reused).toBe(true);
    expect(Array.from(again.graph.neighbours)).toEqual(Array.from(first.graph.neighbours));
    // Other parameters or other embeddings never reuse it.
    const otherK = await artifacts.resolve(corpus, { k: 9, method: 'exact' });
    expect(otherK.meta.key).not.toBe(first.meta.key);
    const changed = makeCorpus({
      embeddings: corpus.embeddings.map((v, i) => (i === 0 ? v + 1 : v)),
      dim,
      docnos: docnos(rows),
    });
    expect((await artifacts.resolve(changed, { k: 10, method: 'exact' })).meta.key).not.toBe(first.meta.key);
  });

  it('does not trust a damaged artifact and rebuilds it', async () => {
    const dataDir = tempDir();
    const artifacts = new GraphArtifacts(dataDir);
    const built = await artifacts.resolve(corpus, { k: 10, method: 'exact' });
    const file = join(built.dir, 'neighbours.i32');
    const bytes = readFileSync(file);
    bytes[100] ^= 0xff;
    writeFileSync(file, bytes);
    expect(artifacts.load(built.meta.key).problem).toMatch(/checksum/);
    const rebuilt = await artifacts.resolve(corpus, { k: 10, method: 'exact' });
    expect(rebuilt.reused).toBe(false);
    expect(Array.from(rebuilt.graph.neighbours)).toEqual(Array.from(built.graph.neighbours));
    expect(artifacts.load(built.meta.key).resolved).toBeDefined();
  });

  it('a cancelled build leaves nothing behind', async () => {
    const dataDir = tempDir();
    const artifacts = new GraphArtifacts(dataDir);
    const controller = new AbortController();
    const err = await artifacts
      .resolve(
        corpus,
        { k: 10, method: 'exact' },
        { signal: controller.signal, progress: () => controller.abort() },
      )
      .catch((e: unknown) => e as WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(readdirSync(artifacts.root)).toEqual([]);
  });

  it('a killed build leaves no artifact a later run trusts, and the later run cleans up and builds', async () => {
    const dataDir = tempDir();
    const killedRows = 20_000;
    const killedDim = 64;
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'main/bin/run-ts.mjs'),
        join(repoRoot, 'test/fixtures/search/build-graph.ts'),
        dataDir,
        String(killedRows),
        String(killedDim),
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const progressed = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('progress')) resolve(out);
      });
      child.on('exit', () => resolve(out));
    });
    expect(progressed, stderr).toMatch(/progress \d+\/20000/);
    expect(progressed).not.toContain('done');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const artifacts = new GraphArtifacts(dataDir);
    const entries = readdirSync(artifacts.root);
    expect(entries.length).toBe(1);
    expect(entries[0]).toMatch(/^\.building-/);
    const killedCorpus = makeCorpus({
      embeddings: clusteredCorpus(killedRows, killedDim, 5, 40),
      dim: killedDim,
      docnos: docnos(killedRows),
    });
    const key = graphArtifactKey(artifacts.inputsFor(killedCorpus, { k: 10, method: 'exact' }));
    expect(artifacts.load(key).resolved).toBeUndefined();
    expect(existsSync(join(artifacts.root, key))).toBe(false);

    // A later run on a small corpus clears the dead build's folder.
    const later = await artifacts.resolve(corpus, { k: 10, method: 'exact' });
    expect(later.reused).toBe(false);
    expect(readdirSync(artifacts.root)).toEqual([later.meta.key]);
  });
});
