import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { readPackage, type WordPieceTokenizer } from '../models/index.ts';
import { createSession, type OnnxSession, type ProviderChoice, type ProviderRequest } from '../onnx/index.ts';
import { type TaskContext, withTransfer } from '../workers/index.ts';
import { encodeBatch } from './batch.ts';

/**
 * Encode tasks for the worker pool. A worker opens a package's document graph and tokenizer on first use
 * and keeps them for every later batch (workers are long-lived); the cache holds the last two encoders
 * (package folder × content hash × provider × threads) and releases older sessions, so switching models
 * during an experiment does not accumulate graphs in memory.
 *
 * Registered in the production worker entry (workers/worker.ts) next to the search tasks.
 */

export interface EncodeDocumentsInput {
  /** The model package folder; its doc graph and tokenizer.json are read by the worker. */
  packageDir: string;
  /** The package's `documentEncoderHash` as the caller saw it: a package changed on disk is refused. */
  documentEncoderHash: string;
  provider: ProviderRequest;
  intraOpNumThreads: number;
  interOpNumThreads: number;
  texts: string[];
  maxLength: number;
}

/** One batch's embeddings [texts.length × D] and what really ran them. */
export interface EncodedDocuments extends ProviderChoice {
  vectors: Float32Array;
}

interface DocumentEncoderSession {
  doc: OnnxSession;
  tokenizer: WordPieceTokenizer;
}

const CACHED_ENCODERS = 2;
const encoders = new Map<string, Promise<DocumentEncoderSession>>();

async function openEncoder(input: EncodeDocumentsInput): Promise<DocumentEncoderSession> {
  const pkg = readPackage(input.packageDir);
  if (pkg.documentEncoderHash !== input.documentEncoderHash) {
    throw new WorkbenchError(
      'CONFLICT',
      `${input.packageDir}: the package's document encoder changed on disk while it was being used. Run the encode again`,
      { file: input.packageDir },
    );
  }
  const path = join(pkg.dir, pkg.manifest.doc.file);
  const doc = await createSession(path, {
    provider: input.provider,
    threads: { intraOpNumThreads: input.intraOpNumThreads, interOpNumThreads: input.interOpNumThreads },
    label: path,
  });
  return { doc, tokenizer: pkg.tokenizer };
}

function encoderFor(input: EncodeDocumentsInput): Promise<DocumentEncoderSession> {
  const key = JSON.stringify([
    input.packageDir,
    input.documentEncoderHash,
    input.provider,
    input.intraOpNumThreads,
    input.interOpNumThreads,
  ]);
  let encoder = encoders.get(key);
  if (encoder) {
    encoders.delete(key);
    encoders.set(key, encoder);
    return encoder;
  }
  encoder = openEncoder(input);
  // A failed open is not kept: the next task tries again (and reports the problem again).
  encoder.catch(() => encoders.delete(key));
  encoders.set(key, encoder);
  for (const [oldKey, old] of encoders) {
    if (encoders.size <= CACHED_ENCODERS) break;
    encoders.delete(oldKey);
    old.then(
      (e) => e.doc.session.release(),
      () => undefined,
    );
  }
  return encoder;
}

export const encodeTasks = {
  /** Tokenises and encodes one batch of document texts; the rows come back as a transferred buffer. */
  async encodeDocuments(input: EncodeDocumentsInput, ctx: TaskContext): Promise<EncodedDocuments> {
    const { doc, tokenizer } = await encoderFor(input);
    if (ctx.signal.aborted) throw new WorkbenchError('CANCELLED', 'document encoding was cancelled');
    let vectors = await encodeBatch(doc.session, tokenizer, input.texts, input.maxLength);
    // Only a buffer the rows own whole can be transferred without sending other data along.
    if (vectors.byteOffset !== 0 || vectors.byteLength !== vectors.buffer.byteLength)
      vectors = vectors.slice();
    const { session: _session, ...choice } = doc;
    return withTransfer({ vectors, ...choice }, [vectors.buffer as ArrayBuffer]);
  },
};

export type EncodeTasks = typeof encodeTasks;
