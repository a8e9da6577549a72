/**
 * Pure helpers behind the Runs and Results views: run parameters flattened for comparison, the Pareto front
 * of quality against latency, sweeps (one parameter varied, the rest fixed) and histograms of per-query
 * differences. No store, no I/O: the handlers feed them.
 */

export type ParamScalar = string | number | boolean | null;
export type FlatParams = Record<string, ParamScalar>;

/** Keys of a run's config that describe its inputs' identity rather than a setting anyone chose. */
const IDENTITY_KEYS = /(^|\.)(embeddingsHash|key|hash|sha256|contentHash|packageHash|documentEncoderHash)$/;

/**
 * `{ graphSearch: { nCandidates: 64 } }` → `{ 'graphSearch.nCandidates': 64 }`. Arrays become their JSON text,
 * so that `[768, 768, 1]` compares as one value.
 */
export function flattenParams(value: unknown, prefix = '', out: FlatParams = {}): FlatParams {
  if (value === null || typeof value !== 'object') {
    if (prefix) out[prefix] = value as ParamScalar;
    return out;
  }
  if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    flattenParams(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** The parameters whose values differ between two runs (absent on one side counts as different). */
export function differingParams(
  a: FlatParams,
  b: FlatParams,
): { key: string; a: ParamScalar | undefined; b: ParamScalar | undefined }[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !(k in a && k in b && a[k] === b[k])).map((k) => ({ key: k, a: a[k], b: b[k] }));
}

/** Drops the input-identity keys (hashes) that make every two runs of different corpora look different. */
export function settingParams(params: FlatParams): FlatParams {
  const out: FlatParams = {};
  for (const [k, v] of Object.entries(params)) if (!IDENTITY_KEYS.test(k)) out[k] = v;
  return out;
}

/**
 * Which points are on the Pareto front of lower latency and higher quality (DESIGN.md §8): a point is on it
 * when no other point is at least as fast and at least as good, and strictly better in one of the two.
 */
export function paretoFront(points: readonly { latency: number; quality: number }[]): boolean[] {
  return points.map(
    (p, i) =>
      !points.some(
        (q, j) =>
          j !== i &&
          q.latency <= p.latency &&
          q.quality >= p.quality &&
          (q.latency < p.latency || q.quality > p.quality),
      ),
  );
}

export interface Histogram {
  /** bins + 1 edges; bin i counts values in [edges[i], edges[i+1]), the last bin includes its upper edge. */
  edges: number[];
  counts: number[];
}

/**
 * Equal-width bins symmetric around zero, so that "better" and "worse" halves read at a glance. `range`
 * fixes the half-width (to give several histograms the same bins); by default the largest |value|.
 */
export function symmetricHistogram(values: ArrayLike<number>, bins = 20, range?: number): Histogram {
  let max = range ?? 0;
  if (range === undefined) for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  // all differences zero: show them in the middle of the [-1, 1] range every measure here lives in
  if (max === 0) max = 1;
  const width = (2 * max) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => -max + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((values[i] + max) / width)));
    counts[b]++;
  }
  return { edges, counts };
}

export interface SweepSeries {
  /** The varied parameter. */
  param: string;
  /** What the runs of the series share, e.g. `mode=qnet-graph, graphSearch.maxIter=16`. */
  label: string;
  points: { x: number; run: string }[];
}

/**
 * Sweeps hidden in a set of runs: for each numeric parameter, runs that agree on every other setting and
 * differ in it form a series (at least two points), ordered by the parameter.
 */
export function findSweeps(runs: readonly { name: string; params: FlatParams }[]): SweepSeries[] {
  const numericKeys = new Set<string>();
  for (const r of runs)
    for (const [k, v] of Object.entries(r.params)) if (typeof v === 'number') numericKeys.add(k);
  const out: SweepSeries[] = [];
  for (const param of [...numericKeys].sort()) {
    const groups = new Map<string, { label: string; points: { x: number; run: string }[] }>();
    for (const r of runs) {
      const x = r.params[param];
      if (typeof x !== 'number') continue;
      const rest = Object.entries(r.params)
        .filter(([k]) => k !== param)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const key = JSON.stringify(rest);
      let g = groups.get(key);
      if (!g) {
        const label = rest
          .filter(([k]) => k === 'mode' || k.startsWith('model') || k.startsWith('system'))
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        g = { label: label || param, points: [] };
        groups.set(key, g);
      }
      g.points.push({ x, run: r.name });
    }
    for (const g of groups.values()) {
      const xs = new Set(g.points.map((p) => p.x));
      if (xs.size < 2) continue;
      out.push({ param, label: g.label, points: g.points.sort((a, b) => a.x - b.x) });
    }
  }
  return out;
}
