import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../errors.ts';
import { qnetBiasName, qnetWeightName } from '../qnet/index.ts';
import type { ModelManifest } from './manifest.ts';
import type { TokenBatch } from './tokenizer.ts';

/**
 * The ONNX I/O contract of a package (README.md): inputs `input_ids` and `attention_mask` int64 [B, L];
 * every doc graph and a bi-encoder's query graph output `embedding` float32 [B, D]; a Hypencoder's query
 * graph outputs `qnet_w{j}` [B, d_j, d_{j+1}] and `qnet_b{j}` [B, d_{j+1}].
 */

export const INPUT_IDS = 'input_ids';
export const ATTENTION_MASK = 'attention_mask';
export const EMBEDDING = 'embedding';

export type GraphRole = 'query' | 'doc';

/** An output the contract expects; `null` dims are the batch, whose size the probe fixes. */
export interface ExpectedOutput {
  name: string;
  dims: readonly (number | null)[];
}

export function expectedOutputs(manifest: ModelManifest, role: GraphRole): ExpectedOutput[] {
  if (role === 'doc' || manifest.kind === 'biencoder')
    return [{ name: EMBEDDING, dims: [null, manifest.embeddingDim] }];
  const dims = manifest.qnet!.dims;
  const out: ExpectedOutput[] = [];
  for (let j = 0; j + 1 < dims.length; j++)
    out.push({ name: qnetWeightName(j), dims: [null, dims[j], dims[j + 1]] });
  for (let j = 0; j + 2 < dims.length; j++) out.push({ name: qnetBiasName(j), dims: [null, dims[j + 1]] });
  return out;
}

const shapeText = (dims: readonly (number | string | null)[]): string =>
  `[${dims.map((d) => (d === null ? 'B' : String(d))).join(', ')}]`;

function contractError(file: string, field: string, problem: string, hint: string): WorkbenchError {
  return new WorkbenchError('INPUT_INVALID', `${file}: ${problem}. ${hint}`, { file, field });
}

/**
 * Checks declared names, element types and the dims the graph fixes. Symbolic dims pass here; the probe
 * run checks the shapes the graph really produces.
 */
export function checkDeclaredIo(
  session: ort.InferenceSession,
  file: string,
  expected: readonly ExpectedOutput[],
): void {
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
  for (const name of [INPUT_IDS, ATTENTION_MASK]) {
    const meta = inputs.get(name);
    if (!meta) {
      throw contractError(
        file,
        name,
        `the graph has no input "${name}" (it declares ${[...inputs.keys()].map((n) => `"${n}"`).join(', ') || 'none'})`,
        `Re-export it with inputs "${INPUT_IDS}" and "${ATTENTION_MASK}", int64 [batch, sequence]`,
      );
    }
    if (meta.isTensor && (meta.type !== 'int64' || (meta.shape.length !== 0 && meta.shape.length !== 2))) {
      throw contractError(
        file,
        name,
        `input "${name}" is ${meta.type} ${shapeText(meta.shape)}, not int64 [B, L]`,
        'Re-export it with int64 [batch, sequence] inputs',
      );
    }
  }
  for (const name of inputs.keys()) {
    if (name !== INPUT_IDS && name !== ATTENTION_MASK) {
      throw contractError(
        file,
        name,
        `the graph needs an input "${name}" that the package contract does not feed`,
        name === 'token_type_ids'
          ? 'For single sequences token_type_ids are all zero: re-export with that input folded into the graph'
          : `Re-export it with only "${INPUT_IDS}" and "${ATTENTION_MASK}" as inputs`,
      );
    }
  }
  const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
  for (const want of expected) {
    const meta = outputs.get(want.name);
    if (!meta) {
      throw contractError(
        file,
        want.name,
        `the graph has no output "${want.name}" (it declares ${[...outputs.keys()].map((n) => `"${n}"`).join(', ') || 'none'})`,
        `model.json expects ${want.name} ${shapeText(want.dims)}: fix the manifest or re-export the graph`,
      );
    }
    if (!meta.isTensor) continue;
    if (meta.type !== 'float32') {
      throw contractError(
        file,
        want.name,
        `output "${want.name}" is ${meta.type}, not float32`,
        'Re-export with float32 outputs (cast inside the graph)',
      );
    }
    if (meta.shape.length === 0) continue;
    const mismatch =
      meta.shape.length !== want.dims.length ||
      want.dims.some((d, i) => d !== null && typeof meta.shape[i] === 'number' && meta.shape[i] !== d);
    if (mismatch) {
      throw contractError(
        file,
        want.name,
        `output "${want.name}" is declared ${shapeText(meta.shape)} but model.json implies ${shapeText(want.dims)}`,
        'Make model.json (embeddingDim, qnet.dims) agree with the graph',
      );
    }
  }
}

/** What one probe run produced: each output's shape. */
export type ProbeShapes = Record<string, number[]>;

/** Runs a batch through the graph and checks every expected output's exact shape and that it is finite. */
export async function probe(
  session: ort.InferenceSession,
  file: string,
  batch: TokenBatch,
  expected: readonly ExpectedOutput[],
): Promise<ProbeShapes> {
  const feeds = {
    [INPUT_IDS]: new ort.Tensor('int64', batch.inputIds, [batch.batchSize, batch.length]),
    [ATTENTION_MASK]: new ort.Tensor('int64', batch.attentionMask, [batch.batchSize, batch.length]),
  };
  let result: ort.InferenceSession.OnnxValueMapType;
  try {
    result = await session.run(
      feeds,
      expected.map((e) => e.name),
    );
  } catch (err) {
    throw contractError(
      file,
      '',
      `a probe run of ${batch.batchSize} × ${batch.length} tokens failed: ${(err as Error).message.split('\n')[0]}`,
      'Check that the graph accepts any batch size and sequence lengths up to maxLength (position embeddings)',
    );
  }
  const shapes: ProbeShapes = {};
  for (const want of expected) {
    const tensor = result[want.name];
    const dims = want.dims.map((d) => (d === null ? batch.batchSize : d));
    const got = [...tensor.dims];
    if (got.length !== dims.length || got.some((d, i) => d !== dims[i])) {
      throw contractError(
        file,
        want.name,
        `output "${want.name}" came out ${shapeText(got)} for a batch of ${batch.batchSize}, but model.json implies ${shapeText(dims)}`,
        'Make model.json (embeddingDim, qnet.dims) agree with the graph',
      );
    }
    const data = tensor.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw contractError(
          file,
          want.name,
          `output "${want.name}" holds ${data[i]} for the probe input`,
          'The exported weights are broken; re-export the model',
        );
      }
    }
    shapes[want.name] = got;
  }
  return shapes;
}
