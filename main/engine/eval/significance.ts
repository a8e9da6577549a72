import ttest from '@stdlib/stats-ttest';
import wilcoxon from '@stdlib/stats-wilcoxon';
import { WorkbenchError } from '../errors.ts';
import { compareBytewise } from './order.ts';

export interface PairedOptions {
  /** |difference| ≤ this counts as a tie in the win/tie/loss counts (default 1e-9: float noise, not a change). */
  tieTolerance?: number;
  /** Bootstrap resamples of the mean difference (default 10,000). */
  resamples?: number;
  /** Sign flips for the randomization test (default 10,000). */
  permutations?: number;
  /** Seed of the resampling generator; the same seed gives the same interval and p-value (default 42). */
  seed?: number;
  /** Confidence level of the bootstrap interval (default 0.95). */
  confidence?: number;
}

export interface PairedComparison {
  /** Queries with a value in both inputs: the pairs every statistic below uses. */
  n: number;
  /** Queries present in only one input: left out of every statistic (a paired test needs both values). */
  onlyInA: string[];
  onlyInB: string[];
  meanA: number;
  meanB: number;
  /** mean(B − A): positive when B is better on a higher-is-better measure. */
  meanDifference: number;
  wins: number;
  ties: number;
  losses: number;
  tieTolerance: number;
  /** Paired Student t-test on B − A, two-sided; null with fewer than 2 pairs or identical differences. */
  tTest: { statistic: number; df: number; pValue: number } | null;
  /**
   * Wilcoxon signed-rank test on B − A, two-sided, as scipy.stats.wilcoxon by default: zero differences
   * dropped (zero_method="wilcox"), no continuity correction; exact distribution for ≤ 50 non-zero
   * differences without tied magnitudes, else the normal approximation with tie correction. (scipy ≥ 1.13
   * keeps the exact distribution with ties too; that is the one case where p-values differ.)
   * `statistic` is min(R+, R−) as scipy reports it. Null when every difference is zero.
   */
  wilcoxon: {
    statistic: number;
    rPlus: number;
    rMinus: number;
    nonZero: number;
    method: 'exact' | 'normal';
    pValue: number;
  } | null;
  /** Percentile bootstrap interval of the mean difference (pairs resampled with replacement). */
  bootstrap: { low: number; high: number; confidence: number; resamples: number; seed: number } | null;
  /**
   * Paired randomization (sign-flip) test of the mean difference, two-sided, p = (hits + 1) / (permutations + 1)
   * (Smucker, Allan & Carterette, CIKM 2007, recommend it for IR).
   */
  randomization: { pValue: number; permutations: number; seed: number } | null;
}

/**
 * Compares two runs query by query on one measure (per-query values keyed by qid, e.g. from
 * perQueryValues). Queries present in only one map are reported and excluded.
 */
export function compareRuns(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  options: PairedOptions = {},
): PairedComparison {
  const tieTolerance = options.tieTolerance ?? 1e-9;
  const seed = options.seed ?? 42;
  const qids = [...a.keys()].filter((q) => b.has(q)).sort(compareBytewise);
  const onlyInA = [...a.keys()].filter((q) => !b.has(q)).sort(compareBytewise);
  const onlyInB = [...b.keys()].filter((q) => !a.has(q)).sort(compareBytewise);
  const n = qids.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const d = new Float64Array(n);
  let wins = 0;
  let ties = 0;
  let losses = 0;
  qids.forEach((q, i) => {
    x[i] = a.get(q)!;
    y[i] = b.get(q)!;
    d[i] = y[i] - x[i];
    if (Math.abs(d[i]) <= tieTolerance) ties++;
    else if (d[i] > 0) wins++;
    else losses++;
  });
  const mean = (v: Float64Array) => (v.length ? v.reduce((s, t) => s + t, 0) / v.length : Number.NaN);
  return {
    n,
    onlyInA,
    onlyInB,
    meanA: mean(x),
    meanB: mean(y),
    meanDifference: mean(d),
    wins,
    ties,
    losses,
    tieTolerance,
    tTest: pairedTTest(y, x),
    wilcoxon: signedRank(d),
    bootstrap: n ? bootstrapInterval(d, options.resamples ?? 10_000, options.confidence ?? 0.95, seed) : null,
    randomization: n ? randomizationTest(d, options.permutations ?? 10_000, seed) : null,
  };
}

