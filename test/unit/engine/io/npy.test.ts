import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHalf } from '../../../../main/engine/io/float16.ts';
import { parseNpyHeader, readNpy, readNpyHeader, writeNpy } from '../../../../main/engine/io/npy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'wb-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A .npy 1.0 header as numpy.save writes it: 128 bytes, the dict padded with spaces and ended by '\n'. */
const header = (dict: string) => {
  const text = `${dict}`.padEnd(117) + '\n';
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, 'latin1')]);
};

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
    expect(readNpy(f32)).toEqual({
      dtype: 'float32',
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
    });
    const f16 = join(tmp, 'b.npy');
    writeNpy(f16, encodeHalf(Float32Array.from([1, 2])), [1, 2]);
    expect(readNpyHeader(f16)).toMatchObject({ dtype: 'float16', shape: [1, 2], bytesPerValue: 2 });
    expect(readNpy(f16)).toEqual({ dtype: 'float16', shape: [1, 2], data: Float32Array.from([1, 2]) });
  });

  it('takes any rank: 1-D with its Python trailing comma, 3-D q-net weights', () => {
    const vector = join(tmp, 'v.npy');
    writeNpy(vector, Float32Array.from([1, 2, 3]), [3]);
    expect(readNpy(vector)).toMatchObject({ shape: [3], data: Float32Array.from([1, 2, 3]) });
    const cube = join(tmp, 'w.npy');
    const values = Float32Array.from({ length: 24 }, (_, i) => i / 4);
    writeNpy(cube, values, [2, 3, 4]);
    expect(readNpy(cube, 'qnet_w0')).toEqual({ dtype: 'float32', shape: [2, 3, 4], data: values });
    expect(() => writeNpy(cube, values, [5, 5])).toThrow(/shape \(5, 5\) does not match 24 values/);
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

  it('explains what to do with arrays it does not take, naming file, line and field', () => {
    const f8 = () =>
      parseNpyHeader(
        header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"),
        'e.npy',
        'qnet_b1',
      );
    expect(f8).toThrow(
      /^e\.npy:1: dtype <f8 is not supported .* \(field "qnet_b1"\)\. It is float64: save array\.astype\('float32'\)/,
    );
    expect(f8).toThrow(
      expect.objectContaining({
        code: 'INPUT_INVALID',
        details: { file: 'e.npy', line: 1, field: 'qnet_b1' },
      }),
    );
    expect(() =>
      parseNpyHeader(header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }"), 'e.npy'),
    ).toThrow(/big-endian/);
    expect(() =>
      parseNpyHeader(header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"), 'e.npy'),
    ).toThrow(/Fortran.*\(field "embeddings"\).*ascontiguousarray/);
    expect(() =>
      parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }"), 'e.npy'),
    ).toThrow(/unreadable shape \(2, x\)/);
    expect(() => parseNpyHeader(Buffer.from('PK\u0003\u0004 not npy'), 'e.npz')).toThrow(
      /e\.npz:1: not a \.npy file/,
    );
  });

  it('reads float16 and refuses Fortran order and other element types, naming the file', () => {
    // numpy.save(np.array([[1, -2.5], [65504, 2**-24]], dtype='<f2')) by hand.
    const dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }";
    const padded = dict + ' '.repeat(64 - ((10 + dict.length + 1) % 64)) + '\n';
    const bytes = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length & 0xff, padded.length >> 8]),
      Buffer.from(padded, 'latin1'),
      Buffer.from(Uint16Array.of(0x3c00, 0xc100, 0x7bff, 0x0001).buffer),
    ]);
    const half = join(tmp, 'half.npy');
    writeFileSync(half, bytes);
    const npy = readNpy(half);
    expect(npy.dtype).toBe('float16');
    expect(npy.shape).toEqual([2, 2]);
    expect(Array.from(npy.data)).toEqual([1, -2.5, 65504, Math.fround(2 ** -24)]);
    const fortran = join(tmp, 'f.npy');
    writeFileSync(
      fortran,
      bytes.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "),
      'latin1',
    );
    expect(() => readNpy(fortran)).toThrow(/f\.npy:1: .*Fortran/);
    const f8 = join(tmp, 'f8.npy');
    writeFileSync(f8, bytes.toString('latin1').replace("'<f2'", "'<f8'"), 'latin1');
    expect(() => readNpy(f8)).toThrow(/dtype <f8 is not supported/);
    const truncated = join(tmp, 't.npy');
    writeFileSync(truncated, bytes.subarray(0, 128 + 3));
    expect(() => readNpy(truncated)).toThrow(/float16 = 136 bytes, but the file has 131.*truncated/);
  });

  it('detects a truncated file, a file with trailing bytes and one that is not there', () => {
    const path = join(tmp, 'cut.npy');
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }";
    writeFileSync(path, Buffer.concat([header(dict), Buffer.alloc(20)]));
    expect(() => readNpyHeader(path)).toThrow(
      /promises shape \(4, 2\) float32 = 160 bytes, but the file has 148.*truncated/,
    );
    expect(() => readNpy(path)).toThrow(/but the file has 148.*truncated/);
    const long = join(tmp, 'long.npy');
    writeFileSync(long, Buffer.concat([header(dict), Buffer.alloc(36)]));
    expect(() => readNpy(long)).toThrow(/but the file has 164.*trailing bytes/);
    const cutHeader = join(tmp, 'cut-header.npy');
    writeFileSync(cutHeader, header(dict).subarray(0, 60));
    expect(() => readNpyHeader(cutHeader)).toThrow(/cut-header\.npy:1: the header is truncated/);
    const missing = () => readNpy(join(tmp, 'absent.npy'), 'qnet_w0');
    expect(missing).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(missing).toThrow(/absent\.npy: cannot open .*\(field "qnet_w0"\)\. Check the path/);
  });
});
