import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  halfToFloat,
  MSMARCO_PASSAGES,
  readNpy,
  resolvePreset,
  writeNpy,
} from '../../../../main/engine/search/index.ts';

/** The bound on documents scored per query: entry points + maxIter · nCandidates · k (graph degree 100). */
const bound = (p: { numEntryPoints: number; nCandidates: number; maxIter: number }, rows: number) =>
  (p.numEntryPoints + p.maxIter * p.nCandidates * 100) / rows;

describe('graph-search presets', () => {
  it('are the paper settings on MS MARCO', () => {
    expect(resolvePreset('efficient1', MSMARCO_PASSAGES).params).toMatchObject({
      numEntryPoints: 10_000,
      nCandidates: 64,
      maxIter: 16,
    });
    expect(resolvePreset('efficient2', 10 * MSMARCO_PASSAGES).params).toMatchObject({
      numEntryPoints: 100_000,
      nCandidates: 328,
      maxIter: 20,
    });
  });

  it('scale entry points and candidates with the corpus, keeping the fraction scored near the paper', () => {
    const paper1 = bound(resolvePreset('efficient1', MSMARCO_PASSAGES).params, MSMARCO_PASSAGES);
    const paper2 = bound(resolvePreset('efficient2', MSMARCO_PASSAGES).params, MSMARCO_PASSAGES);
    expect(paper1).toBeCloseTo(0.0127, 4);
    expect(paper2).toBeCloseTo(0.0855, 4);
    // Equal up to rounding nCandidates and numEntryPoints to whole numbers (± half a candidate per iteration).
    for (const rows of [4_000_000, 1_000_000, 500_000, 200_000]) {
      for (const [name, paper] of [
        ['efficient1', paper1],
        ['efficient2', paper2],
      ] as const) {
        const { params } = resolvePreset(name, rows);
        expect(Math.abs(bound(params, rows) - paper)).toBeLessThanOrEqual(
          (params.maxIter * 0.5 * 100 + 0.5) / rows,
        );
      }
    }
    expect(resolvePreset('efficient1', 100_000).params).toMatchObject({
      numEntryPoints: 113,
      nCandidates: 1,
      maxIter: 16,
    });
    expect(resolvePreset('efficient2', 100_000).params).toMatchObject({
      numEntryPoints: 1131,
      nCandidates: 4,
      maxIter: 20,
    });
    expect(resolvePreset('efficient1', 100_000).rule).toMatch(/scaled by f = N\/8841823/);
  });

  it('clamp on tiny corpora: at least one candidate, entry points within [nCandidates, N]', () => {
    expect(resolvePreset('efficient1', 50).params).toMatchObject({ numEntryPoints: 1, nCandidates: 1 });
    expect(resolvePreset('efficient2', 3).params.numEntryPoints).toBeLessThanOrEqual(3);
    expect(resolvePreset('efficient1', 1000, { topK: 10, seed: 3, earlyStop: false }).params).toMatchObject({
      topK: 10,
      seed: 3,
      earlyStop: false,
    });
  });
});

describe('.npy files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-npy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads float16 and refuses Fortran order and other element types, naming the file', () => {
    // numpy.save(np.array([[1, -2.5], [65504, 2**-24]], dtype='<f2')) by hand.
    const header = "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }";
    const padded = header + ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const bytes = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length & 0xff, padded.length >> 8]),
      Buffer.from(padded, 'latin1'),
      Buffer.from(Uint16Array.of(0x3c00, 0xc100, 0x7bff, 0x0001).buffer),
    ]);
    const half = join(dir, 'half.npy');
    writeFileSync(half, bytes);
    const npy = readNpy(half);
    expect(npy.dtype).toBe('float16');
    expect(npy.shape).toEqual([2, 2]);
    expect(Array.from(npy.data)).toEqual([1, -2.5, 65504, Math.fround(2 ** -24)]);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    const fortran = join(dir, 'f.npy');
    writeFileSync(
      fortran,
      bytes.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "),
      'latin1',
    );
    expect(() => readNpy(fortran)).toThrow(/f\.npy:1: .*Fortran/);
    const f8 = join(dir, 'f8.npy');
    writeFileSync(f8, bytes.toString('latin1').replace("'<f2'", "'<f8'"), 'latin1');
    expect(() => readNpy(f8)).toThrow(/element type <f8 is not supported/);
    const truncated = join(dir, 't.npy');
    writeNpy(truncated, new Float32Array(10), [10]);
    writeFileSync(truncated, bytes.subarray(0, 64 + 3));
    expect(() => readNpy(truncated)).toThrow(/truncated/);
  });
});