function pairedTTest(y: Float64Array, x: Float64Array): PairedComparison['tTest'] {
  if (y.length < 2) return null;
  const first = y[0] - x[0];
  if (y.every((v, i) => v - x[i] === first)) return null;
  const r = ttest(y, x);
  return { statistic: r.statistic, df: r.df, pValue: r.pValue };
}

function signedRank(d: Float64Array): PairedComparison['wilcoxon'] {
  const nonZero = d.filter((v) => v !== 0);
  if (nonZero.length === 0) return null;
  const ranks = averageRanks(nonZero.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  nonZero.forEach((v, i) => {
    if (v > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  });
  const tiedMagnitudes = new Set(ranks).size !== ranks.length;
  const method = nonZero.length <= 50 && !tiedMagnitudes ? 'exact' : 'normal';
  // stdlib switches to the normal approximation as soon as it sees a zero, so it gets the zero-free
  // differences (scipy's zero_method="wilcox" drops them before choosing the method).
  let pValue: number;
  if (nonZero.length === 1) {
    pValue = 1; // a single difference cannot reject anything; stdlib needs two
  } else {
    pValue = Math.min(1, wilcoxon(nonZero, { correction: false, zeroMethod: 'wilcox' }).pValue);
  }
  return { statistic: Math.min(rPlus, rMinus), rPlus, rMinus, nonZero: nonZero.length, method, pValue };
}

function averageRanks(values: Float64Array): Float64Array {
  const order = [...values.keys()].sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** mulberry32: a small seeded generator, enough for resampling and reproducible across platforms. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap: the mean of n pairs drawn with replacement, `resamples` times; the interval is the
 * ⌊α/2·B⌋-th and ⌈(1−α/2)·B⌉−1-th of the sorted means (0-based).
 */
function bootstrapInterval(
  d: Float64Array,
  resamples: number,
  confidence: number,
  seed: number,
): PairedComparison['bootstrap'] {
  if (!(confidence > 0 && confidence < 1) || !(resamples >= 1)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      'bootstrap needs 0 < confidence < 1 and at least one resample',
    );
  }
  const random = seededRandom(seed);
  const n = d.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[Math.floor(random() * n)];
    means[r] = sum / n;
  }
  means.sort();
  const alpha = 1 - confidence;
  return {
    low: means[Math.floor((alpha / 2) * resamples)],
    high: means[Math.max(0, Math.ceil((1 - alpha / 2) * resamples) - 1)],
    confidence,
    resamples,
    seed,
  };
}

function randomizationTest(
  d: Float64Array,
  permutations: number,
  seed: number,
): PairedComparison['randomization'] {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const n = d.length;
  let observed = 0;
  for (let i = 0; i < n; i++) observed += d[i];
  observed = Math.abs(observed);
  let hits = 0;
  for (let p = 0; p < permutations; p++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += random() < 0.5 ? -d[i] : d[i];
    // Sums equal up to rounding count as at least as extreme.
    if (Math.abs(sum) >= observed - 1e-12) hits++;
  }
  return { pValue: (hits + 1) / (permutations + 1), permutations, seed };
}

/**
 * Family-wise error correction over several comparisons (e.g. many runs against one baseline).
 * Bonferroni: min(1, m·p). Holm (step-down): the i-th smallest p becomes max over j ≤ i of min(1, (m−j+1)·p(j)).
 * Returned in the input order.
 */
export function adjustPValues(pValues: readonly number[], method: 'holm' | 'bonferroni'): number[] {
  const m = pValues.length;
  if (method === 'bonferroni') return pValues.map((p) => Math.min(1, p * m));
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[idx]));
    adjusted[idx] = running;
  });
  return adjusted;
}
