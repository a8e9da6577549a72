import { WorkbenchError } from '../errors.ts';
import type { ModelRuntime, TokenBatch } from '../models/index.ts';
import { type QnetParams, type QnetSpec, qnetBiasName, qnetWeightName, queryCount } from '../qnet/index.ts';
import { embeddingOf, runTokenBatch } from './batch.ts';

/**
 * Query encoding. A bi-encoder gives one embedding per query; a Hypencoder gives each query's q-net
 * parameters, laid out as main/engine/qnet expects (`qnet_w{j}` [B, d_j, d_{j+1}], `qnet_b{j}` [B, d_{j+1}]),
 * so the scorer consumes the graph's outputs without copying.
 */

export type QueryEncoding =
  | { kind: 'biencoder'; count: number; dim: number; embeddings: Float32Array }
  | { kind: 'hypencoder'; count: number; spec: QnetSpec; params: QnetParams };

export type QueryModel = Pick<ModelRuntime, 'manifest' | 'tokenizer' | 'query'>;

/** Tokenises queries as the query graph expects them (query maxLength unless given). */
export function tokenizeQueries(
  model: QueryModel,
  texts: readonly string[],
  maxLength = model.manifest.query.maxLength,
): TokenBatch {
  return model.tokenizer.batch(texts, maxLength);
}

/** Runs an already tokenised batch: lets latency measurements time tokenisation and the graph apart. */
export async function runQueryEncoder(model: QueryModel, batch: TokenBatch): Promise<QueryEncoding> {
  const { manifest } = model;
  const session = model.query.session;
  if (manifest.kind === 'biencoder') {
    const embeddings = embeddingOf(await runTokenBatch(session, batch, ['embedding']), batch.batchSize);
    return { kind: 'biencoder', count: batch.batchSize, dim: manifest.embeddingDim, embeddings };
  }
  const spec = manifest.qnet!;
  const L = spec.dims.length - 1;
  const weightNames = Array.from({ length: L }, (_, j) => qnetWeightName(j));
  const biasNames = Array.from({ length: L - 1 }, (_, j) => qnetBiasName(j));
  const result = await runTokenBatch(session, batch, [...weightNames, ...biasNames]);
  const data = (name: string): Float32Array => {
    const tensor = result[name];
    if (tensor?.type !== 'float32') {
      throw new WorkbenchError(
        'INPUT_INVALID',
        `The query graph's "${name}" output is not float32. Validate the model package`,
        { field: name },
      );
    }
    return tensor.data as Float32Array;
  };
  const params: QnetParams = { weights: weightNames.map(data), biases: biasNames.map(data) };
  // Checks every array's length against the dims: a graph that disagrees with model.json fails here, not in scoring.
  const count = queryCount(spec, params);
  if (count !== batch.batchSize) {
    throw new WorkbenchError(
      'INPUT_INVALID',
      `The query graph returned q-nets for ${count} queries, ${batch.batchSize} were given. Validate the model package`,
      {
        field: 'qnet_w0',
      },
    );
  }
  return { kind: 'hypencoder', count, spec, params };
}

export async function encodeQueries(
  model: QueryModel,
  texts: readonly string[],
  maxLength?: number,
): Promise<QueryEncoding> {
  if (texts.length === 0)
    throw new WorkbenchError('INVALID_ARGUMENT', 'No queries to encode', { field: 'queries' });
  return runQueryEncoder(model, tokenizeQueries(model, texts, maxLength));
}
