import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, planImport } from '../../../../main/engine/datasets/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  type ExperimentProgress,
  ExperimentRunner,
  parseExperimentConfig,
} from '../../../../main/engine/experiments/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { prepareDataFolder, writeTinyBeir } from './helpers.ts';

let root: string;
let data: string;
let store: Store;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wb-exp-runner-'));
  ({ data } = await prepareDataFolder(root));
  store = openStore(data);
});
afterAll(() => {
  store?.close();
  rmSync(root, { recursive: true, force: true });
});

const config = (name: string) =>
  parseExperimentConfig({
    name,
    datasets: [{ name: 'tiny', maxQueries: 8 }],
    models: [
      { name: 'hyp', modes: [{ mode: 'exhaustive' }] },
      { name: 'be', modes: [{ mode: 'flat' }, { mode: 'rerank', over: 'bm25', depth: 10 }] },
    ],
    lexical: [{ mode: 'bm25' }],
    metrics: ['nDCG@10'],
    topK: 30,
    attacks: { generate: [{ family: 'naturality', variant: 'drop-word', seed: 3 }] },
  });

describe('ExperimentRunner', () => {
  it('keeps going past a failed job, marks the experiment failed, and a resume redoes only what failed', async () => {
    const events: ExperimentProgress[] = [];
    const runner = new ExperimentRunner({ store, dataDir: data, onProgress: (p) => events.push(p) });
    const exp = runner.prepare(config('broken'));
    // The bi-encoder's graph disappears after the config was checked: its jobs fail when they open it.
    const graph = join(data, 'models', 'be', 'encoder.onnx');
    renameSync(graph, `${graph}.away`);
    let outcome: Awaited<ReturnType<ExperimentRunner['execute']>>;
    try {
      outcome = await runner.execute(exp.name);
    } finally {
      renameSync(`${graph}.away`, graph);
    }
    // Per query set: hyp/exhaustive, be/flat, bm25, be/rerank.
    expect(outcome.jobs.map((j) => j.status)).toEqual([
      'succeeded',
      'failed',
      'succeeded',
      'failed',
      'succeeded',
      'failed',
      'succeeded',
      'failed',
    ]);
    expect(outcome.jobs[1].error).toMatch(/encoder\.onnx/);
    expect(outcome).toMatchObject({ ran: 4, skipped: 0, failed: 4 });
    expect(runner.experiments.require('broken').status).toBe('failed');
    expect(events.filter((e) => e.event === 'job-failed')).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ event: 'finish', jobsDone: 4, jobsFailed: 4, fraction: 1 });
    // The sample of 8 judged queries is the same for every job, and the attack set covers it.
    expect(store.runs.queryCount(outcome.jobs[0].runId!)).toBe(8);
    expect(store.runs.queryCount(outcome.jobs[4].runId!)).toBe(8);

    const kept = outcome.jobs
      .filter((j) => j.status === 'succeeded')
      .map((j) => [j.runId, store.runs.getById(j.runId!)!.createdAt]);
    const resumed = await runner.execute('broken');
    expect(resumed).toMatchObject({ ran: 4, skipped: 4, failed: 0 });
    expect(resumed.jobs.every((j) => j.status === 'succeeded')).toBe(true);
    expect(
      resumed.jobs
        .filter((j) => j.attempts === 1)
        .map((j) => [j.runId, store.runs.getById(j.runId!)!.createdAt]),
    ).toEqual(kept);
    expect(resumed.jobs.map((j) => j.attempts)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(runner.experiments.require('broken').status).toBe('succeeded');
  });

  it('a cancel leaves the running job pending, no run of it, and the experiment interrupted', async () => {
    const controller = new AbortController();
    const runner = new ExperimentRunner({
      store,
      dataDir: data,
      onProgress: (p) => {
        if (p.event === 'job-progress' && p.job?.position === 1 && p.job.stage === 'searching')
          controller.abort();
      },
    });
    const exp = runner.prepare(config('stopped'));
    const err = await runner.execute(exp.name, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    const jobs = runner.experiments.jobs(exp.id);
    expect(jobs.map((j) => j.status)).toEqual(['succeeded', ...Array(7).fill('pending')]);
    expect(store.runs.get(jobs[1].runName)).toBeUndefined();
    expect(runner.experiments.require('stopped').status).toBe('interrupted');
  });

  it('deleting a run unlinks its job and its latency rows; a resume makes it again', async () => {
    const runner = new ExperimentRunner({ store, dataDir: data });
    const first = runner.experiments.jobs(runner.experiments.require('broken').id)[0];
    const samples = Float64Array.of(1.25, 0.5, 3);
    const stage = { n: 3, mean: 1.5833, p50: 1.25, p95: 3, p99: 3, min: 0.5, max: 3 };
    runner.latency.save(first.runId!, [
      {
        settings: {
          batchSize: 1,
          threads: 1,
          provider: 'cpu',
          unit: 'query',
          queries: 3,
          warmup: 0,
          repetitions: 1,
          description: 'x',
        },
        summary: {
          stages: { tokenize: stage, encode: stage, search: stage, total: stage },
          qps: 632,
          wallMs: 4.75,
          memory: { baselineRssBytes: 1, peakRssBytes: 2, peakIncreaseBytes: 1, maxRssBytes: 3 },
        },
        samples: { tokenize: samples, encode: samples, search: samples, total: samples },
      },
    ]);
    const [stored] = runner.latency.list(first.runId!);
    expect(Array.from(stored.samples.search)).toEqual([1.25, 0.5, 3]);
    expect(stored.summary.qps).toBe(632);
    const count = () =>
      (
        store.db.prepare('SELECT count(*) AS n FROM latency_profiles WHERE run_id = ?').get(first.runId) as {
          n: number;
        }
      ).n + (store.db.prepare('SELECT count(*) AS n FROM latency_samples').get() as { n: number }).n;
    expect(count()).toBe(5);
    expect(store.runs.delete(first.runName)).toBe(true);
    expect(count()).toBe(0);
    expect(runner.experiments.jobs(runner.experiments.require('broken').id)[0].runId).toBeNull();
    const again = await runner.execute('broken');
    expect(again).toMatchObject({ ran: 1, skipped: 7 });
    expect(store.runs.get(first.runName)).toBeDefined();
  });

  it('BM25 on a dataset imported without its full-text index builds the index first, then profiles and searches', async () => {
    await importDataset(
      store,
      planImport({
        path: writeTinyBeir(join(root, 'plain-beir'), { seed: 11 }),
        name: 'plain',
        fullText: false,
      }),
    );
    const plain = store.datasets.require('plain');
    expect(store.documents.fullTextIndex(plain.id)).toBeUndefined();
    const events: ExperimentProgress[] = [];
    const runner = new ExperimentRunner({ store, dataDir: data, onProgress: (p) => events.push(p) });
    const exp = runner.prepare(
      parseExperimentConfig({
        name: 'lexical-lazy',
        datasets: [{ name: 'plain' }],
        lexical: [{ mode: 'bm25' }],
        metrics: ['nDCG@10'],
        topK: 20,
        latency: { queries: 4, warmup: 0, repetitions: 1 },
      }),
    );
    const outcome = await runner.execute(exp.name);
    expect(outcome.jobs.map((j) => j.status)).toEqual(['succeeded']);
    expect(store.documents.fullTextIndex(plain.id)).toMatchObject({ status: 'built', documents: 60 });
    const stages = events.filter((e) => e.event === 'job-progress').map((e) => e.job?.stage);
    expect(stages.indexOf('full-text index')).toBeGreaterThanOrEqual(0);
    expect(stages.indexOf('full-text index')).toBeLessThan(stages.indexOf('latency'));
    const run = store.runs.require(outcome.jobs[0].runName);
    expect(runner.latency.list(run.id)).toHaveLength(1);
    expect(store.runs.getRankings(run.id).get('q0')?.docnos[0]).toBe('d0'); // its target passage
  });
});
