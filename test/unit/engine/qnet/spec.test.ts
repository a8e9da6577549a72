import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  flopsPerDocument,
  HYPENCODER_6_LAYER,
  hasResidual,
  parseQnetSpec,
} from '../../../../main/engine/qnet/index.ts';

function errorOf(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected an error');
}

describe('parseQnetSpec', () => {
  it('fills the reference defaults (relu, LN before residual, no residual on the last core block, eps 1e-5)', () => {
    expect(parseQnetSpec({ dims: [4, 4, 1] })).toEqual({
      dims: [4, 4, 1],
      config: {
        activation: 'relu',
        layerNorm: true,
        residual: true,
        residualOnLast: false,
        layerNormBeforeResidual: true,
        lnEps: 1e-5,
      },
    });
  });

  it('reads the manifest form (flat) and the reference-file form (nested config)', () => {
    const flat = parseQnetSpec({ dims: [8, 8, 1], activation: 'gelu', layerNorm: false, lnEps: 1e-6 });
    const nested = parseQnetSpec({
      dims: [8, 8, 1],
      config: { activation: 'gelu', layerNorm: false, lnEps: 1e-6 },
    });
    expect(flat).toEqual(nested);
    expect(flat.config).toMatchObject({ activation: 'gelu', layerNorm: false, lnEps: 1e-6 });
  });

  it('requires a final dimension of 1 and names the field with its prefix', () => {
    const err = errorOf(() => parseQnetSpec({ dims: [8, 8, 2] }, { file: 'model.json', field: 'qnet' }));
    expect(err.message).toMatch(/^model\.json: The last dimension must be 1/);
    expect(err.details).toMatchObject({ file: 'model.json', field: 'qnet.dims' });
  });

  it('refuses a residual across a change of width, and residualOnLast without residual (as the reference does)', () => {
    expect(errorOf(() => parseQnetSpec({ dims: [8, 4, 4, 1] })).message).toMatch(
      /Core block 0 has a residual connection but maps 8 to 4/,
    );
    // Without residual on the last core block, its width may change.
    expect(parseQnetSpec({ dims: [8, 8, 4, 1] }).dims).toEqual([8, 8, 4, 1]);
    expect(errorOf(() => parseQnetSpec({ dims: [8, 8, 4, 1], residualOnLast: true })).message).toMatch(
      /maps 8 to 4/,
    );
    expect(
      errorOf(() => parseQnetSpec({ dims: [4, 4, 1], residual: false, residualOnLast: true })).details?.field,
    ).toBe('residualOnLast');
  });

  it('rejects unknown activations and non-boolean flags', () => {
    expect(errorOf(() => parseQnetSpec({ dims: [4, 1], activation: 'swish' })).message).toMatch(
      /relu, gelu, tanh, sigmoid, leaky_relu/,
    );
    expect(errorOf(() => parseQnetSpec({ dims: [4, 1], layerNorm: 'yes' })).details?.field).toBe('layerNorm');
    expect(errorOf(() => parseQnetSpec({ dims: [4.5, 1] })).details?.field).toBe('dims');
  });
});

describe('q-net arithmetic', () => {
  it('counts 2·Σ d_j·d_{j+1} FLOPs: ≈7.08 MFLOP per document for hypencoder.6_layer', () => {
    expect(flopsPerDocument(HYPENCODER_6_LAYER.dims)).toBe(2 * (6 * 768 * 768 + 768));
    expect(flopsPerDocument(HYPENCODER_6_LAYER.dims)).toBe(7_079_424);
  });

  it('skips the residual on the last core block only', () => {
    const spec = HYPENCODER_6_LAYER;
    expect([0, 1, 2, 3, 4, 5].map((j) => hasResidual(spec, j))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    const onLast = { ...spec, config: { ...spec.config, residualOnLast: true } };
    expect(hasResidual(onLast, 5)).toBe(true);
  });
});
