import { type ErrorLocation, inputError } from '../errors.ts';

/**
 * The q-net's shape and configuration, with the reference's defaults (hypencoder_cb/modeling/q_net.py,
 * `RepeatedDenseBlockConverter`; DESIGN.md §4). Activations are the reference's `activation_factory` set.
 */
export const QNET_ACTIVATIONS = ['relu', 'gelu', 'tanh', 'sigmoid', 'leaky_relu'] as const;
export type QnetActivation = (typeof QNET_ACTIVATIONS)[number];

export interface QnetConfig {
  activation: QnetActivation;
  layerNorm: boolean;
  residual: boolean;
  /** Residual on the last core block too; the released checkpoints use false. */
  residualOnLast: boolean;
  layerNormBeforeResidual: boolean;
  /** LayerNorm epsilon; PyTorch's F.layer_norm default. */
  lnEps: number;
}

export interface QnetSpec {
  /** [d0, d1, …, dL]: d0 is the document embedding size, dL must be 1 (one score per document). */
  dims: readonly number[];
  config: QnetConfig;
}

export const DEFAULT_QNET_CONFIG: QnetConfig = {
  activation: 'relu',
  layerNorm: true,
  residual: true,
  residualOnLast: false,
  layerNormBeforeResidual: true,
  lnEps: 1e-5,
};

/** The hypencoder.6_layer q-net: 6 core blocks of 768 and the final projection to one score. */
export const HYPENCODER_6_LAYER: QnetSpec = {
  dims: [768, 768, 768, 768, 768, 768, 768, 1],
  config: DEFAULT_QNET_CONFIG,
};

/** Number of weight matrices L; core blocks are j = 0 … L−2, the projection is L−1. */
export function layerCount(spec: QnetSpec): number {
  return spec.dims.length - 1;
}

/** Whether core block j adds its input back (DESIGN.md §4: not on the last core block unless residualOnLast). */
export function hasResidual(spec: QnetSpec, j: number): boolean {
  const lastCore = layerCount(spec) - 2;
  return spec.config.residual && !(j === lastCore && !spec.config.residualOnLast);
}

/** Multiply-adds counted as 2 FLOPs: 2·Σ d_j·d_{j+1} per document, biases and norms not counted. */
export function flopsPerDocument(dims: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j + 1 < dims.length; j++) sum += dims[j] * dims[j + 1];
  return 2 * sum;
}

/**
 * Checks and completes a q-net description (e.g. a model manifest's `qnet` field), filling the
 * reference's defaults. `where` names the file and field prefix for messages.
 */
export function parseQnetSpec(value: unknown, where: ErrorLocation = {}): QnetSpec {
  const fail = (field: string, problem: string, hint: string) =>
    inputError(
      'INPUT_INVALID',
      { ...where, field: [where.field, field].filter(Boolean).join('.') },
      problem,
      hint,
    );
  if (typeof value !== 'object' || value === null)
    throw fail('', 'The q-net description must be an object', 'Give {dims, …config}');
  const input = value as Record<string, unknown>;
  const dims = input.dims;
  if (!Array.isArray(dims) || dims.length < 2 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw fail(
      'dims',
      'dims must be a list of at least two positive whole numbers',
      'For hypencoder.6_layer give [768,768,768,768,768,768,768,1]',
    );
  }
  if (dims[dims.length - 1] !== 1) {
    throw fail(
      'dims',
      `The last dimension must be 1 (one score per document), got ${dims[dims.length - 1]}`,
      'End dims with 1',
    );
  }
  const config: QnetConfig = { ...DEFAULT_QNET_CONFIG };
  const source = (typeof input.config === 'object' && input.config !== null ? input.config : input) as Record<
    string,
    unknown
  >;
  for (const key of ['layerNorm', 'residual', 'residualOnLast', 'layerNormBeforeResidual'] as const) {
    const v = source[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw fail(key, `${key} must be true or false`, `Got ${JSON.stringify(v)}`);
    config[key] = v;
  }
  if (source.activation !== undefined) {
    if (!QNET_ACTIVATIONS.includes(source.activation as QnetActivation)) {
      throw fail(
        'activation',
        `Unknown activation ${JSON.stringify(source.activation)}`,
        `Use one of ${QNET_ACTIVATIONS.join(', ')}`,
      );
    }
    config.activation = source.activation as QnetActivation;
  }
  if (source.lnEps !== undefined) {
    if (typeof source.lnEps !== 'number' || !(source.lnEps > 0))
      throw fail('lnEps', 'lnEps must be a positive number', 'The reference uses 1e-5');
    config.lnEps = source.lnEps;
  }
  if (config.residualOnLast && !config.residual) {
    // The reference raises here too: residualOnLast only refines residual.
    throw fail(
      'residualOnLast',
      'residualOnLast can only be true when residual is true',
      'Set residual to true or residualOnLast to false',
    );
  }
  const spec: QnetSpec = { dims: [...dims], config };
  for (let j = 0; j < layerCount(spec) - 1; j++) {
    if (hasResidual(spec, j) && dims[j] !== dims[j + 1]) {
      throw fail(
        'dims',
        `Core block ${j} has a residual connection but maps ${dims[j]} to ${dims[j + 1]} dimensions`,
        'A residual needs equal input and output sizes: make them equal or turn residual off',
      );
    }
  }
  return spec;
}
