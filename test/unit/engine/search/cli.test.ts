import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../../../main/cli/context.ts';
import { registerSearchCommands } from '../../../../main/cli/search.ts';
import { importDataset, planImport } from '../../../../main/engine/datasets/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { QnetScorer } from '../../../../main/engine/qnet/index.ts';
import { writeNpy } from '../../../../main/engine/search/index.ts';
import { openStore } from '../../../../main/engine/store/index.ts';
import { fixtures } from '../../../fixtures/datasets/paths.ts';
import { clusteredCorpus, docnos, qnetParams, qnetSpec } from './helpers.ts';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb-search-cli-'));
  temps.push(dir);
  return dir;
}

/** The search commands in a program of their own, with captured output (the real CLI wires the same function). */
async function cli(dataDir: string, args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
    },
  };
  const ctx = new CliContext(io, () => dataDir);
  const program = new Command('workbench')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  registerSearchCommands(program, ctx);
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    ctx.close();
  }
  return { out, err };
}

describe('workbench search', () => {
  const dim = 8;
  const rows = 400;
  const dir = tempDir();
  const docs = join(dir, 'docs.npy');
  const ids = join(dir, 'ids.txt');
  writeNpy(docs, clusteredCorpus(rows, dim, 2, 8), [rows, dim]);
  writeFileSync(ids, `${docnos(rows).join('\n')}\n`);
  const queries = join(dir, 'q.npy');
  const queryIds = join(dir, 'q.txt');
  writeNpy(queries, clusteredCorpus(3, dim, 9, 2), [3, dim]);
  writeFileSync(queryIds, 'a\nb\nc\n');
  const spec = qnetSpec([dim, dim, 1]);
  const qnet = join(dir, 'qnet');
  mkdirSync(qnet);
  writeFileSync(join(qnet, 'qnet.json'), JSON.stringify({ dims: spec.dims }));
  writeFileSync(join(qnet, 'query_ids.txt'), 'a\nb\n');
  const p = [qnetParams(spec, 1), qnetParams(spec, 2)];
  writeNpy(join(qnet, 'qnet_w0.npy'), Float32Array.from([...p[0].weights[0], ...p[1].weights[0]]), [
    2,
    dim,
    dim,
  ]);
  writeNpy(join(qnet, 'qnet_w1.npy'), Float32Array.from([...p[0].weights[1], ...p[1].weights[1]]), [
    2,
    dim,
    1,
  ]);
  writeNpy(join(qnet, 'qnet_b0.npy'), Float32Array.from([...p[0].biases[0], ...p[1].biases[0]]), [2, dim]);

  it('runs flat, HNSW, exhaustive and graph q-net search and records each run', async () => {
    const dataDir = tempDir();
    const files = ['--docs', docs, '--doc-ids', ids];
    const flat = await cli(dataDir, [
      'search',
      'flat',
      '--run',
      'f',
      '--top-k',
      '10',
      ...files,
      '--queries',
      queries,
      '--query-ids',
      queryIds,
    ]);
    expect(flat.out).toMatch(/run "f" recorded \(flat\): queries 3/);
    const hnsw = await cli(dataDir, [
      'search',
      'hnsw',
      '--run',
      'h',
      '--top-k',
      '10',
      '--ef-search',
      '64',
      ...files,
      '--queries',
      queries,
      '--query-ids',
      queryIds,
    ]);
    expect(hnsw.out).toMatch(/meanRecallAt10 \d/);
    expect(hnsw.out).toContain('"efSearch":64');
    await cli(dataDir, ['search', 'qnet', '--run', 'x', '--top-k', '10', ...files, '--qnet', qnet]);
    const graph = await cli(dataDir, [
      'search',
      'qnet-graph',
      '--run',
      'g',
      '--top-k',
      '10',
      '--graph-k',
      '8',
      ...files,
      '--qnet',
      qnet,
    ]);
    expect(graph.out).toMatch(/graph exact k=8 l2 built in/);
    expect(graph.out).toContain('"preset":{"name":"efficient1"');
    expect(graph.err).toMatch(/exact kNN: \d+\/400/);
    const explicit = await cli(dataDir, [
      'search',
      'qnet-graph',
      '--run',
      'g2',
      '--top-k',
      '10',
      '--graph-k',
      '8',
      '--preset',
      'none',
      '--entry-points',
      '400',
      '--candidates',
      '4',
      '--max-iter',
      '3',
      '--no-early-stop',
      ...files,
      '--qnet',
      qnet,
    ]);
    expect(explicit.out).toMatch(/graph exact k=8 l2 reused/);
    expect(explicit.out).toContain(
      '"graphSearch":{"numEntryPoints":400,"nCandidates":4,"maxIter":3,"earlyStop":false,"topK":10,"seed":42}',
    );
    await cli(dataDir, [
      'search',
      'qnet',
      '--run',
      'x-ort',
      '--top-k',
      '10',
      '--qnet-kernel',
      'onnxruntime',
      ...files,
      '--qnet',
      qnet,
    ]);
    const store = openStore(dataDir);
    try {
      expect(store.runs.list().map((r) => r.name)).toEqual(['f', 'h', 'x', 'g', 'g2', 'x-ort']);
      // numEntryPoints = N: graph search is exhaustive search.
      const g2 = store.runs.getRankings(store.runs.require('g2').id);
      const x = store.runs.getRankings(store.runs.require('x').id);
      expect(g2.get('a')!.docnos).toEqual(x.get('a')!.docnos);
      // Each run records the q-net kernel that scored it; both kernels rank alike.
      expect(store.runs.require('x').environment.kernel).toBe(QnetScorer.plannedKernel({ spec }));
      expect(store.runs.require('x-ort').environment.kernel).toBe('onnxruntime');
      const ort = store.runs.getRankings(store.runs.require('x-ort').id);
      for (const [qid, ranking] of x) expect(ort.get(qid)!.docnos).toEqual(ranking.docnos);
    } finally {
      store.close();
    }
  });

  it('builds a graph artifact on its own, and finds it the second time', async () => {
    const dataDir = tempDir();
    const first = await cli(dataDir, ['search', 'graph', '--docs', docs, '--doc-ids', ids, '--graph-k', '5']);
    expect(first.out).toMatch(/^built .*artifacts\/graphs\/[0-9a-f]{64}\nexact l2 k=5 over 400 × 8/);
    const second = await cli(dataDir, [
      'search',
      'graph',
      '--docs',
      docs,
      '--doc-ids',
      ids,
      '--graph-k',
      '5',
    ]);
    expect(second.out).toMatch(/^found /);
  });

  it('bm25 on a dataset imported with --no-full-text builds its index first, with progress', async () => {
    const dataDir = tempDir();
    const store = openStore(dataDir);
    try {
      await importDataset(store, planImport({ path: fixtures.beir, name: 'tiny', fullText: false }));
    } finally {
      store.close();
    }
    const r = await cli(dataDir, ['search', 'bm25', '--run', 'lexical', '--dataset', 'tiny', '--top-k', '3']);
    expect(r.err).toMatch(/^full-text index: 4\/4$/m);
    expect(r.out).toMatch(/^run "lexical" recorded \(bm25\)/);
    const after = openStore(dataDir);
    try {
      const id = after.datasets.require('tiny').id;
      expect(after.documents.fullTextIndex(id)?.status).toBe('built');
      expect(after.runs.getRankings(after.runs.require('lexical').id).get('q1')?.docnos[0]).toBe('d1');
    } finally {
      after.close();
    }
  });

  it('says which option is missing or wrong', async () => {
    const dataDir = tempDir();
    const qnetFiles = ['--docs', docs, '--doc-ids', ids, '--qnet', qnet];
    await expect(
      cli(dataDir, ['search', 'flat', '--run', 'f', '--queries', queries, '--query-ids', queryIds]),
    ).rejects.toThrow(/--docs is required for flat/);
    await expect(
      cli(dataDir, ['search', 'qnet-graph', '--run', 'g', ...qnetFiles, '--preset', 'fast']),
    ).rejects.toThrow(/--preset must be one of efficient1, efficient2/);
    await expect(
      cli(dataDir, ['search', 'qnet', '--run', 'k', ...qnetFiles, '--qnet-kernel', 'blas']),
    ).rejects.toThrow(/--qnet-kernel must be one of auto, onnxruntime, native/);
    await expect(cli(dataDir, ['search', 'bm25', '--run', 'b'])).rejects.toThrow(
      /--dataset is required for bm25/,
    );
    const err = await cli(dataDir, [
      'search',
      'qnet',
      '--run',
      'q',
      '--docs',
      docs,
      '--doc-ids',
      ids,
      '--qnet',
      dir,
    ]).catch((e: unknown) => e as WorkbenchError);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).message).toMatch(/qnet\.json: missing/);
  });
});
