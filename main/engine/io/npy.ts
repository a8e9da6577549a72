import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { inputError, WorkbenchError } from '../errors.ts';
import { decodeHalf } from './float16.ts';

/**
 * The `.npy` format (numpy/lib/format.py, versions 1.0–3.0): magic `\x93NUMPY`, major and minor version,
 * a little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 768), }` padded with spaces to an aligned
 * offset and ended by '\n', then the raw array. Only what embeddings and q-net parameters need is accepted
 * (DESIGN.md §9): little-endian float32 or float16, C order, any rank. Callers that need a given rank
 * check it themselves, with a message in their own words.
 */

export type NpyDtype = 'float32' | 'float16';

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the array data. */
  dataOffset: number;
  bytesPerValue: number;
}

export interface NpyArray {
  data: Float32Array;
  shape: number[];
  /** The stored element type before widening. */
  dtype: NpyDtype;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<string, NpyDtype> = { '<f4': 'float32', '<f2': 'float16' };
/** Errors name what the array is (`embeddings`, `qnet_w0`, …) unless the caller says otherwise. */
const DEFAULT_FIELD = 'embeddings';

// The header is the file's first line, hence line 1 in every message.
function npyError(file: string, field: string, problem: string, hint: string): WorkbenchError {
  return inputError('INPUT_INVALID', { file, line: 1, field }, problem, hint);
}

/** Parses the header from the file's first bytes (at least the whole header). */
export function parseNpyHeader(bytes: Uint8Array, file: string, field = DEFAULT_FIELD): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw npyError(
      file,
      field,
      'not a .npy file (no \\x93NUMPY magic)',
      'Save the array with numpy.save(path, array)',
    );
  }
  const major = bytes[6];
  if (major < 1 || major > 3)
    throw npyError(
      file,
      field,
      `.npy format version ${major}.${bytes[7]} is not supported`,
      'Save it with numpy.save (format versions 1.0–3.0)',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes)
    throw npyError(file, field, 'the header is truncated', 'The file is damaged; save it again');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset)
    throw npyError(file, field, 'the header is truncated', 'The file is damaged; save it again');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(8 + lengthBytes, dataOffset),
  );

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw npyError(
      file,
      field,
      `unreadable header ${JSON.stringify(header.trim())}`,
      'Save the array with numpy.save(path, array)',
    );
  }
  // '|' (not applicable) and '=' (native) byte orders are little-endian on every platform we run on.
  const dtype = DESCR[descr === '|f2' || descr === '=f2' ? '<f2' : descr === '=f4' ? '<f4' : descr];
  if (!dtype) {
    const hint = descr.startsWith('>')
      ? "It is big-endian: save array.astype('<f4') instead"
      : descr.endsWith('f8')
        ? "It is float64: save array.astype('float32') instead (or 'float16' to halve the size)"
        : "Save array.astype('float32') (or 'float16')";
    throw npyError(
      file,
      field,
      `dtype ${descr} is not supported (float32 or float16 little-endian only)`,
      hint,
    );
  }
  if (fortran === 'True') {
    throw npyError(
      file,
      field,
      'the array is in Fortran (column-major) order',
      'Save numpy.ascontiguousarray(array) instead',
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, ''))); // Python 2 wrote long dimensions as `10L`.
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw npyError(
      file,
      field,
      `unreadable shape (${shapeText})`,
      'Save the array with numpy.save(path, array)',
    );
  }
  return { dtype, shape, dataOffset, bytesPerValue: dtype === 'float32' ? 4 : 2 };
}

/** Number of values a shape holds (1 for a 0-d array, as numpy counts it). */
export function npyValueCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function openForReading(path: string, field: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new WorkbenchError(
      'NOT_FOUND',
      `${path}: cannot open (${(err as Error).message}) (field "${field}"). Check the path`,
      { file: path, field },
    );
  }
}

function readExactly(fd: number, into: Uint8Array, position: number): number {
  let read = 0;
  while (read < into.length) {
    const n = readSync(fd, into, read, into.length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return read;
}

function readHeaderFromFd(fd: number, path: string, field: string): NpyHeader & { fileBytes: number } {
  const fileBytes = fstatSync(fd).size;
  const head = Buffer.alloc(Math.min(fileBytes, 12));
  readExactly(fd, head, 0);
  // Read exactly the header once its length is known (up to 4 GB in format 2.0, in practice < 1 kB).
  let total = head.length;
  if (head.length >= 10 && head[6] >= 1 && head[6] <= 3) {
    const length = head[6] === 1 ? head.readUInt16LE(8) : head.length >= 12 ? head.readUInt32LE(8) : 0;
    total = Math.min(fileBytes, (head[6] === 1 ? 10 : 12) + length);
  }
  const bytes = Buffer.alloc(total);
  readExactly(fd, bytes, 0);
  const header = parseNpyHeader(bytes, path, field);
  const expected = header.dataOffset + npyValueCount(header.shape) * header.bytesPerValue;
  if (fileBytes !== expected) {
    throw npyError(
      path,
      field,
      `the header promises shape (${header.shape.join(', ')}) ${header.dtype} = ${expected} bytes, but the file has ${fileBytes}`,
      fileBytes < expected
        ? 'The file is truncated: copy or save it again'
        : 'The file has trailing bytes: save it again with numpy.save',
    );
  }
  return { ...header, fileBytes };
}

/** Reads and checks a .npy file's header, and that the file holds exactly the data the shape promises. */
export function readNpyHeader(path: string, field = DEFAULT_FIELD): NpyHeader & { fileBytes: number } {
  const fd = openForReading(path, field);
  try {
    return readHeaderFromFd(fd, path, field);
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole .npy file; float16 is widened to float32. */
export function readNpy(path: string, field = DEFAULT_FIELD): NpyArray {
  const fd = openForReading(path, field);
  try {
    const header = readHeaderFromFd(fd, path, field);
    const count = npyValueCount(header.shape);
    const stored = header.dtype === 'float32' ? new Float32Array(count) : new Uint16Array(count);
    const read = readExactly(fd, new Uint8Array(stored.buffer), header.dataOffset);
    if (read !== stored.byteLength)
      throw npyError(
        path,
        field,
        `the file ends after ${read} of ${stored.byteLength} data bytes`,
        'The file is truncated: copy or save it again',
      );
    const data = stored instanceof Float32Array ? stored : decodeHalf(stored);
    return { data, shape: header.shape, dtype: header.dtype };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a C-order array of any rank as .npy 1.0, the header padded to a 64-byte boundary as numpy ≥ 1.16
 * does. A `Uint16Array` holds float16 bit patterns (see float16.ts) and is stored as `<f2`.
 */
export function writeNpy(path: string, data: Float32Array | Uint16Array, shape: readonly number[]): void {
  if (npyValueCount(shape) !== data.length)
    throw new Error(`shape (${shape.join(', ')}) does not match ${data.length} values`);
  const descr = data instanceof Float32Array ? '<f4' : '<f2';
  // A 1-tuple needs its trailing comma in Python: (10,).
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64);
  dict += '\n';
  const head = Buffer.alloc(10);
  head.set(MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, Buffer.concat([head, Buffer.from(dict, 'latin1')]));
    // The data is written from its own buffer, not copied next to the header: matrices can be large.
    writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}
