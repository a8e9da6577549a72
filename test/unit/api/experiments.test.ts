import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../../main/engine/jobs/index.ts';
import { generateTinyPackages } from '../../fixtures/models/generate.ts';
import { writeTinyBeir } from '../engine/experiments/helpers.ts';
import { finished, type Harness, harness } from './helpers.ts';

describe('an experiment run through the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = harness();
    const beir = writeTinyBeir(join(h.dir, 'beir'), { documents: 40, queries: 8 });
    const ds = await h.api.datasets.import({ path: beir, name: 'tiny' });
    expect((await finished(h.api, ds.jobId)).state).toBe('succeeded');
    const pkgs = await generateTinyPackages(join(h.dir, 'pkgs'), { seed: 5, dim: 16 });
    for (const [path, name] of [
      [pkgs.hypencoder, 'hyp'],
      [pkgs.biencoder, 'be'],
    ]) {
      const m = await h.api.models.import({ path, name });
      expect((await finished(h.api, m.jobId)).state).toBe('succeeded');
    }
  });
  afterAll(() => h.close());

  const config = {
    name: 'exp',
    datasets: [{ name: 'tiny', split: 'test' }],
    models: [
      {
        name: 'hyp',
        modes: [
          { mode: 'exhaustive' },
          { mode: 'graph', params: { numEntryPoints: 4, nCandidates: [2, 8], maxIter: 4, neighbours: 8 } },
        ],
      },
      { name: 'be', modes: [{ mode: 'flat' }] },
    ],
    lexical: [{ mode: 'bm25' }],
    metrics: ['nDCG@10', 'RR@10'],
    baseline: 'be/flat',
    topK: 10,
    latency: { queries: 4, warmup: 1, repetitions: 1, batchSizes: [1], provider: 'cpu' },
  };

  it('validates, runs as one job with progress, and feeds the Results view', async () => {
    const bad = await h.api.experiments.validate({
      config: { ...config, models: [{ name: 'be', modes: [{ mode: 'graph' }] }] },
    });
    expect(bad.valid).toBe(false);
    expect(bad.issues.map((i) => i.path)).toContain('models[0].modes[0].mode');
    expect((await h.api.experiments.validate({ config })).valid).toBe(true);

    const stages: string[] = [];
    h.events.subscribe((s: JobSnapshot) => {
      if (s.kind === 'experiments:run') stages.push(s.progress.stage);
    });
    const { jobId, experiment } = await h.api.experiments.run({ config });
    expect(experiment).toBe('exp');
    const job = await finished(h.api, jobId, 120_000);
    expect(job.error).toBeUndefined();
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ ran: 5, failed: 0 });
    expect(stages.some((s) => /^job \d+\/5 exp\/tiny\//.test(s))).toBe(true);
    expect((await h.api.experiments.list())[0]).toMatchObject({
      name: 'exp',
      status: 'succeeded',
      jobs: 5,
      succeeded: 5,
    });

    const s = await h.api.results.summary({
      dataset: 'tiny',
      baseline: 'exp/tiny/be/flat',
      measures: ['nDCG@10'],
    });
    expect(s.rows).toHaveLength(5);
    expect(s.latencySource).toContain('latency profile');
    const hyp = s.rows.find((r) => r.name === 'exp/tiny/hyp/exhaustive')!;
    expect(hyp.profile?.stages.map((x) => x.stage)).toEqual(['tokenize', 'encode', 'search', 'total']);
    expect(hyp.params.system).toBe('hyp/exhaustive');
    // BM25 has no model stages to profile: it is left out of the front rather than mixed in
    expect(s.rows.filter((r) => r.pareto !== null).length).toBeGreaterThanOrEqual(3);
    expect(s.rows.some((r) => r.pareto === true)).toBe(true);
    const sweep = s.sweeps.find((x) => x.param === 'graphSearch.nCandidates');
    expect(sweep?.points.map((p) => p.x)).toEqual([2, 8]);
    expect(s.deltas.length).toBe(4);
  });
});
