import { describe, expect, it } from 'vitest';
import {
  deltaHistogramOption,
  qualityLatencyOption,
  type ResultsSummary,
  robustnessOption,
  seriesPoints,
  stageLatencyOption,
} from '../../../renderer/src/charts/options.ts';
import {
  buildConfig,
  emptyForm,
  modelChoice,
  numberList,
  systemIds,
} from '../../../renderer/src/views/experiment-config.ts';

const row = (
  name: string,
  latency: number | null,
  ndcg: number,
  pareto: boolean | null,
  querySet: string | null = null,
) => ({
  name,
  paretoLatency: latency,
  pareto,
  querySet,
  values: { 'nDCG@10': { value: ndcg, vsBaseline: null } },
  stages: latency === null ? [] : [{ stage: 'total', p50: latency, p95: latency * 2, p99: latency * 3 }],
});

const summary = {
  columns: [{ name: 'nDCG@10' }],
  baseline: 'a',
  latencySource: 'p50 total',
  rows: [
    row('a', 10, 0.7, true),
    row('b', 2, 0.5, true),
    row('c', 12, 0.6, false),
    row('d', null, 0.4, null),
    row('a@typo', 10, 0.3, null, 'typo'),
  ],
  sweeps: [],
  robustness: [
    {
      system: 'a',
      family: 'misspelling',
      querySet: 's1',
      original: 0.7,
      varied: 0.35,
      drop: 0.35,
      relativeDrop: 0.5,
    },
    {
      system: 'a',
      family: 'misspelling',
      querySet: 's2',
      original: 0.7,
      varied: 0.49,
      drop: 0.21,
      relativeDrop: 0.3,
    },
  ],
  deltas: [{ run: 'b', edges: [-1, 0, 1], counts: [3, 1] }],
} as unknown as ResultsSummary;

describe('chart options', () => {
  it('draws every timed run and a Pareto line through the front only, fastest first', () => {
    const o = qualityLatencyOption(summary);
    const series = o.series as { name: string; data: { value: number[]; name: string }[] }[];
    expect(series[0].data.map((p) => p.name)).toEqual(['a', 'b', 'c']);
    expect(series[1].data.map((p) => p.value)).toEqual([
      [2, 0.5],
      [10, 0.7],
    ]);
    expect(seriesPoints(o)).toBe(5);
  });

  it('averages the relative drop per family and bins deltas on shared edges', () => {
    const r = robustnessOption(summary).series as { data: (number | null)[] }[];
    expect(r[0].data).toEqual([40]);
    const d = deltaHistogramOption(summary);
    expect((d.xAxis as { data: string[] }).data).toEqual(['-0.500', '0.500']);
    expect(seriesPoints(stageLatencyOption(summary))).toBe(3 * 4);
  });
});

describe('experiment builder config', () => {
  it('turns "32, 64" into a sweep, one value into a scalar, and keeps bad text for the validator', () => {
    expect(numberList('32, 64')).toEqual([32, 64]);
    expect(numberList('16')).toBe(16);
    expect(numberList('')).toBeUndefined();
    expect(numberList('3x')).toBe('3x');
    const f = emptyForm();
    f.dataset = 'scifact';
    f.bm25 = true;
    const hyp = { ...modelChoice('hyp', 'hypencoder'), use: true, graph: true, nCandidates: '32, 64' };
    f.models = [hyp, { ...modelChoice('be', 'biencoder'), use: true }];
    f.baseline = 'be/flat';
    const c = buildConfig(f);
    expect(c.models).toEqual([
      {
        name: 'hyp',
        modes: [
          { mode: 'exhaustive' },
          { mode: 'graph', params: { nCandidates: [32, 64], maxIter: 16, numEntryPoints: 100 } },
        ],
      },
      { name: 'be', modes: [{ mode: 'flat' }] },
    ]);
    expect(c.datasets).toEqual([{ name: 'scifact' }]);
    expect(c.lexical).toEqual([{ mode: 'bm25' }]);
    expect(systemIds(c)).toEqual(['hyp/exhaustive', 'hyp/graph', 'be/flat', 'bm25']);
  });
});
