import { describe, expect, it } from 'vitest';
import {
  compareMeasureSets,
  differingParameters,
  type StoredMeasure,
  settingsKey,
} from '../../../../main/engine/experiments/compare.ts';
import type { MetricSettings, RunRecord } from '../../../../main/engine/store/index.ts';

const settings = (qrelsHash = 'q'): MetricSettings => ({
  relevanceLevel: 1,
  cutoff: 10,
  averaging: 'default',
  depth: null,
  judgedOnly: false,
  qrelsHash,
});

function measure(values: number[], s = settings()): StoredMeasure {
  const perQuery = new Map(values.map((v, i) => [`q${i}`, v]));
  return {
    measure: 'nDCG@10',
    settings: s,
    key: settingsKey(s),
    aggregate: values.reduce((a, b) => a + b, 0) / values.length,
    perQuery,
    stored: true,
  };
}

function run(name: string, config: Record<string, unknown>, params?: Record<string, unknown>): RunRecord {
  return {
    id: 1,
    name,
    datasetId: 1,
    datasetName: 'd',
    tag: name,
    format: 'search',
    source: `search:${config.mode}`,
    config: config as RunRecord['config'],
    environment: {},
    stats: params ? { experiment: { params: params as never, system: 's', querySet: null } } : {},
    status: 'ready',
    createdAt: '',
  };
}

describe('comparisons of stored metrics', () => {
  it('pairs per query, counts wins/ties/losses, corrects p-values over the compared runs', () => {
    const base = measure([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const better = measure([0.9, 0.8, 0.7, 0.9, 0.6, 0.8, 0.7, 0.5]);
    const same = measure([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const none = compareMeasureSets(
      { name: 'A', measures: [base] },
      [
        { name: 'B', measures: [better] },
        { name: 'C', measures: [same] },
      ],
      { correction: 'none', resamples: 2000 },
    );
    const holm = compareMeasureSets(
      { name: 'A', measures: [base] },
      [
        { name: 'B', measures: [better] },
        { name: 'C', measures: [same] },
      ],
      { correction: 'holm', resamples: 2000 },
    );
    const b = none.measures[0].runs[0];
    expect(b.paired.meanDifference).toBeCloseTo(0.2375, 10);
    expect([b.paired.wins, b.paired.ties, b.paired.losses]).toEqual([7, 1, 0]);
    expect(b.perQuery[1]).toEqual({ queryId: 'q1', baseline: 0.5, value: 0.8, delta: 0.8 - 0.5 });
    // Holm with one testable p-value (C has none: every difference is 0) leaves it as it is; Bonferroni
    // over the two runs would not, so the correction counts only runs with a test.
    expect(holm.measures[0].runs[0].pValues.tTest).toBe(b.pValues.tTest);
    expect(none.measures[0].runs[1].pValues.tTest).toBeNull();
  });

  it('pairs values only under the same settings and reports the rest as unmatched', () => {
    const r = compareMeasureSets({ name: 'A', measures: [measure([0.1, 0.2], settings('q1'))] }, [
      { name: 'B', measures: [measure([0.3, 0.4], settings('q2'))] },
    ]);
    expect(r.measures).toEqual([]);
    expect(r.unmatched).toEqual(['nDCG@10']);
  });

  it('lists only the parameters that differ', () => {
    const a = run(
      'a',
      { mode: 'qnet-graph', topK: 1000, graphSearch: { nCandidates: 32, maxIter: 8 } },
      { nCandidates: 32 },
    );
    const b = run(
      'b',
      { mode: 'qnet-graph', topK: 1000, graphSearch: { nCandidates: 64, maxIter: 8 } },
      { nCandidates: 64 },
    );
    const diff = differingParameters(a, [b]);
    expect(diff.map((d) => d.parameter)).toEqual(['config.graphSearch.nCandidates', 'params.nCandidates']);
    expect(diff[0]).toEqual({ parameter: 'config.graphSearch.nCandidates', baseline: 32, values: [64] });
  });
});
