import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, GraphBuilder, irVersionForOpset } from '../../../../main/engine/onnx/index.ts';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return { outputs: await session.run(feeds), inputMetadata: session.inputMetadata };
  } finally {
    await session.release();
  }
}

describe('GraphBuilder', () => {
  it('builds a model onnxruntime loads: symbolic input dims, float32 initializers in row-major order', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', ['N', 3]);
    // W is [3][2] row-major: a column swap would change every output below.
    const w = g.initializer('w', { data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [3, 2] });
    const b = g.constant('b', [0.5, -0.5], [2]);
    g.output(g.op('Add', [g.op('MatMul', [x, w]), b], undefined, 'y'), 'float32', ['N', 2]);
    const x0 = new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 1]), [2, 3]);
    const { outputs, inputMetadata } = await run(g.toBytes(), { x: x0 });
    expect(Array.from(outputs.y.data as Float32Array)).toEqual([1.5, 1.5, 8.5, 9.5]);
    expect(outputs.y.dims).toEqual([2, 2]);
    const meta = inputMetadata[0];
    expect(meta.isTensor && meta.shape).toEqual(['N', 3]);
  });

  it('writes int attributes as INT and float attributes as FLOAT, even for whole-number floats', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', 'float32', [2, 2]);
    // alpha 2.0 written as INT would be rejected by onnxruntime's type check for LeakyRelu.
    const leaky = g.op('LeakyRelu', [x], { alpha: { f: 2 } });
    g.output(g.op('Softmax', [leaky], { axis: { i: 0 } }, 'y'), 'float32', [2, 2]);
    const { outputs } = await run(g.toBytes(), {
      x: new ort.Tensor('float32', Float32Array.from([-1, 0, 1, 0]), [2, 2]),
    });
    const y = outputs.y.data as Float32Array;
    // Softmax over axis 0 (columns): column 0 holds leaky(-1) = -2 and 1.
    expect(y[0]).toBeCloseTo(Math.exp(-2) / (Math.exp(-2) + Math.exp(1)), 6);
    expect(y[1]).toBeCloseTo(0.5, 6);
    expect(y[0] + y[2]).toBeCloseTo(1, 6);
  });

  it('stores int64 constants and multiple outputs', async () => {
    const g = new GraphBuilder('shapes');
    const x = g.input('x', 'float32', ['A', 'B']);
    const flat = g.op('Reshape', [x, g.constantInt64('shape', [-1])]);
    const [values, indices] = g.node('TopK', [flat, g.constantInt64('k', [2])], {
      outputs: ['values', 'indices'],
    });
    g.output(values, 'float32', [2]);
    g.output(indices, 'int64', [2]);
    const { outputs } = await run(g.toBytes(), {
      x: new ort.Tensor('float32', Float32Array.from([3, 9, 1, 7]), [2, 2]),
    });
    expect(Array.from(outputs.values.data as Float32Array)).toEqual([9, 7]);
    expect(Array.from(outputs.indices.data as BigInt64Array)).toEqual([1n, 3n]);
  });

  it('writes ints and tensor attributes (Transpose perm, Constant value) and int64 inputs (Gather)', async () => {
    const g = new GraphBuilder('attention-bits');
    const x = g.input('x', 'float32', [2, 3]);
    const ids = g.input('ids', 'int64', ['L']);
    const t = g.op('Transpose', [x], { perm: { ints: [1, 0] } });
    const rows = g.op('Gather', [t, ids], { axis: { i: 0 } });
    const offset = g.op('Constant', [], { value: { t: { data: Float32Array.from([100, 200]), dims: [2] } } });
    g.output(g.op('Add', [rows, offset], undefined, 'y'), 'float32', ['L', 2]);
    const { outputs } = await run(g.toBytes(), {
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
      ids: new ort.Tensor('int64', BigInt64Array.from([2n, 0n]), [2]),
    });
    // xᵀ = [[1,4],[2,5],[3,6]]; rows 2 and 0 are [3,6] and [1,4].
    expect(Array.from(outputs.y.data as Float32Array)).toEqual([103, 206, 101, 204]);
  });

  it('pairs each opset with an IR version onnxruntime accepts (opset 20 Gelu needs IR 9)', async () => {
    expect([17, 18, 19, 20, 21, 23].map(irVersionForOpset)).toEqual([8, 8, 9, 9, 10, 11]);
    const g = new GraphBuilder('gelu', { opset: 20 });
    const x = g.input('x', 'float32', [1]);
    g.output(g.op('Gelu', [x], undefined, 'y'), 'float32', [1]);
    const bytes = g.toBytes();
    const model = decodeModel(bytes);
    expect(Number(model.irVersion)).toBe(9);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 20]]);
    const { outputs } = await run(bytes, { x: new ort.Tensor('float32', Float32Array.from([1]), [1]) });
    expect((outputs.y.data as Float32Array)[0]).toBeCloseTo(0.8413447, 6);
  });

  it('imports a contrib domain when a node uses it', () => {
    const g = new GraphBuilder('contrib');
    const x = g.input('x', 'float32', [2]);
    g.output(g.node('FastGelu', [x], { domain: 'com.microsoft', outputs: ['y'] })[0], 'float32', [2]);
    const model = decodeModel(g.toBytes());
    expect(model.opsetImport.map((o) => o.domain)).toEqual(['', 'com.microsoft']);
    expect(model.graph?.node?.[0].domain).toBe('com.microsoft');
  });

  it('refuses a reused name, a data/dims mismatch and an ambiguous Uint16Array', () => {
    const g = new GraphBuilder('bad');
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/already used/);
    expect(() => g.initializer('w', { data: new Float32Array(5), dims: [2, 3] })).toThrow(
      /hold 6 values, data has 5/,
    );
    expect(() => g.initializer('h', { data: new Uint16Array(1), dims: [1] })).toThrow(/float16/);
    expect(() => new GraphBuilder('empty').toBytes()).toThrow(/no outputs/);
  });

  it('fresh names never collide with explicit ones', () => {
    const g = new GraphBuilder('names');
    g.input('relu_0', 'float32', [1]);
    const y = g.op('Relu', ['relu_0']);
    expect(y).not.toBe('relu_0');
  });
});
