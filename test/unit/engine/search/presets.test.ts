import { describe, expect, it } from 'vitest';
import { MSMARCO_PASSAGES, resolvePreset } from '../../../../main/engine/search/index.ts';

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
