import { describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../../../../main/engine/experiments/config.ts';
import { expandJobs, gridPoints, systemsOf } from '../../../../main/engine/experiments/plan.ts';

const config = parseExperimentConfig({
  name: 'sweep',
  datasets: [{ name: 'a' }, { name: 'b', split: 'test' }],
  models: [
    {
      name: 'hyp',
      modes: [
        { mode: 'graph', params: { nCandidates: [32, 64], maxIter: [8, 16, 20], numEntryPoints: 100 } },
        { mode: 'rerank', over: 'bm25', depth: [10, 100] },
      ],
    },
    { name: 'be', modes: [{ mode: 'flat' }, { mode: 'hnsw', label: 'be-h', params: { efSearch: 64 } }] },
  ],
  lexical: [{ mode: 'bm25' }],
});

describe('experiment plan', () => {
  it('expands a sweep into its cartesian product, first parameter slowest, ids naming only swept values', () => {
    const graph = systemsOf(config)[0];
    const points = gridPoints(graph);
    expect(points.map((p) => p.id)).toEqual([
      'hyp/graph[nCandidates=32,maxIter=8]',
      'hyp/graph[nCandidates=32,maxIter=16]',
      'hyp/graph[nCandidates=32,maxIter=20]',
      'hyp/graph[nCandidates=64,maxIter=8]',
      'hyp/graph[nCandidates=64,maxIter=16]',
      'hyp/graph[nCandidates=64,maxIter=20]',
    ]);
    expect(points[4].params).toEqual({ numEntryPoints: 100, nCandidates: 64, maxIter: 16 });
    expect(gridPoints(systemsOf(config)[3])).toMatchObject([
      { id: 'be-h', params: { efSearch: 64 }, swept: [] },
    ]);
  });

  it('maps config modes to search modes and gives systems their ids and JSON paths', () => {
    expect(systemsOf(config).map((s) => [s.id, s.searchMode, s.path])).toEqual([
      ['hyp/graph', 'qnet-graph', 'models[0].modes[0]'],
      ['hyp/rerank', 'rerank', 'models[0].modes[1]'],
      ['be/flat', 'flat', 'models[1].modes[0]'],
      ['be-h', 'hnsw', 'models[1].modes[1]'],
      ['bm25', 'bm25', 'lexical[0]'],
    ]);
  });

  it('orders jobs per dataset and query set with re-ranking last, one per grid point, names unique', () => {
    const jobs = expandJobs(config, new Map([['b', ['b/misspelling-dl-typo/seed1']]]));
    // a: 6 graph + flat + hnsw + bm25 + 2 rerank = 11; b: twice that (original + one set).
    expect(jobs).toHaveLength(33);
    expect(jobs.map((j) => j.position)).toEqual(jobs.map((_, i) => i));
    const a = jobs.filter((j) => j.dataset === 'a');
    expect(a.slice(-2).map((j) => j.point)).toEqual(['hyp/rerank[depth=10]', 'hyp/rerank[depth=100]']);
    expect(a[8].point).toBe('bm25');
    const varied = jobs.filter((j) => j.querySet !== null);
    expect(varied).toHaveLength(11);
    expect(varied[0].runName).toBe('sweep/b/hyp/graph[nCandidates=32,maxIter=8]@misspelling-dl-typo/seed1');
    expect(new Set(jobs.map((j) => j.runName)).size).toBe(33);
    expect(new Set(jobs.map((j) => j.key)).size).toBe(33);
    // The key is a function of the job's settings: the same config expands to the same keys.
    expect(expandJobs(config, new Map([['b', ['b/misspelling-dl-typo/seed1']]])).map((j) => j.key)).toEqual(
      jobs.map((j) => j.key),
    );
  });
});
