import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { decodeHalf } from '../io/float16.ts';
import { canonicalJson, sha256Hex } from '../models/index.ts';

/**
 * Document embeddings on disk: `<dataDir>/artifacts/embeddings/<key>/` with `embeddings.f32` (or `.f16`,
 * row-major in corpus order), `ids.txt` (one docid per line, the same order) and `meta.json`. The key is
 * the sha256 of the document encoder's content hash, the corpus hash and every setting that changes the
 * numbers, so a changed model, corpus or setting never reuses a stale file (DESIGN.md §2). `meta.json` is
 * written last: a folder without it is unfinished (an encode in progress or interrupted).
 */

export const EMBEDDINGS_DIR = join('artifacts', 'embeddings');
export const META_FILE = 'meta.json';
export const IDS_FILE = 'ids.txt';
export const EMBEDDING_FORMAT_VERSION = 1;

export type EmbeddingDtype = 'float32' | 'float16';

export interface EmbeddingMeta {
  formatVersion: number;
  key: string;
  source: 'encoded' | 'precomputed';
  model: { name: string; documentEncoderHash: string };
  corpus: { hash: string; count: number };
  count: number;
  dim: number;
  dtype: EmbeddingDtype;
  dataFile: string;
  /** What produced the numbers: encoder settings, or the imported file and its sha256. */
  settings: Record<string, unknown>;
  createdAt: string;
  completedAt: string;
  /** Encoded artifacts: provider, threads and speed of the run that finished it. */
  run?: Record<string, unknown>;
}

export interface Embeddings {
  meta: EmbeddingMeta;
  ids: string[];
  /** count × dim, row-major. */
  vectors: Float32Array;
}

export const dataFileName = (dtype: EmbeddingDtype): string =>
  dtype === 'float32' ? 'embeddings.f32' : 'embeddings.f16';
export const bytesPerValue = (dtype: EmbeddingDtype): number => (dtype === 'float32' ? 4 : 2);

export function embeddingKey(parts: {
  documentEncoderHash: string;
  corpusHash: string;
  settings: Record<string, unknown>;
}): string {
  return sha256Hex(canonicalJson(parts));
}

export function embeddingsRoot(dataDir: string): string {
  return join(dataDir, EMBEDDINGS_DIR);
}

export function artifactDir(dataDir: string, key: string): string {
  return join(embeddingsRoot(dataDir), key);
}

/** The finished artifact's meta, or undefined while it is absent or unfinished. */
export function readEmbeddingMeta(dir: string): EmbeddingMeta | undefined {
  const path = join(dir, META_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as EmbeddingMeta;
}

/** Writes a file so that readers see the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Finished artifacts, newest first, optionally only those of one document encoder and/or corpus. */
export function listEmbeddingArtifacts(
  dataDir: string,
  filter: { documentEncoderHash?: string; corpusHash?: string } = {},
): (EmbeddingMeta & { dir: string })[] {
  const root = embeddingsRoot(dataDir);
  if (!existsSync(root)) return [];
  const out: (EmbeddingMeta & { dir: string })[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(root, entry.name);
    const meta = readEmbeddingMeta(dir);
    if (!meta) continue;
    if (filter.documentEncoderHash && meta.model.documentEncoderHash !== filter.documentEncoderHash) continue;
    if (filter.corpusHash && meta.corpus.hash !== filter.corpusHash) continue;
    out.push({ ...meta, dir });
  }
  return out.sort((a, b) => b.completedAt.localeCompare(a.completedAt));
}

/** Files up to this size are read with one readFileSync; larger ones (> 2 GiB, Node's limit) in chunks. */
const SINGLE_READ_LIMIT = 2 ** 31 - 1;

function readFloat32(path: string, values: number, singleReadLimit: number): Float32Array {
  const bytes = values * 4;
  if (bytes <= singleReadLimit) {
    const buf = readFileSync(path);
    checkSize(path, buf.length, bytes);
    // A view on the file's buffer: the vectors are not copied a second time.
    if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, values);
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytes));
  }
  const out = new Float32Array(values);
  const target = new Uint8Array(out.buffer);
  const fd = openSync(path, 'r');
  try {
    checkSize(path, fstatSync(fd).size, bytes);
    for (let at = 0; at < bytes; ) {
      const n = readSync(fd, target, at, Math.min(1 << 30, bytes - at), at);
      if (n === 0) break;
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

function checkSize(path: string, got: number, want: number): void {
  if (got !== want) {
    throw new WorkbenchError(
      'INPUT_INVALID',
      `${path}: ${got} bytes, meta.json promises ${want}. The artifact is damaged: delete its folder and encode again`,
      {
        file: path,
      },
    );
  }
}

/** Loads a finished artifact: ids and vectors as float32 (float16 files are widened). */
export function readEmbeddings(dir: string, options: { singleReadLimit?: number } = {}): Embeddings {
  const meta = readEmbeddingMeta(dir);
  if (!meta) {
    throw new WorkbenchError(
      'NOT_FOUND',
      `${dir}: no finished embeddings (meta.json missing). Encode the corpus first, or resume the interrupted encode`,
      {
        file: join(dir, META_FILE),
      },
    );
  }
  const idsText = readFileSync(join(dir, IDS_FILE), 'utf8');
  const ids =
    idsText.length === 0 ? [] : idsText.slice(0, idsText.endsWith('\n') ? -1 : undefined).split('\n');
  if (ids.length !== meta.count) {
    throw new WorkbenchError(
      'INPUT_INVALID',
      `${join(dir, IDS_FILE)}: ${ids.length} ids, meta.json promises ${meta.count}. Delete the folder and encode again`,
      {
        file: join(dir, IDS_FILE),
      },
    );
  }
  const path = join(dir, meta.dataFile);
  const values = meta.count * meta.dim;
  let vectors: Float32Array;
  if (meta.dtype === 'float32')
    vectors = readFloat32(path, values, options.singleReadLimit ?? SINGLE_READ_LIMIT);
  else {
    const buf = readFileSync(path);
    checkSize(path, buf.length, values * 2);
    const halves =
      buf.byteOffset % 2 === 0
        ? new Uint16Array(buf.buffer, buf.byteOffset, values)
        : new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + values * 2));
    vectors = decodeHalf(halves);
  }
  return { meta, ids, vectors };
}
