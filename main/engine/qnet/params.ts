import { WorkbenchError } from '../errors.ts';
import { layerCount, type QnetSpec } from './spec.ts';

/**
 * One or more queries' q-net parameters, laid out as the hypernetwork emits them (DESIGN.md §3:
 * `qnet_w{j}` [B, d_j, d_{j+1}] already transposed to input × output, `qnet_b{j}` [B, d_{j+1}]), so a
 * query encoder's outputs are scored without copying. For one query B = 1 and the arrays are
 * simply W_j row-major [d_j][d_{j+1}] and b_j [d_{j+1}].
 */
export interface QnetParams {
  /** L matrices; weights[j] holds queries × d_j × d_{j+1} values. */
  weights: readonly Float32Array[];
  /** L − 1 vectors (no bias on the final projection); biases[j] holds queries × d_{j+1} values. */
  biases: readonly Float32Array[];
}

/** How many queries `params` holds for `spec`, after checking every array's length against the dims. */
export function queryCount(spec: QnetSpec, params: QnetParams): number {
  const L = layerCount(spec);
  const { dims } = spec;
  if (params.weights.length !== L || params.biases.length !== L - 1) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `q-net with dims [${dims.join(', ')}] needs ${L} weight matrices and ${L - 1} bias vectors, got ${params.weights.length} and ${params.biases.length}`,
      { field: 'qnet' },
    );
  }
  const per = dims[0] * dims[1];
  const queries = params.weights[0].length / per;
  if (!Number.isInteger(queries) || queries < 1) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `qnet_w0 has ${params.weights[0].length} values, not a multiple of ${dims[0]}×${dims[1]}`,
      {
        field: 'qnet_w0',
      },
    );
  }
  for (let j = 0; j < L; j++) {
    const want = queries * dims[j] * dims[j + 1];
    if (params.weights[j].length !== want) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `qnet_w${j} has ${params.weights[j].length} values; ${queries} × ${dims[j]} × ${dims[j + 1]} = ${want} expected`,
        {
          field: `qnet_w${j}`,
        },
      );
    }
    if (j < L - 1 && params.biases[j].length !== queries * dims[j + 1]) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `qnet_b${j} has ${params.biases[j].length} values; ${queries} × ${dims[j + 1]} expected`,
        {
          field: `qnet_b${j}`,
        },
      );
    }
  }
  return queries;
}

/** The parameters of query q within a batch, as views (no copy). */
export function queryParams(spec: QnetSpec, params: QnetParams, q: number): QnetParams {
  const { dims } = spec;
  return {
    weights: params.weights.map((w, j) =>
      w.subarray(q * dims[j] * dims[j + 1], (q + 1) * dims[j] * dims[j + 1]),
    ),
    biases: params.biases.map((b, j) => b.subarray(q * dims[j + 1], (q + 1) * dims[j + 1])),
  };
}
