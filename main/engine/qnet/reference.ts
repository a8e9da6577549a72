import { type QnetParams, queryCount } from './params.ts';
import { hasResidual, layerCount, type QnetActivation, type QnetSpec } from './spec.ts';

/**
 * The q-net in plain TypeScript with Float64 accumulation: the executable statement of DESIGN.md §4
 * that the ONNX scorer is tested against. It is ~100× slower than the ONNX path and never used to rank.
 */

/** erf(x) to ~1e-15: Maclaurin series near 0, Lentz continued fraction for erfc beyond (A&S 7.1.5, 7.1.14). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated by modified Lentz.
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = ax + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = ax + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** The activations of the reference's `activation_factory`, with PyTorch's defaults (exact GELU, slope 0.01). */
export function activate(kind: QnetActivation, v: number): number {
  switch (kind) {
    case 'relu':
      return Math.max(v, 0);
    case 'gelu':
      return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'leaky_relu':
      return v >= 0 ? v : 0.01 * v;
  }
}

/** LayerNorm without affine parameters over the last axis, biased variance (F.layer_norm). */
function layerNorm(y: Float64Array, eps: number): void {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let variance = 0;
  for (let i = 0; i < y.length; i++) variance += (y[i] - mean) * (y[i] - mean);
  variance /= y.length;
  const inv = 1 / Math.sqrt(variance + eps);
  for (let i = 0; i < y.length; i++) y[i] = (y[i] - mean) * inv;
}

/**
 * Scores nDocs documents (row-major [nDocs][d0]) for every query in `params`; returns [queries][nDocs].
 */
export function scoreReference(
  spec: QnetSpec,
  params: QnetParams,
  docs: Float32Array,
  nDocs: number,
): Float64Array {
  const queries = queryCount(spec, params);
  const { dims, config } = spec;
  const L = layerCount(spec);
  const out = new Float64Array(queries * nDocs);
  for (let q = 0; q < queries; q++) {
    for (let n = 0; n < nDocs; n++) {
      let x = Float64Array.from(docs.subarray(n * dims[0], (n + 1) * dims[0]));
      for (let j = 0; j < L - 1; j++) {
        const [din, dout] = [dims[j], dims[j + 1]];
        const w = params.weights[j];
        const wOffset = q * din * dout;
        const b = params.biases[j];
        const y = new Float64Array(dout);
        for (let o = 0; o < dout; o++) y[o] = b[q * dout + o];
        for (let i = 0; i < din; i++) {
          const xi = x[i];
          const row = wOffset + i * dout;
          for (let o = 0; o < dout; o++) y[o] += xi * w[row + o];
        }
        for (let o = 0; o < dout; o++) y[o] = activate(config.activation, y[o]);
        if (config.layerNorm && config.layerNormBeforeResidual) layerNorm(y, config.lnEps);
        if (hasResidual(spec, j)) for (let o = 0; o < dout; o++) y[o] += x[o];
        if (config.layerNorm && !config.layerNormBeforeResidual) layerNorm(y, config.lnEps);
        x = y;
      }
      const w = params.weights[L - 1];
      const din = dims[L - 1];
      let score = 0;
      for (let i = 0; i < din; i++) score += x[i] * w[q * din + i];
      out[q * nDocs + n] = score;
    }
  }
  return out;
}
