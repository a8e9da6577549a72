import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { inputError, WorkbenchError } from '../errors.ts';
import { readLines } from '../io/lines.ts';
import { readNpyHeader } from '../io/npy.ts';
import type { ModelPackage } from '../models/index.ts';
import {
  artifactDir,
  dataFileName,
  EMBEDDING_FORMAT_VERSION,
  type EmbeddingMeta,
  embeddingKey,
  embeddingsRoot,
  IDS_FILE,
  META_FILE,
  readEmbeddingMeta,
  writeFileAtomic,
} from './artifact.ts';

/**
 * Imports document embeddings computed elsewhere (DESIGN.md §9: `.npy` float32/float16 plus an id list)
 * as an artifact of a model and a corpus. Rows are reordered into corpus order; the file must cover the
 * corpus exactly and match the model's dimension. Everything is written into a hidden folder and renamed
 * into place only when complete, so an error leaves nothing registered.
 */

export interface PrecomputedImportOptions {
  dataDir: string;
  npyPath: string;
  /** One document id per line, row i of the array belonging to line i. */
  idsPath: string;
  model: Pick<ModelPackage, 'manifest' | 'documentEncoderHash'>;
  /** The corpus the embeddings are for: its hash and its ids in corpus order. */
  corpus: { hash: string; ids: readonly string[] };
  signal?: AbortSignal;
}

export interface PrecomputedImportResult {
  dir: string;
  meta: EmbeddingMeta;
  /** Whether the file's row order differed from the corpus order. */
  reordered: boolean;
  /** True when the same file had been imported for this model and corpus before. */
  reused: boolean;
}

/** Maps each line of the ids file to a corpus position; every corpus id exactly once. */
async function readIdPositions(
  idsPath: string,
  corpusIds: readonly string[],
  rows: number,
  signal?: AbortSignal,
): Promise<{ positions: Int32Array; sha256: string }> {
  const fail = (line: number | undefined, problem: string, hint: string) =>
    new WorkbenchError('INPUT_INVALID', `${idsPath}${line ? `:${line}` : ''}: ${problem}. ${hint}`, {
      file: idsPath,
      ...(line ? { line } : {}),
    });
  const index = new Map<string, number>();
  for (let i = 0; i < corpusIds.length; i++) index.set(corpusIds[i], i);
  const positions = new Int32Array(rows);
  const firstLine = new Int32Array(corpusIds.length);
  const hash = createHash('sha256');
  let count = 0;
  let blankAt = 0;
  for await (const { lineNo, text } of readLines(idsPath, { signal })) {
    hash.update(`${text}\n`);
    if (text.length === 0) {
      blankAt ||= lineNo;
      continue;
    }
    if (blankAt) throw fail(blankAt, 'empty line', 'Give one document id per line, no blank lines');
    const position = index.get(text);
    if (position === undefined) {
      throw fail(
        lineNo,
        `document id ${JSON.stringify(text)} is not in the corpus`,
        'The ids must be the corpus ids of the dataset the embeddings were computed for',
      );
    }
    if (firstLine[position] !== 0)
      throw fail(
        lineNo,
        `document id ${JSON.stringify(text)} repeats line ${firstLine[position]}`,
        'Each document must appear once',
      );
    firstLine[position] = lineNo;
    if (count < rows) positions[count] = position;
    count++;
  }
  if (count !== rows) {
    throw fail(
      undefined,
      `${count} ids for ${rows} rows in the .npy file`,
      'Give exactly one id per row, in row order',
    );
  }
  return { positions, sha256: hash.digest('hex') };
}

