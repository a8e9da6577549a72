import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { WorkbenchError } from '../errors.ts';

/**
 * The `.npy` format (numpy/lib/format.py, versions 1.0–3.0): magic `\x93NUMPY`, major and minor version,
 * a little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 768), }` padded with spaces to an aligned
 * offset, then the raw array. Only what precomputed embeddings need is accepted: little-endian float32
 * or float16, C order, two dimensions.
 */

export type NpyDtype = 'float32' | 'float16';

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the array data. */
  dataOffset: number;
  bytesPerValue: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const DESCR: Record<string, NpyDtype> = { '<f4': 'float32', '<f2': 'float16' };

function npyError(file: string, field: string, problem: string, hint: string): WorkbenchError {
  return new WorkbenchError('INPUT_INVALID', `${file}: ${problem}. ${hint}`, { file, field });
}

/** Parses the header from the file's first bytes (at least the whole header). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw npyError(
      file,
      'magic',
      'not a .npy file (no \\x93NUMPY magic)',
      'Save the array with numpy.save(path, array)',
    );
  }
  const major = bytes[6];
  if (major < 1 || major > 3)
    throw npyError(
      file,
      'version',
      `.npy format version ${major}.${bytes[7]} is unknown`,
      'Save it with numpy ≥ 1.9',
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes)
    throw npyError(file, 'header', 'the header is truncated', 'The file is damaged; save it again');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset)
    throw npyError(file, 'header', 'the header is truncated', 'The file is damaged; save it again');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(8 + lengthBytes, dataOffset),
  );

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw npyError(
      file,
      'header',
      `unreadable header ${JSON.stringify(header.trim())}`,
      'Save the array with numpy.save(path, array)',
    );
  }
  const dtype = DESCR[descr === '|f2' || descr === '=f2' ? '<f2' : descr === '=f4' ? '<f4' : descr];
  if (!dtype) {
    const hint = descr.startsWith('>')
      ? "It is big-endian: save array.astype('<f4') instead"
      : descr.endsWith('f8')
        ? "It is float64: save array.astype('float32') instead (or 'float16' to halve the size)"
        : "Save array.astype('float32') (or 'float16')";
    throw npyError(
      file,
      'descr',
      `dtype ${descr} is not supported (float32 or float16 little-endian only)`,
      hint,
    );
  }
  if (fortran === 'True') {
    throw npyError(
      file,
      'fortran_order',
      'the array is in Fortran (column-major) order',
      'Save numpy.ascontiguousarray(array) instead',
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw npyError(
      file,
      'shape',
      `unreadable shape (${shapeText})`,
      'Save the array with numpy.save(path, array)',
    );
  }
  if (shape.length !== 2) {
    throw npyError(
      file,
      'shape',
      `the array has shape (${shape.join(', ')}), not [documents, dimensions]`,
      'Save a 2-D array, one row per document',
    );
  }
  return { dtype, shape, dataOffset, bytesPerValue: dtype === 'float32' ? 4 : 2 };
}

/** Reads and checks a .npy file's header, and that the file holds exactly the data the shape promises. */
export function readNpyHeader(path: string): NpyHeader & { fileBytes: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new WorkbenchError(
      'NOT_FOUND',
      `${path}: cannot open (${(err as Error).message}). Check the path`,
      { file: path },
    );
  }
  try {
    const fileBytes = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(fileBytes, 12));
    readSync(fd, head, 0, head.length, 0);
    // Read exactly the header once its length is known (up to 4 GB in format 2.0, in practice < 1 kB).
    let total = head.length;
    if (head.length >= 10 && head[6] >= 1 && head[6] <= 3) {
      const length = head[6] === 1 ? head.readUInt16LE(8) : head.length >= 12 ? head.readUInt32LE(8) : 0;
      total = Math.min(fileBytes, (head[6] === 1 ? 10 : 12) + length);
    }
    const bytes = Buffer.alloc(total);
    readSync(fd, bytes, 0, total, 0);
    const header = parseNpyHeader(bytes, path);
    const expected = header.dataOffset + header.shape[0] * header.shape[1] * header.bytesPerValue;
    if (fileBytes !== expected) {
      throw npyError(
        path,
        'shape',
        `the header promises shape (${header.shape.join(', ')}) ${header.dtype} = ${expected} bytes, but the file has ${fileBytes}`,
        fileBytes < expected
          ? 'The file is truncated: copy or save it again'
          : 'The file has trailing bytes: save it again with numpy.save',
      );
    }
    return { ...header, fileBytes };
  } finally {
    closeSync(fd);
  }
}

/** Writes a C-order 2-D array as .npy 1.0 (header padded to a 64-byte boundary, as numpy does). */
export function writeNpy(
  path: string,
  data: Float32Array | Uint16Array,
  shape: readonly [number, number],
): void {
  const descr = data instanceof Float32Array ? '<f4' : '<f2';
  if (shape[0] * shape[1] !== data.length)
    throw new Error(`shape (${shape.join(', ')}) does not match ${data.length} values`);
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape[0]}, ${shape[1]}), }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64);
  dict += '\n';
  const head = Buffer.alloc(10);
  head.set(MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  writeFileSync(
    path,
    Buffer.concat([
      head,
      Buffer.from(dict, 'latin1'),
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    ]),
  );
}
