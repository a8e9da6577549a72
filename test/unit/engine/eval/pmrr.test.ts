import { describe, expect, it } from 'vitest';
import { pMRR, runFromEntries } from '../../../../main/engine/eval/index.ts';

const qrels = (entries: Record<string, Record<string, number>>) =>
  new Map(Object.entries(entries).map(([q, d]) => [q, new Map(Object.entries(d))]));
const run = (entries: Record<string, string[]>) =>
  runFromEntries(
    'r',
    Object.entries(entries).flatMap(([qid, docs]) =>
      docs.map((docno, i) => ({ qid, docno, score: docs.length - i })),
    ),
  );

describe('pMRR', () => {
  it('scores a hand-worked example', () => {
    // q1: d1 and d2 change label (relevant → not relevant under the changed instruction); d3 does not.
    //   d1: og rank 1, new rank 4 (moved down): 1 − 1/4 = 0.75
    //   d2: og rank 2, absent from the changed run of 4 docs → rank 5: 1 − 2/5 = 0.6
    //   q1 = (0.75 + 0.6) / 2 = 0.675
    // q2: d9 changes; og rank 3, new rank 1 (moved up): 1/3 − 1 = −2/3
    // p-MRR = 100 · (0.675 − 2/3) / 2 = 0.41667
    const result = pMRR({
      ogQrels: qrels({ q1: { d1: 1, d2: 1, d3: 1 }, q2: { d9: 1 } }),
      changedQrels: qrels({ q1: { d1: 0, d2: 0, d3: 1 }, q2: { d9: 0 } }),
      ogRun: run({ q1: ['d1', 'd2', 'd3'], q2: ['a', 'b', 'd9'] }),
      changedRun: run({ q1: ['d3', 'x', 'y', 'd1'], q2: ['d9', 'a', 'b'] }),
    });
    expect(result.perQuery.get('q1')?.documents).toEqual([
      { docno: 'd1', ogRank: 1, newRank: 4, score: 0.75 },
      { docno: 'd2', ogRank: 2, newRank: 5, score: 1 - 2 / 5 },
    ]);
    expect(result.perQuery.get('q1')?.pmrr).toBeCloseTo(0.675, 12);
    expect(result.perQuery.get('q2')?.pmrr).toBeCloseTo(-2 / 3, 12);
    expect(result.pmrr).toBeCloseTo((100 * (0.675 - 2 / 3)) / 2, 10);
    expect(result.skippedQueries).toEqual([]);
  });

  it('strips FollowIR suffixes, ranks ties in run order, skips queries a run lacks', () => {
    const result = pMRR({
      ogQrels: qrels({ 'q1-og': { d1: 1 }, 'q2-og': { d1: 1 } }),
      changedQrels: qrels({ 'q1-changed': { d1: 0 }, 'q2-changed': { d1: 0 } }),
      ogRun: runFromEntries('r', [
        { qid: 'q1-og', docno: 'a', score: 1 },
        { qid: 'q1-og', docno: 'd1', score: 1 },
        { qid: 'q2-og', docno: 'd1', score: 1 },
      ]),
      changedRun: runFromEntries('r', [
        { qid: 'q1-changed', docno: 'd1', score: 5 },
        { qid: 'q1-changed', docno: 'a', score: 5 },
      ]),
    });
    // Tie in the og run: file order puts d1 second; in the changed run first → moved up: 1/2 − 1.
    expect(result.perQuery.get('q1')?.documents[0]).toMatchObject({ ogRank: 2, newRank: 1, score: -0.5 });
    expect(result.skippedQueries).toEqual(['q2']);
    expect(result.pmrr).toBeCloseTo(-50, 10);
  });

  it('refuses inputs where no judgment changed', () => {
    expect(() =>
      pMRR({
        ogQrels: qrels({ q1: { d1: 1 } }),
        changedQrels: qrels({ q1: { d1: 1 } }),
        ogRun: run({ q1: ['d1'] }),
        changedRun: run({ q1: ['d1'] }),
      }),
    ).toThrow(/nothing to measure/);
  });
});
