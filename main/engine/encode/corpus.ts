import {
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { encodeHalf } from '../io/float16.ts';
import { canonicalJson, type ModelPackage, sha256Hex } from '../models/index.ts';
import {
  artifactDir,
  bytesPerValue,
  dataFileName,
  EMBEDDING_FORMAT_VERSION,
  type EmbeddingDtype,
  type EmbeddingMeta,
  embeddingKey,
  IDS_FILE,
  META_FILE,
  readEmbeddingMeta,
  writeFileAtomic,
} from './artifact.ts';
import type { DocumentEncoder, EncodedBatch, EncoderRun } from './encoder.ts';
import { type BatchPlan, batchPlan, batchSizeAt } from './plan.ts';
import { ArtifactLock, ProgressLog } from './progress.ts';
import { type CorpusDocument, DOCUMENT_TEXT_FORMAT, documentText } from './text.ts';

/**
 * Corpus encoding into a content-addressed, resumable artifact (artifact.ts, progress.ts). Documents are
 * read in corpus order, in windows of `sortWindow`; inside a window they are sorted by text length and cut
 * into batches, so a batch pads to similar lengths. The batch plan depends only on the corpus and the
 * settings, so a resumed encode feeds the graph exactly the batches a one-shot run would, and the file is
 * bit-identical (padding length changes the last bits of an embedding, so the plan must not change).
 *
 * Batches go to a `DocumentEncoder` (encoder.ts), normally the worker pool, with up to `encoder.inFlight`
 * of them outstanding; each result is written at its corpus offsets when it arrives, in whatever order.
 */

export interface CorpusSource {
  /** Content hash of the documents (ids, titles, texts, order): part of the artifact key. */
  readonly hash: string;
  readonly size: number;
  /** The documents in corpus order; read once per encode, also when resuming. */
  documents(): Iterable<CorpusDocument> | AsyncIterable<CorpusDocument>;
}

export interface EncodeProgress {
  docsDone: number;
  docsTotal: number;
  batchesDone: number;
  batchesTotal: number;
  /** Documents found already encoded when this run started. */
  docsResumed: number;
  /** Documents encoded per second by this run (resumed ones excluded); null before the first batch. */
  docsPerSecond: number | null;
  etaSeconds: number | null;
}

/** What the artifact key needs of a model: its doc maxLength, embedding size and document encoder hash. */
export type DocumentModel = Pick<ModelPackage, 'manifest' | 'documentEncoderHash'>;

export interface EncodeCorpusOptions {
  dataDir: string;
  /** Runs the batches: `pooledEncoder` (the worker pool) or `sessionEncoder` (this thread). */
  encoder: DocumentEncoder;
  corpus: CorpusSource;
  /** Documents per graph run (default 32). */
  batchSize?: number;
  /** Documents sorted by length together (default 8192). */
  sortWindow?: number;
  /** Default: the package's doc maxLength. */
  maxLength?: number;
  dtype?: EmbeddingDtype;
  signal?: AbortSignal;
  onProgress?: (progress: EncodeProgress) => void;
  /** Milliseconds, for docs/s, ETA and commits. */
  clock?: () => number;
  /**
   * Finished batches are made durable (data fdatasync'd, then listed in progress.log) at most this often;
   * a kill loses at most this much work. Default 1000 ms; 0 commits every batch.
   */
  commitIntervalMs?: number;
}

export interface EncodeCorpusResult {
  dir: string;
  meta: EmbeddingMeta;
  /** True when a finished artifact with the same key existed and nothing was encoded. */
  reused: boolean;
  batchesResumed: number;
  batchesEncoded: number;
}

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_SORT_WINDOW = 8192;

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new WorkbenchError('INVALID_ARGUMENT', `${field} must be a whole number ≥ 1 (got ${value})`, {
      field,
    });
  }
  return value;
}

type ArtifactOptions = Pick<EncodeCorpusOptions, 'batchSize' | 'sortWindow' | 'maxLength' | 'dtype'> & {
  model: DocumentModel;
};

