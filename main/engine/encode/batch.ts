import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../errors.ts';
import {
  ATTENTION_MASK,
  EMBEDDING,
  INPUT_IDS,
  type TokenBatch,
  type WordPieceTokenizer,
} from '../models/index.ts';

/**
 * One batch through an encoder graph. Kept free of files and state so that a worker thread holding its
 * own session can call it as is.
 */

/** Runs a tokenised batch and returns the requested outputs. */
export async function runTokenBatch(
  session: ort.InferenceSession,
  batch: TokenBatch,
  outputs: readonly string[],
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const dims = [batch.batchSize, batch.length];
  return session.run(
    {
      [INPUT_IDS]: new ort.Tensor('int64', batch.inputIds, dims),
      [ATTENTION_MASK]: new ort.Tensor('int64', batch.attentionMask, dims),
    },
    [...outputs],
  );
}

/** The `embedding` output as a Float32Array [B × D], checked against the batch size. */
export function embeddingOf(
  result: ort.InferenceSession.OnnxValueMapType,
  batchSize: number,
  output = EMBEDDING,
): Float32Array {
  const tensor = result[output];
  if (tensor?.type !== 'float32' || tensor.dims.length !== 2 || tensor.dims[0] !== batchSize) {
    throw new WorkbenchError(
      'INPUT_INVALID',
      `The encoder's "${output}" output is ${tensor ? `${tensor.type} [${tensor.dims.join(', ')}]` : 'missing'}, not float32 [${batchSize}, D]. Validate the model package`,
      { field: output },
    );
  }
  return tensor.data as Float32Array;
}

/**
 * Tokenises `texts` (truncated to maxLength, padded to the longest) and returns their embeddings,
 * row-major [texts.length × D].
 */
export async function encodeBatch(
  session: ort.InferenceSession,
  tokenizer: WordPieceTokenizer,
  texts: readonly string[],
  maxLength: number,
  output = EMBEDDING,
): Promise<Float32Array> {
  if (texts.length === 0) return new Float32Array(0);
  const batch = tokenizer.batch(texts, maxLength);
  return embeddingOf(await runTokenBatch(session, batch, [output]), texts.length, output);
}
