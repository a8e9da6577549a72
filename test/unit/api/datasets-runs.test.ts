import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../../main/engine/jobs/index.ts';
import { ApiCallError } from '../../../preload/contract.ts';
import { E2E_BEIR, finished, type Harness, harness, writeRun } from './helpers.ts';

describe('datasets and runs through the API', () => {
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });
  afterAll(() => h.close());

  it('previews an import: detects BEIR, lists the files with their first lines, writes nothing', async () => {
    const p = await h.api.datasets.preview({ path: E2E_BEIR, name: 'tiny' });
    expect(p.format).toBe('beir');
    expect(p.name).toBe('tiny');
    expect(p.nameTaken).toBe(false);
    expect(p.files.map((f) => [f.role, f.split])).toEqual([
      ['corpus', null],
      ['queries', null],
      ['qrels', 'test'],
    ]);
    expect(p.files[2].head.map((l) => l.text)).toEqual([
      'query-id\tcorpus-id\tscore',
      'q1\td1\t2',
      'q1\td2\t0',
      'q2\td3\t1',
    ]);
    expect(p.files[0].head[0]).toEqual({ lineNo: 1, text: expect.stringContaining('"_id": "d1"') });
    expect(await h.api.datasets.list()).toEqual([]);
  });

  it('answers a path that is not a dataset with an error naming what to do', async () => {
    const err = await h.api.datasets.preview({ path: join(h.dir, 'nope') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).code).toBe('NOT_FOUND');
    expect((err as ApiCallError).message).toContain('Check the path');
  });

  it('imports as a job whose progress reaches the subscribers and ends succeeded', async () => {
    const seen: JobSnapshot[] = [];
    const off = h.api.events.subscribe('jobs:progress', (s) => seen.push(s));
    const { jobId } = await h.api.datasets.import({ path: E2E_BEIR, name: 'tiny' });
    const job = await finished(h.api, jobId);
    off();
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({
      dataset: 'tiny',
      documents: 3,
      queries: 2,
      judgments: 3,
      fullText: { documents: 3, elapsedMs: expect.any(Number) },
    });
    expect(seen.filter((s) => s.id === jobId).map((s) => s.state)).toContain('running');
    // after the commit, the full-text index is its own stage, counted in documents
    const indexing = seen.filter((s) => s.id === jobId && s.progress.stage === 'index');
    expect(indexing.at(-1)?.progress).toMatchObject({ done: 3, total: 3, fraction: 1 });
    expect(seen.at(-1)?.state).toBe('succeeded');
    const [ds] = await h.api.datasets.list();
    expect(ds.stats).toMatchObject({ documents: 3, queries: 2, judgedQueries: 2, judgments: 3 });
    const shown = await h.api.datasets.show({ name: 'tiny' });
    expect(shown.splits).toEqual(['test']);
    expect(shown.fullTextIndex).toEqual({ status: 'built', indexed: 3, documents: 3 });
    expect(shown.sampleQueries.map((q) => q.queryId)).toEqual(['q1', 'q2']);
    const again = await h.api.datasets.preview({ path: E2E_BEIR, name: 'tiny' });
    expect(again.nameTaken).toBe(true);
    await expect(h.api.datasets.import({ path: E2E_BEIR, name: 'tiny' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('imports runs, compares them with only the differing parameters, and drills into a query', async () => {
    // A: both relevant documents at rank 1; B: at rank 2 (hand-computed trec_eval values below).
    const a = writeRun(join(h.dir, 'a.run'), 'A', [
      ['q1', 'd1', 3],
      ['q1', 'd2', 2],
      ['q1', 'd3', 1],
      ['q2', 'd3', 1],
      ['q2', 'd1', 0.5],
    ]);
    const b = writeRun(join(h.dir, 'b.run'), 'B', [
      ['q1', 'd2', 3],
      ['q1', 'd1', 2],
      ['q2', 'd1', 1],
      ['q2', 'd3', 0.5],
    ]);
    for (const [path, name] of [
      [a, 'run-a'],
      [b, 'run-b'],
    ]) {
      const { jobId } = await h.api.runs.import({ path, dataset: 'tiny', name });
      expect((await finished(h.api, jobId)).state).toBe('succeeded');
    }
    expect((await h.api.runs.list()).map((r) => [r.name, r.queries])).toEqual([
      ['run-a', 2],
      ['run-b', 2],
    ]);
    const cmp = await h.api.runs.compare({ a: 'run-a', b: 'run-b', measures: ['nDCG@10', 'RR@10'] });
    const ndcg = cmp.comparisons.find((c) => c.measure === 'nDCG@10')!;
    expect(ndcg.a).toBeCloseTo(1, 10);
    expect(ndcg.b).toBeCloseTo(1 / Math.log2(3), 10);
    expect(ndcg.settings).toMatchObject({ relevanceLevel: null, cutoff: 10, queries: 2 });
    expect(ndcg.test.n).toBe(2);
    expect(ndcg.test.losses).toBe(2);
    expect(ndcg.histogram.counts.reduce((x, y) => x + y, 0)).toBe(2);
    const rr = cmp.comparisons.find((c) => c.measure === 'RR@10')!;
    expect([rr.a, rr.b]).toEqual([1, 0.5]);
    expect(rr.settings.relevanceLevel).toBe(1);
    // Both runs are imported TREC files: only their source files differ.
    expect(cmp.parameters.map((p) => p.key)).toEqual(['source']);

    const rows = await h.api.runs.queries({ a: 'run-a', b: 'run-b', measure: 'RR@10' });
    expect(rows.map((r) => [r.queryId, r.delta, r.text])).toEqual([
      ['q1', -0.5, 'what generates neural network weights'],
      ['q2', -0.5, 'lexical ranking function'],
    ]);

    const dd = await h.api.runs.drilldown({ runs: ['run-a', 'run-b'], queryId: 'q1' });
    expect(dd.text).toBe('what generates neural network weights');
    expect(dd.relevant).toBe(1);
    expect(dd.runs[0].entries.map((e) => [e.rank, e.docno, e.label])).toEqual([
      [1, 'd1', 2],
      [2, 'd2', 0],
      [3, 'd3', null], // never judged for q1
    ]);
    expect(dd.runs[0].entries[0].title).toBe('Hypernetworks');
    expect(dd.runs[1].values['RR@10']).toBe(0.5);
    expect(dd.runs[1].relevantMissing).toBe(0);
  });

  it('deletes a run and a dataset, and says NOT_FOUND afterwards', async () => {
    expect(await h.api.runs.delete({ name: 'run-b' })).toEqual({ deleted: true });
    await expect(h.api.runs.show({ name: 'run-b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.api.datasets.delete({ name: 'tiny' })).toEqual({ deleted: true });
    await expect(h.api.datasets.show({ name: 'tiny' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
