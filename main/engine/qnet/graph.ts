import { GraphBuilder } from '../onnx/index.ts';
import { hasResidual, layerCount, type QnetSpec } from './spec.ts';

/**
 * The q-net as an ONNX graph whose weights and biases are graph *inputs*, so one session serves every
 * query (the hypernetwork makes new weights per query). Documents come in as [N, d0].
 *
 * - `single`: weights W_j [d_j, d_{j+1}], biases b_j [d_{j+1}]; output `scores` [N].
 * - `batched`: weights [Q, d_j, d_{j+1}], biases [Q, d_{j+1}] exactly as the query encoder emits them;
 *   the first MatMul broadcasts the shared document chunk over the Q queries ([N,d0]·[Q,d0,d1] →
 *   [Q,N,d1]), later ones are batched MatMuls; output `scores` [Q, N].
 */
export type QnetGraphLayout = 'single' | 'batched';

export interface QnetGraphOptions {
  layout: QnetGraphLayout;
  /**
   * `op` uses ONNX LayerNormalization (opset 17) with a constant unit scale; `decomposed` writes the
   * mean/variance arithmetic out. Both compute F.layer_norm without affine parameters.
   */
  layerNorm?: 'op' | 'decomposed';
}

export const QNET_DOCS = 'docs';
export const QNET_SCORES = 'scores';
export const qnetWeightName = (j: number): string => `qnet_w${j}`;
export const qnetBiasName = (j: number): string => `qnet_b${j}`;

export function buildQnetGraph(spec: QnetSpec, options: QnetGraphOptions): Uint8Array {
  const { dims, config } = spec;
  const L = layerCount(spec);
  const batched = options.layout === 'batched';
  const g = new GraphBuilder(`qnet_${options.layout}_${dims.join('x')}`, {
    docString: `Hypencoder q-net (DESIGN.md §4), dims [${dims.join(', ')}], ${JSON.stringify(config)}`,
  });
  const lead = batched ? ['Q'] : [];
  let x = g.input(QNET_DOCS, 'float32', ['N', dims[0]]);
  const weights = Array.from({ length: L }, (_, j) =>
    g.input(qnetWeightName(j), 'float32', [...lead, dims[j], dims[j + 1]]),
  );
  const biases = Array.from({ length: L - 1 }, (_, j) =>
    g.input(qnetBiasName(j), 'float32', [...lead, dims[j + 1]]),
  );
  // [Q, d] → [Q, 1, d] so a bias broadcasts over the N documents of its query.
  const axisOne = batched ? g.constantInt64('axis1', [1]) : '';

  const activation = (y: string): string => {
    switch (config.activation) {
      case 'relu':
        return g.op('Relu', [y]);
      case 'tanh':
        return g.op('Tanh', [y]);
      case 'sigmoid':
        return g.op('Sigmoid', [y]);
      case 'leaky_relu':
        // torch.nn.LeakyReLU's default negative slope.
        return g.op('LeakyRelu', [y], { alpha: { f: 0.01 } });
      case 'gelu': {
        // torch.nn.GELU() is the exact erf form: 0.5·x·(1 + erf(x/√2)); onnxruntime fuses this pattern.
        const erf = g.op('Erf', [g.op('Div', [y, g.constant('sqrt2', [Math.SQRT2], [])])]);
        const onePlus = g.op('Add', [erf, g.constant('one', [1], [])]);
        return g.op('Mul', [g.op('Mul', [y, onePlus]), g.constant('half', [0.5], [])]);
      }
    }
  };

  const layerNorm = (y: string, width: number): string => {
    if (options.layerNorm === 'decomposed') {
      const mean = g.op('ReduceMean', [y], { axes: { ints: [-1] }, keepdims: { i: 1 } });
      const centred = g.op('Sub', [y, mean]);
      const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], {
        axes: { ints: [-1] },
        keepdims: { i: 1 },
      });
      const std = g.op('Sqrt', [g.op('Add', [variance, g.constant('eps', [config.lnEps], [])])]);
      return g.op('Div', [centred, std]);
    }
    const scale = g.constant('ln_scale', new Float32Array(width).fill(1), [width]);
    return g.op('LayerNormalization', [y, scale], { axis: { i: -1 }, epsilon: { f: config.lnEps } });
  };

  for (let j = 0; j < L - 1; j++) {
    const bias = batched ? g.op('Unsqueeze', [biases[j], axisOne]) : biases[j];
    let y = g.op('Add', [g.op('MatMul', [x, weights[j]]), bias]);
    y = activation(y);
    if (config.layerNorm && config.layerNormBeforeResidual) y = layerNorm(y, dims[j + 1]);
    if (hasResidual(spec, j)) y = g.op('Add', [y, x]);
    if (config.layerNorm && !config.layerNormBeforeResidual) y = layerNorm(y, dims[j + 1]);
    x = y;
  }
  const projection = g.op('MatMul', [x, weights[L - 1]]);
  // [.., N, 1] → [.., N]: the final projection has one output column (dims end with 1).
  const lastAxis = g.constantInt64('last_axis', [-1]);
  g.op('Squeeze', [projection, lastAxis], undefined, QNET_SCORES);
  g.output(QNET_SCORES, 'float32', [...lead, 'N']);
  return g.toBytes();
}