export function encodingSettings(options: ArtifactOptions) {
  return {
    maxLength: positive(options.maxLength ?? options.model.manifest.doc.maxLength, 'maxLength'),
    batchSize: positive(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize'),
    sortWindow: positive(options.sortWindow ?? DEFAULT_SORT_WINDOW, 'sortWindow'),
    dtype: options.dtype ?? ('float32' as EmbeddingDtype),
    textFormat: DOCUMENT_TEXT_FORMAT,
  };
}

/** Where `encodeCorpus` with these options writes, e.g. to look for a finished artifact first. */
export function corpusArtifactDir(
  options: ArtifactOptions & Pick<EncodeCorpusOptions, 'dataDir' | 'corpus'>,
): string {
  const settings = encodingSettings(options);
  return artifactDir(
    options.dataDir,
    embeddingKey({
      documentEncoderHash: options.model.documentEncoderHash,
      corpusHash: options.corpus.hash,
      settings,
    }),
  );
}

function cancelled(): WorkbenchError {
  return new WorkbenchError(
    'CANCELLED',
    'Corpus encoding was cancelled; run it again to resume from the last completed batch',
  );
}

/** Orders a window's documents longest first (ties in corpus order), so batches pad little. */
function lengthOrder(texts: readonly string[]): Int32Array {
  const order = Int32Array.from(texts, (_, i) => i);
  return order.sort((a, b) => texts[b].length - texts[a].length || a - b);
}

export async function encodeCorpus(options: EncodeCorpusOptions): Promise<EncodeCorpusResult> {
  const { encoder, corpus } = options;
  const model = encoder.model;
  const settings = encodingSettings({ ...options, model });
  const key = embeddingKey({
    documentEncoderHash: model.documentEncoderHash,
    corpusHash: corpus.hash,
    settings,
  });
  const dir = artifactDir(options.dataDir, key);
  const finished = readEmbeddingMeta(dir);
  if (finished) return { dir, meta: finished, reused: true, batchesResumed: 0, batchesEncoded: 0 };
  if (options.signal?.aborted) throw cancelled();

  const clock = options.clock ?? Date.now;
  const started = clock();
  const createdAt = new Date().toISOString();
  const dim = model.manifest.embeddingDim;
  const rowBytes = dim * bytesPerValue(settings.dtype);
  const plan: BatchPlan = batchPlan(corpus.size, settings.batchSize, settings.sortWindow);
  const planHash = sha256Hex(canonicalJson({ key, size: corpus.size, dim, ...settings }));
  const dataPath = join(dir, dataFileName(settings.dtype));

  mkdirSync(dir, { recursive: true });
  const lock = ArtifactLock.acquire(dir);
  let log: ProgressLog | undefined;
  let dataFd: number | undefined;
  let idsFd: number | undefined;
  try {
    // Earlier progress counts only if the data file it describes is there, whole.
    if (!existsSync(dataPath) || statSync(dataPath).size !== corpus.size * rowBytes) ProgressLog.remove(dir);
    log = ProgressLog.open(dir, planHash, plan.totalBatches);
    dataFd = openSync(dataPath, log.fresh ? 'w+' : 'r+');
    if (log.fresh) ftruncateSync(dataFd, corpus.size * rowBytes);
    const idsPartial = join(dir, `${IDS_FILE}.partial`);
    idsFd = openSync(idsPartial, 'w');

    const batchesResumed = log.completed;
    let docsDone = 0;
    for (let b = 0; b < plan.totalBatches; b++) if (log.done[b]) docsDone += batchSizeAt(plan, b);
    const docsResumed = docsDone;
    let batchesDone = batchesResumed;
    let batchesEncoded = 0;
    const report = () => {
      if (!options.onProgress) return;
      const seconds = (clock() - started) / 1000;
      const rate = docsDone > docsResumed && seconds > 0 ? (docsDone - docsResumed) / seconds : null;
      options.onProgress({
        docsDone,
        docsTotal: corpus.size,
        batchesDone,
        batchesTotal: plan.totalBatches,
        docsResumed,
        docsPerSecond: rate,
        etaSeconds: rate ? (corpus.size - docsDone) / rate : null,
      });
    };
    report();

    const commitIntervalMs = options.commitIntervalMs ?? 1000;
    const pending: number[] = [];
    let lastCommit = clock();
    const commit = () => {
      if (pending.length === 0) return;
      fdatasyncSync(dataFd!);
      log!.markDone(pending);
      pending.length = 0;
      lastCommit = clock();
    };

    const halves = settings.dtype === 'float16' ? new Uint16Array(dim) : undefined;
    /** What really ran the batches (the first result says); the encoder's settings if none ran now. */
    let ran: EncoderRun | undefined;
    const receive = (batch: number, start: number, rows: Int32Array, result: EncodedBatch) => {
      const { vectors } = result;
      if (vectors.length !== rows.length * dim) {
        throw new WorkbenchError(
          'INPUT_INVALID',
          `The doc graph returned ${vectors.length / rows.length} values per document, model.json says ${dim}. Validate the model package`,
          {
            field: 'embeddingDim',
          },
        );
      }
      for (let r = 0; r < rows.length; r++) {
        const row = vectors.subarray(r * dim, (r + 1) * dim);
        const bytes = halves ? encodeHalf(row, halves) : row;
        writeSync(
          dataFd!,
          new Uint8Array(bytes.buffer, bytes.byteOffset, rowBytes),
          0,
          rowBytes,
          (start + rows[r]) * rowBytes,
        );
      }
      ran ??= result.run;
      pending.push(batch);
      if (clock() - lastCommit >= commitIntervalMs) commit();
      batchesDone++;
      batchesEncoded++;
      docsDone += rows.length;
      report();
    };

    // Batches out at the encoder. A result is written whole when it arrives (writes are synchronous), so
    // a cancel or a failure never leaves half a batch behind; the first failure stops new dispatches.
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const dispatch = async (batch: number, start: number, rows: Int32Array, texts: readonly string[]) => {
      while (inFlight.size >= encoder.inFlight) await Promise.race(inFlight);
      if (failure) throw failure.error;
      if (options.signal?.aborted) throw cancelled();
      const task: Promise<void> = encoder
        .encode(
          Array.from(rows, (i) => texts[i]),
          settings.maxLength,
          options.signal,
        )
        .then((result) => receive(batch, start, rows, result))
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    };
    const drain = async () => {
      while (inFlight.size > 0) await Promise.race(inFlight);
    };

    let seen = 0;
    let window: CorpusDocument[] = [];
    const flushWindow = async (w: number) => {
      const start = w * settings.sortWindow;
      let ids = '';
      for (let i = 0; i < window.length; i++) {
        const doc = window[i];
        if (doc.docId.length === 0 || /[\n\r]/.test(doc.docId)) {
          throw new WorkbenchError(
            'INPUT_INVALID',
            `Document ${JSON.stringify(doc.docId)} at position ${start + i} has an empty id or one with a line break. Fix the corpus ids`,
            {
              field: 'docId',
            },
          );
        }
        ids += `${doc.docId}\n`;
      }
      writeSync(idsFd!, ids);
      const first = w * plan.batchesPerWindow;
      const count = Math.ceil(window.length / settings.batchSize);
      let anyLeft = false;
      for (let k = 0; k < count; k++) if (!log!.done[first + k]) anyLeft = true;
      if (!anyLeft) return;
      const texts = window.map(documentText);
      const order = lengthOrder(texts);
      for (let k = 0; k < count; k++) {
        const batch = first + k;
        if (log!.done[batch]) continue;
        const rows = order.subarray(
          k * settings.batchSize,
          Math.min((k + 1) * settings.batchSize, window.length),
        );
        await dispatch(batch, start, rows, texts);
      }
    };

    let w = 0;
    try {
      for await (const doc of corpus.documents()) {
        if (seen >= corpus.size) {
          throw new WorkbenchError(
            'INPUT_INVALID',
            `The corpus yielded more than the ${corpus.size} documents it declared. Re-import the dataset`,
            {
              field: 'size',
            },
          );
        }
        window.push(doc);
        seen++;
        if (window.length === settings.sortWindow) {
          await flushWindow(w++);
          window = [];
        }
      }
      if (window.length > 0) await flushWindow(w);
      await drain();
      if (failure) throw failure.error;
    } catch (err) {
      // Keep what was finished (batches still out, a cancel, a bad document later on): the next run
      // resumes after it.
      await drain();
      try {
        commit();
      } catch {
        // The original error matters more than a failed commit; those batches are simply redone.
      }
      if (options.signal?.aborted) throw cancelled();
      if (err instanceof WorkbenchError && err.code === 'WORKER_CRASHED') {
        const reason = err.details?.reason;
        throw new WorkbenchError(
          'WORKER_CRASHED',
          `Corpus encoding stopped: a worker thread died while encoding a batch${typeof reason === 'string' ? ` (${reason})` : ''} and was replaced. ${log.completed} of ${plan.totalBatches} batches are saved: run the encode again to resume after them`,
          err.details,
        );
      }
      throw err;
    }
    commit();
    if (seen !== corpus.size) {
      throw new WorkbenchError(
        'INPUT_INVALID',
        `The corpus yielded ${seen} documents but declared ${corpus.size}. Re-import the dataset`,
        { field: 'size' },
      );
    }
    if (log.completed !== plan.totalBatches)
      throw new WorkbenchError('INTERNAL', `${plan.totalBatches - log.completed} batches were not encoded`);

    fdatasyncSync(dataFd);
    closeSync(idsFd);
    idsFd = undefined;
    renameSync(idsPartial, join(dir, IDS_FILE));
    const seconds = (clock() - started) / 1000;
    const meta: EmbeddingMeta = {
      formatVersion: EMBEDDING_FORMAT_VERSION,
      key,
      source: 'encoded',
      model: { name: model.manifest.name, documentEncoderHash: model.documentEncoderHash },
      corpus: { hash: corpus.hash, count: corpus.size },
      count: corpus.size,
      dim,
      dtype: settings.dtype,
      dataFile: dataFileName(settings.dtype),
      settings,
      createdAt,
      completedAt: new Date().toISOString(),
      run: {
        ...(ran ?? encoder.run),
        seconds,
        batchesResumed,
        docsPerSecond: seconds > 0 ? (corpus.size - docsResumed) / seconds : null,
      },
    };
    writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    log.close();
    log = undefined;
    ProgressLog.remove(dir);
    return { dir, meta, reused: false, batchesResumed, batchesEncoded };
  } finally {
    log?.close();
    if (dataFd !== undefined) closeSync(dataFd);
    if (idsFd !== undefined) {
      closeSync(idsFd);
      rmSync(join(dir, `${IDS_FILE}.partial`), { force: true });
    }
    lock.release();
  }
}
