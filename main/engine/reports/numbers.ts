import { cFixed } from '../eval/index.ts';
import type { JsonValue } from '../store/index.ts';
import type { SignificanceMark, SignificancePolicy } from './model.ts';

/**
 * How every human-readable format prints numbers, in one place so that a test can parse them back and
 * compare with the stored doubles to the printed precision. Metrics print as trec_eval does (`%.4f`,
 * glibc rounding); machine-readable formats (CSV, JSON, TREC) carry the exact doubles instead.
 */

export const METRIC_DIGITS = 4;

export const metric = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : cFixed(x, METRIC_DIGITS);

export const signed = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x >= 0 ? '+' : ''}${metric(x)}`;

/** Milliseconds: three decimals below 10 ms, one above (timings are ±15 % anyway, DESIGN.md §8). */
export const ms = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x < 10 ? x.toFixed(3) : x.toFixed(1);

export const qps = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1);

export const pValue = (p: number | null | undefined): string =>
  p === null || p === undefined ? '–' : p < 0.0001 ? '<0.0001' : cFixed(p, 4);

export const percent = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;

export const count = (x: number | null | undefined): string =>
  x === null || x === undefined ? '–' : String(x);

export const bytes = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Hashes shortened for tables; the JSON bundle keeps them whole. */
export const shortHash = (h: string | null | undefined): string =>
  !h ? '–' : /^[0-9a-f]{64}$/.test(h) ? `${h.slice(0, 12)}…` : h;

/** A parameter value inline (sweeps, settings). */
export function inline(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '–';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Significance markers against the baseline, as ranx prints them in its tables: a dagger when a run is
 * significantly better than the baseline, a double dagger when significantly worse. Every table that uses
 * them carries the caption below.
 */
export const MARKS: Record<Exclude<SignificanceMark, null>, string> = { better: '†', worse: '‡' };

const TEST_NAMES = {
  tTest: 'two-sided paired t-test',
  wilcoxon: 'two-sided Wilcoxon signed-rank test',
  randomization: 'two-sided paired randomization test',
} as const;

export function significanceCaption(p: SignificancePolicy): string {
  const correction =
    p.correction === 'none'
      ? 'uncorrected'
      : `${p.correction === 'holm' ? 'Holm' : 'Bonferroni'}-corrected over the runs compared with the baseline`;
  return `† significantly better, ‡ significantly worse than the baseline (${TEST_NAMES[p.test]}, ${correction}, p < ${p.alpha}); bold: best in its column.`;
}

/** Ids of charts and tables derived from names (datasets, query sets). */
export const slug = (s: string): string =>
  s
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
