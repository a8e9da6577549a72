import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { inputError } from '../errors.ts';

/**
 * NumPy `.npy` files (format versions 1–3, numpy/lib/format.py), the way precomputed embeddings arrive
 * (DESIGN.md §9): little-endian float32 or float16, C order. float16 is widened to float32 on read.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyArray {
  data: Float32Array;
  shape: number[];
  /** The stored element type before widening. */
  dtype: 'float32' | 'float16';
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

/** IEEE 754 half → float32 (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export function readNpy(path: string, field = 'embeddings'): NpyArray {
  const fail = (problem: string, hint: string) =>
    inputError('INPUT_INVALID', { file: path, line: 1, field }, problem, hint);
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(12);
    const got = readExactly(fd, head, 0);
    if (got < 10 || MAGIC.some((b, i) => head[i] !== b))
      throw fail('not a NumPy .npy file (no \\x93NUMPY magic)', 'Save the matrix with numpy.save');
    const major = head[6];
    const headerLength =
      major === 1 ? head[8] | (head[9] << 8) : new DataView(head.buffer).getUint32(8, true);
    const headerStart = major === 1 ? 10 : 12;
    if (major < 1 || major > 3)
      throw fail(`.npy format version ${major} is not supported`, 'Use numpy.save (versions 1–3)');
    const headerBytes = new Uint8Array(headerLength);
    readExactly(fd, headerBytes, headerStart);
    const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
    const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
    if (!descr || !fortran || shapeText === undefined)
      throw fail(
        `unreadable .npy header ${JSON.stringify(header.trim())}`,
        'Save the matrix with numpy.save',
      );
    if (fortran === 'True')
      throw fail(
        'the matrix is stored in Fortran (column-major) order',
        'Save numpy.ascontiguousarray(matrix)',
      );
    const dtype =
      descr === '<f4' || descr === '=f4'
        ? 'float32'
        : descr === '<f2' || descr === '=f2'
          ? 'float16'
          : undefined;
    if (!dtype)
      throw fail(`element type ${descr} is not supported`, 'Store float32 (<f4) or float16 (<f2) embeddings');
    const shape = shapeText
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(Number);
    if (shape.some((n) => !Number.isInteger(n) || n < 0))
      throw fail(`bad shape (${shapeText})`, 'Save the matrix with numpy.save');
    const count = shape.reduce((a, b) => a * b, 1);
    const dataStart = headerStart + headerLength;
    if (dtype === 'float32') {
      const data = new Float32Array(count);
      const read = readExactly(fd, new Uint8Array(data.buffer), dataStart);
      if (read !== count * 4)
        throw fail(
          `the file ends after ${read} of ${count * 4} data bytes`,
          'The file is truncated: write it again',
        );
      return { data, shape, dtype };
    }
    const half = new Uint16Array(count);
    const read = readExactly(fd, new Uint8Array(half.buffer), dataStart);
    if (read !== count * 2)
      throw fail(
        `the file ends after ${read} of ${count * 2} data bytes`,
        'The file is truncated: write it again',
      );
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = halfToFloat(half[i]);
    return { data, shape, dtype };
  } finally {
    closeSync(fd);
  }
}

/** Writes a float32 C-order `.npy` (version 1.0), e.g. for the Faiss baseline of the benchmark. */
export function writeNpy(path: string, data: Float32Array, shape: readonly number[]): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64 bytes (numpy ≥ 1.16).
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const prefix = new Uint8Array(10 + header.length);
  prefix.set(MAGIC, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix[8] = header.length & 0xff;
  prefix[9] = header.length >> 8;
  prefix.set(new TextEncoder().encode(header), 10);
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, prefix);
    writeFileSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    closeSync(fd);
  }
}
