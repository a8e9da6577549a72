import {
  DEFAULT_QNET_CONFIG,
  type QnetParams,
  type QnetSpec,
  scoreReference,
} from '../../../../main/engine/qnet/index.ts';
import type { QnetDocumentScorer } from '../../../../main/engine/search/index.ts';

/** Seeded uniform floats (mulberry32, written out here so the tests do not lean on the code under test). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rnd: () => number): () => number {
  return () => {
    const u = 1 - rnd();
    const v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A clustered corpus (documents around `clusters` centres, like embeddings of topics) with `duplicates`
 * exact copies of earlier rows, so that score ties occur and the docno tie rule is exercised.
 */
export function clusteredCorpus(
  rows: number,
  dim: number,
  seed: number,
  clusters = 20,
  duplicates = 0,
): Float32Array {
  const g = gaussian(random(seed));
  const centres = Float32Array.from({ length: clusters * dim }, () => g());
  const out = new Float32Array(rows * dim);
  const rnd = random(seed + 1);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(rnd() * clusters);
    for (let j = 0; j < dim; j++) out[i * dim + j] = centres[c * dim + j] + 0.5 * g();
  }
  for (let d = 0; d < duplicates; d++) {
    const from = Math.floor(rnd() * rows);
    const to = Math.floor(rnd() * rows);
    out.copyWithin(to * dim, from * dim, (from + 1) * dim);
  }
  return out;
}

/** Docnos whose byte order differs from row order (and includes '#', legal inside a docno). */
export function docnos(rows: number): string[] {
  return Array.from({ length: rows }, (_, i) => `D${(i * 7919) % 100_003}#${i % 3}`);
}

export function qnetSpec(dims: number[]): QnetSpec {
  return { dims, config: DEFAULT_QNET_CONFIG };
}

/** One query's q-net with weights ~ N(0, 2/d) (the reference's Base_j initialisation, DESIGN.md §4). */
export function qnetParams(spec: QnetSpec, seed: number): QnetParams {
  const g = gaussian(random(seed));
  const { dims } = spec;
  const weights = dims
    .slice(0, -1)
    .map((d, j) => Float32Array.from({ length: d * dims[j + 1] }, () => g() * Math.sqrt(2 / d)));
  const biases = dims.slice(1, -1).map((d) => Float32Array.from({ length: d }, () => 0.1 * g()));
  return { weights, biases };
}

/**
 * A scorer that computes each row's score from that row alone (float64 reference q-net, rounded to float32),
 * so a document's score never depends on which other rows share its batch: lists can be compared exactly.
 */
export function referenceScorer(spec: QnetSpec): QnetDocumentScorer & { calls: number; rows: number } {
  return {
    spec,
    calls: 0,
    rows: 0,
    async score(params, docs, nDocs, out) {
      this.calls++;
      this.rows += nDocs;
      const s = scoreReference(spec, params, docs, nDocs);
      const target = out ?? new Float32Array(nDocs);
      for (let i = 0; i < nDocs; i++) target[i] = s[i];
      return target;
    },
  };
}

/** Brute-force k nearest other rows by squared L2 (float64), ties to the lower index. */
export function bruteForceNeighbours(
  data: Float32Array,
  dim: number,
  k: number,
  metric: 'l2' | 'ip' = 'l2',
): number[][] {
  const rows = data.length / dim;
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const dist: [number, number][] = [];
    for (let j = 0; j < rows; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const a = data[i * dim + t];
        const b = data[j * dim + t];
        s += metric === 'l2' ? (a - b) * (a - b) : -a * b;
      }
      dist.push([s, j]);
    }
    dist.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    out.push(dist.slice(0, k).map((d) => d[1]));
  }
  return out;
}