export async function importPrecomputedEmbeddings(
  options: PrecomputedImportOptions,
): Promise<PrecomputedImportResult> {
  const { npyPath, model, corpus } = options;
  const header = readNpyHeader(npyPath);
  if (header.shape.length !== 2) {
    throw inputError(
      'INPUT_INVALID',
      { file: npyPath, line: 1, field: 'shape' },
      `the array has shape (${header.shape.join(', ')}), not [documents, dimensions]`,
      'Save a 2-D array, one row per document',
    );
  }
  const [rows, dim] = header.shape;
  if (dim !== model.manifest.embeddingDim) {
    throw new WorkbenchError(
      'INPUT_INVALID',
      `${npyPath}: ${dim}-dimensional embeddings, but model "${model.manifest.name}" has embeddingDim ${model.manifest.embeddingDim}. Import embeddings computed with this model's document encoder, or choose the model they came from`,
      { file: npyPath, field: 'shape' },
    );
  }
  if (rows !== corpus.ids.length) {
    throw new WorkbenchError(
      'INPUT_INVALID',
      `${npyPath}: ${rows} rows, but the corpus has ${corpus.ids.length} documents. The embeddings must cover exactly the corpus, one row per document`,
      { file: npyPath, field: 'shape' },
    );
  }
  const { positions, sha256: idsSha256 } = await readIdPositions(
    options.idsPath,
    corpus.ids,
    rows,
    options.signal,
  );

  const root = embeddingsRoot(options.dataDir);
  mkdirSync(root, { recursive: true });
  const staging = join(root, `.import-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging);
  const rowBytes = dim * header.bytesPerValue;
  const dataFile = dataFileName(header.dtype);
  let inFd: number | undefined;
  let outFd: number | undefined;
  try {
    inFd = openSync(npyPath, 'r');
    outFd = openSync(join(staging, dataFile), 'w');
    ftruncateSync(outFd, rows * rowBytes);
    const hash = createHash('sha256');
    const head = Buffer.alloc(header.dataOffset);
    readSync(inFd, head, 0, head.length, 0);
    hash.update(head);
    const chunkRows = Math.max(1, Math.floor((8 << 20) / rowBytes));
    const chunk = Buffer.alloc(chunkRows * rowBytes);
    let reordered = false;
    for (let first = 0; first < rows; first += chunkRows) {
      if (options.signal?.aborted)
        throw new WorkbenchError('CANCELLED', `${npyPath}: import cancelled; nothing was registered`);
      const n = Math.min(chunkRows, rows - first);
      const bytes = n * rowBytes;
      for (let at = 0; at < bytes; ) {
        const got = readSync(inFd, chunk, at, bytes - at, header.dataOffset + first * rowBytes + at);
        if (got === 0)
          throw new WorkbenchError('INPUT_INVALID', `${npyPath}: ended early. Copy the file again`, {
            file: npyPath,
          });
        at += got;
      }
      hash.update(chunk.subarray(0, bytes));
      checkFinite(chunk.subarray(0, bytes), header.dtype, first, dim, npyPath);
      for (let r = 0; r < n; r++) {
        const position = positions[first + r];
        if (position !== first + r) reordered = true;
        writeSync(outFd, chunk, r * rowBytes, rowBytes, position * rowBytes);
      }
    }
    fdatasyncSync(outFd);
    writeFileSync(join(staging, IDS_FILE), corpus.ids.length ? `${corpus.ids.join('\n')}\n` : '');
    const settings = {
      source: 'precomputed',
      file: npyPath,
      sha256: hash.digest('hex'),
      idsFile: options.idsPath,
      idsSha256,
      dtype: header.dtype,
    };
    const key = embeddingKey({
      documentEncoderHash: model.documentEncoderHash,
      corpusHash: corpus.hash,
      // The paths are where it came from, not what it is: only content goes into the key.
      settings: { source: 'precomputed', sha256: settings.sha256, idsSha256 },
    });
    const now = new Date().toISOString();
    const meta: EmbeddingMeta = {
      formatVersion: EMBEDDING_FORMAT_VERSION,
      key,
      source: 'precomputed',
      model: { name: model.manifest.name, documentEncoderHash: model.documentEncoderHash },
      corpus: { hash: corpus.hash, count: rows },
      count: rows,
      dim,
      dtype: header.dtype,
      dataFile,
      settings,
      createdAt: now,
      completedAt: now,
    };
    writeFileAtomic(join(staging, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    const target = artifactDir(options.dataDir, key);
    const existing = readEmbeddingMeta(target);
    if (existing) {
      rmSync(staging, { recursive: true, force: true });
      return { dir: target, meta: existing, reordered, reused: true };
    }
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return { dir: target, meta, reordered, reused: false };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    if (inFd !== undefined) closeSync(inFd);
    if (outFd !== undefined) closeSync(outFd);
  }
}

/** A NaN or infinite value would poison every score of its document: refuse the file and name the row. */
function checkFinite(
  bytes: Buffer,
  dtype: 'float32' | 'float16',
  firstRow: number,
  dim: number,
  file: string,
): void {
  const bad = (i: number) => {
    const row = firstRow + Math.floor(i / dim);
    return new WorkbenchError(
      'INPUT_INVALID',
      `${file}: row ${row} (0-based), column ${i % dim} is not a finite number. Recompute or repair that embedding`,
      {
        file,
        field: `row ${row}`,
      },
    );
  };
  if (dtype === 'float32') {
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
    const values = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw bad(i);
  } else {
    for (let i = 0; i < bytes.length / 2; i++)
      if ((bytes.readUInt16LE(i * 2) & 0x7c00) === 0x7c00) throw bad(i);
  }
}
