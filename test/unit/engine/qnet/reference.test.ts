import { describe, expect, it } from 'vitest';
import { activate, erf, parseQnetSpec, scoreReference } from '../../../../main/engine/qnet/index.ts';

describe('erf', () => {
  it('matches tabulated values across the series and continued-fraction ranges', () => {
    // Abramowitz & Stegun table 7.1 and mpmath values.
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [4.2, 0.9999999971445058],
      [-1.5, -0.9661051464753108],
    ];
    for (const [x, want] of table) expect(Math.abs(erf(x) - want)).toBeLessThan(1e-14);
  });
});

describe('activate', () => {
  it('follows PyTorch defaults: exact GELU and LeakyReLU slope 0.01', () => {
    expect(activate('gelu', 1)).toBeCloseTo(0.8413447460685429, 14);
    expect(activate('gelu', -3)).toBeCloseTo(-0.00404969409489031, 13);
    expect(activate('leaky_relu', -2)).toBe(-0.02);
    expect(activate('relu', -2)).toBe(0);
    expect(activate('sigmoid', 0)).toBe(0.5);
  });
});

describe('scoreReference', () => {
  // dims [2, 2, 1], one core block; values chosen so every step is checkable by hand.
  const params = {
    weights: [Float32Array.from([1, 2, -1, 1]), Float32Array.from([1, -1])],
    biases: [Float32Array.from([0.5, -4])],
  };
  const docs = Float32Array.from([1, 1, 2, 0]);

  it('applies x·W + b, the activation and the final projection in order (no LN, no residual)', () => {
    const spec = parseQnetSpec({ dims: [2, 2, 1], layerNorm: false, residual: false });
    // doc (1,1): xW = (0, 3), +b = (0.5, -1), relu = (0.5, 0), ·(1,-1) = 0.5
    // doc (2,0): xW = (2, 4), +b = (2.5, 0), relu = (2.5, 0), ·(1,-1) = 2.5
    expect(Array.from(scoreReference(spec, params, docs, 2))).toEqual([0.5, 2.5]);
  });

  it('normalises without affine parameters, then adds the residual only when residualOnLast', () => {
    const ln = parseQnetSpec({ dims: [2, 2, 1], residual: true, residualOnLast: false });
    // LN((0.5, 0)) = (1, −1)·(0.25/√(0.0625+1e-5)); the single core block is the last one: no residual.
    const s = 0.25 / Math.sqrt(0.0625 + 1e-5);
    const [a] = scoreReference(ln, params, docs, 2);
    expect(a).toBeCloseTo(2 * s, 12);
    const onLast = parseQnetSpec({ dims: [2, 2, 1], residual: true, residualOnLast: true });
    // With the residual: (s + 1, −s + 1)·(1, −1) = 2s.  Doc 2: LN((2.5, 0)) = (s', −s'), plus (2, 0) → 2s' + 2.
    const s2 = 1.25 / Math.sqrt(1.5625 + 1e-5);
    expect(Array.from(scoreReference(onLast, params, docs, 2)).map((v) => Number(v.toFixed(12)))).toEqual([
      Number((2 * s).toFixed(12)),
      Number((2 * s2 + 2).toFixed(12)),
    ]);
  });

  it('applies LayerNorm after the residual when layerNormBeforeResidual is false', () => {
    const spec = parseQnetSpec({ dims: [2, 2, 1], residualOnLast: true, layerNormBeforeResidual: false });
    // Doc 2: relu = (2.5, 0), + x (2, 0) = (4.5, 0), LN = (s, −s) with s = 2.25/√(5.0625+1e-5) → score 2s.
    const s = 2.25 / Math.sqrt(5.0625 + 1e-5);
    expect(scoreReference(spec, params, docs, 2)[1]).toBeCloseTo(2 * s, 12);
  });

  it('scores each query of a batch with its own parameters', () => {
    const spec = parseQnetSpec({ dims: [2, 2, 1], layerNorm: false, residual: false });
    const twice = {
      weights: [
        Float32Array.from([...params.weights[0], ...params.weights[0]]),
        Float32Array.from([1, -1, 2, 0]),
      ],
      biases: [Float32Array.from([0.5, -4, 0.5, -4])],
    };
    // Query 2 projects with (2, 0): 2·0.5 = 1 and 2·2.5 = 5.
    expect(Array.from(scoreReference(spec, twice, docs, 2))).toEqual([0.5, 2.5, 1, 5]);
  });
});
