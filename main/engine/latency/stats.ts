import { percentile } from '../search/index.ts';

/**
 * Summaries of timing samples (DESIGN.md §8): nearest-rank percentiles, the same rule the search runs use
 * for their per-query latencies (search/record.ts), so p50 of a run and of a latency profile mean the same.
 */

export interface SampleSummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

const round = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export function summariseSamples(samples: ArrayLike<number>): SampleSummary {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    n,
    mean: round(n ? sum / n : Number.NaN),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    min: round(n ? sorted[0] : Number.NaN),
    max: round(n ? sorted[n - 1] : Number.NaN),
  };
}
