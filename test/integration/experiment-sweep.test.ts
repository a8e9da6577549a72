/**
 * A parameter sweep: one run per grid point, each recording its own parameters; the Pareto front of
 * nDCG@10 against per-query latency; latency profiles stored sample by sample; artifacts reused across
 * grid points and experiments by input hash; and the timed pipeline returning the run's own rankings.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEmbeddings } from '../../main/engine/encode/index.ts';
import {
  type ExperimentReport,
  ExperimentRunner,
  parseExperimentConfig,
} from '../../main/engine/experiments/index.ts';
import { openPipeline } from '../../main/engine/latency/index.ts';
import { ModelRegistry } from '../../main/engine/models/index.ts';
import { GraphArtifacts, makeCorpus } from '../../main/engine/search/index.ts';
import { openStore, type Store } from '../../main/engine/store/index.ts';
import { cli, prepareDataFolder } from '../unit/engine/experiments/helpers.ts';

let root: string;
let data: string;
let store: Store;
let runner: ExperimentRunner;

const sweep = {
  name: 'sweep',
  datasets: [{ name: 'tiny' }],
  models: [
    {
      name: 'hyp',
      modes: [
        { mode: 'exhaustive' },
        {
          mode: 'graph',
          params: { numEntryPoints: 4, nCandidates: [1, 2, 4], maxIter: [1, 3], neighbours: 6 },
        },
      ],
    },
    { name: 'be', modes: [{ mode: 'flat' }, { mode: 'hnsw', params: { M: 4, efSearch: [2, 64] } }] },
  ],
  lexical: [{ mode: 'bm25' }],
  metrics: ['nDCG@10'],
  baseline: 'hyp/exhaustive',
  topK: 20,
  latency: { queries: 5, warmup: 1, repetitions: 3, batchSizes: [1, 4] },
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wb-exp-sweep-'));
  ({ data } = await prepareDataFolder(root));
  store = openStore(data);
  runner = new ExperimentRunner({ store, dataDir: data });
});
afterAll(() => {
  store?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a sweep', () => {
  let report: ExperimentReport;

  it('yields one run per grid point, each with its own parameters', async () => {
    const file = join(root, 'sweep.json');
    writeFileSync(file, JSON.stringify(sweep));
    const r = await cli(['--data', data, 'run', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    report = JSON.parse(r.stdout) as ExperimentReport;
    const jobs = report.jobs;
    // exhaustive + 3 × 2 graph points + flat + 2 HNSW points + BM25
    expect(jobs.map((j) => j.point)).toEqual([
      'hyp/exhaustive',
      'hyp/graph[nCandidates=1,maxIter=1]',
      'hyp/graph[nCandidates=1,maxIter=3]',
      'hyp/graph[nCandidates=2,maxIter=1]',
      'hyp/graph[nCandidates=2,maxIter=3]',
      'hyp/graph[nCandidates=4,maxIter=1]',
      'hyp/graph[nCandidates=4,maxIter=3]',
      'be/flat',
      'be/hnsw[efSearch=2]',
      'be/hnsw[efSearch=64]',
      'bm25',
    ]);
    expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
    for (const j of jobs.filter((x) => x.point.startsWith('hyp/graph'))) {
      const run = store.runs.getById(j.runId!)!;
      expect(run.config.graphSearch).toEqual({
        ...j.params,
        numEntryPoints: 4,
        earlyStop: true,
        topK: 20,
        seed: 42,
      });
    }
    const hnsw = jobs.filter((x) => x.point.startsWith('be/hnsw')).map((j) => store.runs.getById(j.runId!)!);
    expect(hnsw.map((r) => (r.config.hnsw as { efSearch: number }).efSearch)).toEqual([2, 64]);
    // More work per query with more candidates and iterations.
    const scored = jobs
      .filter((x) => x.point.startsWith('hyp/graph'))
      .map((j) => store.runs.getById(j.runId!)!.stats.meanDocumentsScored as number);
    expect(scored[1]).toBeGreaterThanOrEqual(scored[0]);
    expect(scored[5]).toBeGreaterThanOrEqual(scored[4]);
  });

  it('reports the Pareto front of nDCG@10 against the profiled per-query latency', () => {
    expect(report.pareto).toHaveLength(1);
    const front = report.pareto[0];
    expect(front.measure).toBe('nDCG@10');
    expect(front.points).toHaveLength(11);
    expect(front.points[0].latencySource).toMatch(
      /^p50 total \(tokenize \+ encode \+ search\) per query, batch 1/,
    );
    for (const p of front.points) {
      const job = report.jobs.find((j) => j.point === p.id)!;
      expect(p.latencyMs).toBe(job.profileMs);
      expect(p.quality).toBe(job.metrics['nDCG@10']);
    }
    const dominated = (p: (typeof front.points)[number]) =>
      front.points.some(
        (q) =>
          q.quality >= p.quality &&
          q.latencyMs <= p.latencyMs &&
          (q.quality > p.quality || q.latencyMs < p.latencyMs),
      );
    expect(new Set(front.front)).toEqual(new Set(front.points.filter((p) => !dominated(p)).map((p) => p.id)));
    expect(front.front.length).toBeGreaterThan(0);
    // Comparisons: every other grid point against the baseline, Holm over the 10 runs.
    expect(report.comparisons[0].measures[0].runs).toHaveLength(10);
  });

  it('stores every latency sample with its settings', () => {
    const job = report.jobs.find((j) => j.point === 'be/flat')!;
    const profiles = runner.latency.list(job.runId!);
    expect(profiles.map((p) => [p.settings.batchSize, p.settings.unit])).toEqual([
      [1, 'query'],
      [4, 'batch'],
    ]);
    expect(profiles[0].samples.total).toHaveLength(5 * 3);
    expect(profiles[1].samples.total).toHaveLength(2 * 3);
    const { samples, summary } = profiles[0];
    for (let i = 0; i < samples.total.length; i++) {
      expect(samples.total[i]).toBeGreaterThanOrEqual(
        samples.tokenize[i] + samples.encode[i] + samples.search[i] - 1e-9,
      );
    }
    expect(summary.stages.total.p50).toBeCloseTo([...samples.total].sort((a, b) => a - b)[7], 4);
    expect(summary.qps).toBeGreaterThan(0);
  });

  it('reuses embeddings and neighbour graphs whose input hashes match', async () => {
    // The generated packages share their document encoder, so both models read one embeddings artifact.
    expect(readdirSync(join(data, 'artifacts', 'embeddings'))).toHaveLength(1);
    expect(readdirSync(join(data, 'artifacts', 'graphs')).filter((d) => !d.startsWith('.'))).toHaveLength(1);
    const jobs = runner.experiments.jobs(runner.experiments.require('sweep').id);
    const reused = jobs
      .filter((j) => j.inputs.embeddings)
      .map((j) => (j.inputs.embeddings as { reused: boolean }).reused);
    expect(reused[0]).toBe(false);
    const again = await runner.run(
      parseExperimentConfig({ ...sweep, name: 'sweep-again', latency: undefined }),
    );
    for (const j of again.jobs.filter((x) => x.inputs.embeddings))
      expect((j.inputs.embeddings as { reused: boolean }).reused, j.runName).toBe(true);
    const graphRun = store.runs.getById(again.jobs[1].runId!)!;
    expect((graphRun.stats.graph as { reused: boolean }).reused).toBe(true);
    expect(graphRun.config.graph).toEqual(store.runs.getById(jobs[1].runId!)!.config.graph);
  });

  it('times the very pipeline that produced the run: same top documents for the same query', async () => {
    const jobs = runner.experiments.jobs(runner.experiments.require('sweep').id);
    const registry = new ModelRegistry(data);
    const embeddingsDir = (jobs[0].inputs.embeddings as { dir: string }).dir;
    const e = readEmbeddings(embeddingsDir);
    const corpus = makeCorpus({
      embeddings: e.vectors,
      dim: e.meta.dim,
      docnos: e.ids,
      contentHash: e.meta.key,
    });
    const queries = store.queries.list(store.datasets.require('tiny').id);
    const graphJob = jobs[4];
    const run = store.runs.getById(graphJob.runId!)!;
    const graph = await new GraphArtifacts(data).resolve(corpus, { k: 6 });
    const specs = [
      { job: jobs[0], spec: { mode: 'qnet' as const, model: registry.package('hyp'), corpus, topK: 20 } },
      {
        job: graphJob,
        spec: {
          mode: 'qnet-graph' as const,
          model: registry.package('hyp'),
          corpus,
          topK: 20,
          graph: graph.graph,
          search: run.config.graphSearch as never,
        },
      },
      {
        job: jobs[7],
        spec: {
          mode: 'flat' as const,
          model: registry.package('be'),
          corpus,
          topK: 20,
          similarity: 'ip' as const,
        },
      },
    ];
    for (const { job, spec } of specs) {
      const pipeline = await openPipeline(spec, { threads: 1 });
      try {
        const rankings = store.runs.getRankings(job.runId!);
        for (const q of [0, 3]) {
          const enc = await pipeline.encode(pipeline.tokenize([queries[q].text]), 1);
          const hits = (await pipeline.search(enc, 0, q)) as { docs: Int32Array };
          expect(
            Array.from(hits.docs, (d) => corpus.docnos[d]),
            job.runName,
          ).toEqual(rankings.get(queries[q].queryId)!.docnos);
        }
      } finally {
        await pipeline.dispose();
      }
    }
  });
});
