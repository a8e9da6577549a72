import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../main/engine/store/index.ts';
import { E2E_BEIR, finished, type Harness, harness } from './helpers.ts';

/** Stores a run the way a search records one: rankings, config and latency statistics. */
function storeRun(
  h: Harness,
  name: string,
  rankings: Record<string, string[]>,
  config: JsonObject,
  p50: number | null,
): void {
  const dataset = h.store.datasets.require('tiny');
  h.store.transaction(() => {
    const id = h.store.runs.create({
      name,
      datasetId: dataset.id,
      tag: name,
      format: 'search',
      source: 'search:test',
      config,
    });
    for (const [qid, docnos] of Object.entries(rankings))
      h.store.runs.addRanking(id, qid, null, {
        docnos,
        scores: Float64Array.from(docnos, (_, i) => docnos.length - i),
      });
    const stats: JsonObject =
      p50 === null ? {} : { latencyMs: { p50, p95: p50 * 2, p99: p50 * 3, mean: p50 } };
    h.store.runs.finish(id, 'ready', stats);
  });
}

describe('results summary', () => {
  let h: Harness;
  beforeAll(async () => {
    h = harness();
    const { jobId } = await h.api.datasets.import({ path: E2E_BEIR, name: 'tiny' });
    expect((await finished(h.api, jobId)).state).toBe('succeeded');
    const good = { q1: ['d1', 'd2', 'd3'], q2: ['d3', 'd1'] };
    const bad = { q1: ['d2', 'd3', 'd1'], q2: ['d1', 'd2', 'd3'] };
    const mid = { q1: ['d2', 'd1'], q2: ['d3'] };
    // A sweep of nCandidates (the rest fixed), a faster and worse point, and a slower dominated one.
    storeRun(h, 'base', good, { mode: 'qnet-graph', graphSearch: { nCandidates: 64, maxIter: 16 } }, 10);
    storeRun(h, 'small', bad, { mode: 'qnet-graph', graphSearch: { nCandidates: 8, maxIter: 16 } }, 2);
    storeRun(h, 'mid', mid, { mode: 'qnet-graph', graphSearch: { nCandidates: 32, maxIter: 16 } }, 12);
    storeRun(
      h,
      'base-typo',
      mid,
      { mode: 'qnet-graph', graphSearch: { nCandidates: 64, maxIter: 16 }, querySet: 'misspelling/dl-typo' },
      10,
    );
    storeRun(h, 'untimed', bad, { mode: 'bm25' }, null);
  });
  afterAll(() => h.close());

  it('gives every number its settings and marks the Pareto front of latency and the first measure', async () => {
    const s = await h.api.results.summary({
      dataset: 'tiny',
      baseline: 'base',
      measures: ['nDCG@10', 'RR@10'],
    });
    expect(s.columns.map((c) => c.name)).toEqual(['nDCG@10', 'RR@10']);
    expect(s.columns[1].settings).toMatchObject({
      relevanceLevel: 1,
      cutoff: null,
      depth: 10, // ir_measures RR@10 cuts the ranking at 10
      queries: 2,
      qrels: { dataset: 'tiny' },
    });
    const row = (n: string) => s.rows.find((r) => r.name === n)!;
    expect(row('base').values['nDCG@10'].value).toBeCloseTo(1, 10);
    expect(row('base').values['nDCG@10'].vsBaseline).toBeNull();
    const vs = row('small').values['RR@10'].vsBaseline!;
    // small ranks the relevant document third for both queries: RR 1/3 against the baseline's 1
    expect(vs.difference).toBeCloseTo(1 / 3 - 1, 10);
    expect(vs.pAdjusted).toBeGreaterThanOrEqual(vs.pValue);
    // base (10 ms, best) and small (2 ms, fastest) are on the front; mid (12 ms, worse than base) is not.
    expect([row('base').pareto, row('small').pareto, row('mid').pareto, row('untimed').pareto]).toEqual([
      true,
      true,
      false,
      null,
    ]);
    expect(row('base').stages).toEqual([{ stage: 'search', p50: 10, p95: 20, p99: 30 }]);
  });

  it('finds the nCandidates sweep, the robustness drop and the per-query deltas against the baseline', async () => {
    const s = await h.api.results.summary({ dataset: 'tiny', baseline: 'base', measures: ['nDCG@10'] });
    const sweep = s.sweeps.find((x) => x.param === 'graphSearch.nCandidates')!;
    expect(sweep.points.map((p) => [p.x, p.run])).toEqual([
      [8, 'small'],
      [32, 'mid'],
      [64, 'base'],
    ]);
    expect(sweep.values[2]).toBeCloseTo(1, 10);
    expect(s.robustness).toHaveLength(1);
    const r = s.robustness[0];
    expect(r).toMatchObject({ system: 'base', family: 'misspelling', querySet: 'misspelling/dl-typo' });
    expect(r.relativeDrop).toBeCloseTo((1 - r.varied) / 1, 10);
    expect(r.drop).toBeGreaterThan(0);
    const d = s.deltas.find((x) => x.run === 'small')!;
    expect(d.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(d.edges).toHaveLength(d.counts.length + 1);
    expect(s.deltas.some((x) => x.run === 'base-typo' || x.run === 'base')).toBe(false);
  });

  it('exports a report of a run selection into a folder as a job, refusing to overwrite', async () => {
    const out = join(h.dir, 'report');
    const { jobId } = await h.api.reports.export({
      runs: ['base', 'small'],
      baseline: 'base',
      formats: ['html', 'csv'],
      outDir: out,
    });
    const job = await finished(h.api, jobId);
    expect(job.error).toBeUndefined();
    const files = (job.result as { files: { path: string }[] }).files.map((f) => f.path).sort();
    expect(files).toContain('report.html');
    expect(files).toContain('metrics.csv');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('small');
    const again = await finished(
      h.api,
      (await h.api.reports.export({ runs: ['base'], formats: ['html'], outDir: out })).jobId,
    );
    expect(again.state).toBe('failed');
    expect(again.error?.code).toBe('CONFLICT');
    await expect(h.api.reports.export({ formats: ['html'], outDir: out })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      h.api.reports.export({ runs: ['base'], formats: ['html'], outDir: 'rel' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
