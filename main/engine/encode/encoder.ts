import { availableParallelism } from 'node:os';
import { WorkbenchError } from '../errors.ts';
import type { ModelPackage, ModelRuntime } from '../models/index.ts';
import type { ProviderRequest, ThreadSettings } from '../onnx/index.ts';
import type { WorkerPool } from '../workers/index.ts';
import { encodeBatch } from './batch.ts';
import type { EncodeTasks } from './tasks.ts';

/**
 * Where the batches of a corpus encode run. `pooledEncoder` sends each batch to a worker of the pool (the
 * workers open the package's doc graph once and keep it); `sessionEncoder` runs them in the calling thread
 * on a session it already holds. Both feed the graph the same batches, so both write the same bits: thread
 * counts split the GEMMs' output rows and columns, never their sums (checked by the tests).
 */

/** What ran a batch: recorded in the artifact's meta.json. `workers: 0` is the calling thread. */
export interface EncoderRun {
  provider: string;
  requested?: string;
  intraOpNumThreads: number;
  interOpNumThreads: number;
  workers: number;
  notice?: string;
}

export interface EncodedBatch {
  /** [texts.length × D], row-major. */
  vectors: Float32Array;
  run: EncoderRun;
}

export interface DocumentEncoder {
  /** What the embeddings depend on: part of the artifact key. */
  readonly model: Pick<ModelPackage, 'manifest' | 'documentEncoderHash'>;
  /** Batches handed out at once: enough to keep every worker busy while results are written. */
  readonly inFlight: number;
  /** The settings batches will run with (each result reports what really ran). */
  readonly run: EncoderRun;
  encode(texts: string[], maxLength: number, signal?: AbortSignal): Promise<EncodedBatch>;
}

/** Most encode workers a pool gets by default: each holds its own copy of the doc graph (BERT-base ≈ 0.4 GB). */
export const MAX_ENCODE_WORKERS = 4;

/**
 * The default number of encode workers: on the CPU up to `MAX_ENCODE_WORKERS`, one per core; on a GPU
 * provider one, since the device, not the threads, does the work.
 */
export function encodeWorkers(provider: ProviderRequest = 'cpu', cores = availableParallelism()): number {
  return provider === 'cpu' ? Math.max(1, Math.min(MAX_ENCODE_WORKERS, cores)) : 1;
}

export interface PooledEncoderOptions {
  provider?: ProviderRequest;
  /** Per worker; default: intra-op max(1, ⌊cores / workers⌋), inter-op 1, so the pool fills the machine. */
  threads?: ThreadSettings;
  /** Default 2 × the pool's workers. */
  inFlight?: number;
  cores?: number;
}

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new WorkbenchError('INVALID_ARGUMENT', `${field} must be a whole number ≥ 1 (got ${value})`, {
      field,
    });
  }
  return value;
}

/** Batches encoded by the pool's workers, from the package folder (the workers read it themselves). */
export function pooledEncoder(
  pool: WorkerPool<EncodeTasks>,
  model: Pick<ModelPackage, 'dir' | 'manifest' | 'documentEncoderHash'>,
  options: PooledEncoderOptions = {},
): DocumentEncoder {
  const cores = options.cores ?? availableParallelism();
  const provider = options.provider ?? 'cpu';
  const intraOpNumThreads = positive(
    options.threads?.intraOpNumThreads || Math.max(1, Math.floor(cores / pool.size)),
    'intraOpNumThreads',
  );
  const interOpNumThreads = positive(options.threads?.interOpNumThreads || 1, 'interOpNumThreads');
  return {
    model,
    inFlight: positive(options.inFlight ?? 2 * pool.size, 'inFlight'),
    run: { provider, intraOpNumThreads, interOpNumThreads, workers: pool.size },
    async encode(texts, maxLength, signal) {
      const out = await pool.run(
        'encodeDocuments',
        {
          packageDir: model.dir,
          documentEncoderHash: model.documentEncoderHash,
          provider,
          intraOpNumThreads,
          interOpNumThreads,
          texts,
          maxLength,
        },
        { signal },
      );
      const { vectors, ...choice } = out;
      return { vectors, run: { ...choice, workers: pool.size } };
    },
  };
}

/** Batches encoded one at a time in the calling thread, on the model's open doc session. */
export function sessionEncoder(
  model: Pick<ModelRuntime, 'manifest' | 'tokenizer' | 'doc' | 'documentEncoderHash'>,
): DocumentEncoder {
  const { session, ...choice } = model.doc;
  const run: EncoderRun = { ...choice, workers: 0 };
  return {
    model,
    inFlight: 1,
    run,
    async encode(texts, maxLength) {
      return { vectors: await encodeBatch(session, model.tokenizer, texts, maxLength), run };
    },
  };
}
