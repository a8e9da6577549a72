import { endianness } from 'node:os';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * A small builder for ONNX graphs written in TypeScript: tiny test model packages, the q-net scorer and
 * benchmark graphs are generated in code rather than shipped as binary files, so their semantics stay
 * reviewable. It writes an ONNX ModelProto (onnx-proto, IR 8+) that `InferenceSession.create(bytes)` loads.
 */

/** Element types the builder writes; names follow onnxruntime's `Tensor.Type`. */
export type ElementType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** A dimension: a fixed size, or a symbolic name (e.g. 'N' documents) bound when the session runs. */
export type Dim = number | string;

/** Tensor data for initializers and tensor attributes. float16 data is IEEE half bits in a Uint16Array. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int8Array
  | Uint8Array;

export interface TensorInit {
  data: TensorArray;
  dims: readonly number[];
  /** Needed only where the array class is ambiguous: Uint8Array as 'bool', Uint16Array as 'float16'. */
  type?: ElementType;
}

/** A node attribute, tagged with its ONNX type because a JavaScript number cannot tell 1 from 1.0. */
export type Attribute =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { strings: readonly string[] }
  | { t: TensorInit };

export interface BuildOptions {
  /** Default-domain opset; 17 is the first with LayerNormalization. */
  opset?: number;
  producerName?: string;
  docString?: string;
}

const DATA_TYPE: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

export const DEFAULT_OPSET = 17;

/**
 * The IR version that goes with an opset (onnx/docs/Versioning.md): IR 8 up to opset 18, 9 for 19–20,
 * 10 for 21–22, 11 from 23. onnxruntime rejects an IR version older than the opset needs.
 */
export function irVersionForOpset(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

function inferType(data: TensorArray, declared: ElementType | undefined): ElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) {
    if (declared !== 'float16') throw new Error('A Uint16Array tensor must declare type "float16"');
    return 'float16';
  }
  return declared === 'bool' ? 'bool' : 'uint8';
}

/** Serialises tensor data as ONNX raw_data: a byte view of the array, no copy (ONNX raw_data is little-endian). */
export function tensorProto(name: string, init: TensorInit): onnxProto.onnx.ITensorProto {
  if (endianness() !== 'LE') throw new Error('ONNX raw_data is little-endian; this platform is big-endian');
  const count = init.dims.reduce((a, b) => a * b, 1);
  if (count !== init.data.length) {
    throw new Error(
      `Tensor "${name}": dims [${init.dims.join(', ')}] hold ${count} values, data has ${init.data.length}`,
    );
  }
  const type = inferType(init.data, init.type);
  return {
    name,
    dims: [...init.dims],
    dataType: DATA_TYPE[type],
    rawData: new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength),
  };
}

function attributeProto(name: string, value: Attribute): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in value) return { name, type: T.INT, i: value.i };
  if ('f' in value) return { name, type: T.FLOAT, f: value.f };
  if ('s' in value) return { name, type: T.STRING, s: new TextEncoder().encode(value.s) };
  if ('ints' in value) return { name, type: T.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: T.FLOATS, floats: [...value.floats] };
  if ('strings' in value)
    return { name, type: T.STRINGS, strings: value.strings.map((s) => new TextEncoder().encode(s)) };
  return { name, type: T.TENSOR, t: tensorProto(name, value.t) };
}

function valueInfo(name: string, type: ElementType, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly domains = new Map<string, number>();
  private counter = 0;
  readonly opset: number;

  constructor(
    readonly name: string,
    private readonly options: BuildOptions = {},
  ) {
    this.opset = options.opset ?? DEFAULT_OPSET;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`Graph "${this.name}": the name "${name}" is already used`);
    this.names.add(name);
    return name;
  }

  /** A fresh value name with a readable prefix, never clashing with names given explicitly. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.names.has(name));
    return name;
  }

  /** Declares a graph input; symbolic dims (strings) stay free until the session runs. */
  input(name: string, type: ElementType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, dims));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, type: ElementType, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** A constant tensor stored in the model (weights, shapes, scale vectors). */
  initializer(name: string, init: TensorInit): string {
    this.initializers.push(tensorProto(this.claim(name), init));
    return name;
  }

  /** A float32 constant with a generated name. */
  constant(prefix: string, data: Float32Array | number[], dims: readonly number[]): string {
    const array = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.initializer(this.fresh(prefix), { data: array, dims });
  }

  /** An int64 constant (shapes, axes) with a generated name. */
  constantInt64(prefix: string, values: readonly number[]): string {
    return this.initializer(this.fresh(prefix), {
      data: BigInt64Array.from(values.map(BigInt)),
      dims: [values.length],
    });
  }

  /**
   * Adds a node and returns its output names. `outputs` gives names, or a count of outputs to name
   * automatically. An empty input name marks an omitted optional input, as in ONNX.
   */
  node(
    opType: string,
    inputs: readonly string[],
    options: {
      outputs?: readonly string[] | number;
      attributes?: Record<string, Attribute>;
      domain?: string;
      name?: string;
    } = {},
  ): string[] {
    const outputs =
      typeof options.outputs === 'object'
        ? options.outputs.map((n) => this.claim(n))
        : Array.from({ length: options.outputs ?? 1 }, () => this.claim(this.fresh(opType.toLowerCase())));
    const domain = options.domain ?? '';
    if (domain !== '' && !this.domains.has(domain)) this.domains.set(domain, 1);
    this.nodes.push({
      name: options.name ?? this.fresh(`${opType}_node`),
      opType,
      domain,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(options.attributes ?? {}).map(([k, v]) => attributeProto(k, v)),
    });
    return outputs;
  }

  /** A single-output node: `g.op('MatMul', [x, w])`. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes?: Record<string, Attribute>,
    output?: string,
  ): string {
    return this.node(opType, inputs, { attributes, outputs: output === undefined ? 1 : [output] })[0];
  }

  /** Imports a non-default operator domain (e.g. 'com.microsoft') at a given version. */
  importDomain(domain: string, version: number): void {
    this.domains.set(domain, version);
  }

  toModel(): onnxProto.onnx.IModelProto {
    if (this.outputs.length === 0) throw new Error(`Graph "${this.name}" has no outputs`);
    return {
      irVersion: irVersionForOpset(this.opset),
      producerName: this.options.producerName ?? 'hypencoder-workbench',
      docString: this.options.docString ?? '',
      opsetImport: [
        { domain: '', version: this.opset },
        ...[...this.domains].map(([domain, version]) => ({ domain, version })),
      ],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    };
  }

  /** The serialised model, ready for `InferenceSession.create(bytes)` or writing as a `.onnx` file. */
  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(onnx.ModelProto.create(this.toModel())).finish();
  }
}

/** Decodes model bytes, e.g. to check what a generated or imported file declares. */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
