import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeHalf,
  encodeHalf,
  floatToHalf,
  halfToFloat,
  parseNpyHeader,
  readNpyHeader,
  writeNpy,
} from '../../../../main/engine/encode/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'wb-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('float16', () => {
  it('encodes known values with round-to-nearest-even (numpy astype float16)', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to infinity
      [1e9, 0x7c00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie with 0 → even
      [1.5 * 2 ** -25, 0x0001],
      [2 ** -14, 0x0400], // smallest normal
      [1 + 2 ** -11, 0x3c00], // tie → even mantissa
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    for (const [value, half] of cases) expect([value, floatToHalf(value)]).toEqual([value, half]);
    expect(floatToHalf(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(floatToHalf(Number.NaN) & 0x3ff).not.toBe(0);
  });

  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      if (floatToHalf(halfToFloat(h)) !== h) throw new Error(`half ${h.toString(16)} does not round-trip`);
    }
    const values = Float32Array.from([0.5, -1.25, 3.140625]);
    expect(Array.from(decodeHalf(encodeHalf(values)))).toEqual([0.5, -1.25, 3.140625]);
  });
});

describe('.npy', () => {
  it('writes what it reads: float32 and float16, header aligned to 64 bytes', () => {
    const f32 = join(tmp, 'a.npy');
    writeNpy(f32, Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(readNpyHeader(f32)).toMatchObject({
      dtype: 'float32',
      shape: [2, 3],
      dataOffset: 128,
      bytesPerValue: 4,
      fileBytes: 128 + 24,
    });
    const f16 = join(tmp, 'b.npy');
    writeNpy(f16, encodeHalf(Float32Array.from([1, 2])), [1, 2]);
    expect(readNpyHeader(f16)).toMatchObject({ dtype: 'float16', shape: [1, 2] });
  });

  it('parses numpy 2.0 headers', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }".padEnd(115) + '\n';
    const head = Buffer.alloc(12);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(head);
    head.writeUInt32LE(dict.length, 8);
    expect(parseNpyHeader(Buffer.concat([head, Buffer.from(dict, 'latin1')]), 'x.npy')).toMatchObject({
      shape: [3, 2],
      dataOffset: 128,
    });
  });

  const header = (dict: string) => {
    const text = `${dict}`.padEnd(117) + '\n';
    const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
    head.writeUInt16LE(text.length, 8);
    return Buffer.concat([head, Buffer.from(text, 'latin1')]);
  };

  it('explains what to do with arrays it does not take', () => {
    expect(() =>
      parseNpyHeader(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"), 'e.npy'),
    ).toThrow(/e\.npy: dtype <f8 is not supported.*float64: save array\.astype\('float32'\)/);
    expect(() =>
      parseNpyHeader(header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }"), 'e.npy'),
    ).toThrow(/big-endian/);
    expect(() =>
      parseNpyHeader(header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"), 'e.npy'),
    ).toThrow(/Fortran.*ascontiguousarray/);
    expect(() =>
      parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }"), 'e.npy'),
    ).toThrow(/shape \(8\), not \[documents, dimensions\]/);
    expect(() => parseNpyHeader(Buffer.from('PK\u0003\u0004 not npy'), 'e.npz')).toThrow(
      /e\.npz: not a \.npy file/,
    );
  });

  it('detects a truncated file', () => {
    const path = join(tmp, 'cut.npy');
    writeFileSync(
      path,
      Buffer.concat([
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }"),
        Buffer.alloc(20),
      ]),
    );
    expect(() => readNpyHeader(path)).toThrow(
      /promises shape \(4, 2\) float32 = 160 bytes, but the file has 148.*truncated/,
    );
  });
});
