import { describe, expect, it } from 'vitest';
import {
  evaluateRobustness,
  formatRobustnessTable,
  type RobustnessInput,
  robustnessTable,
  spread,
} from '../../../../main/engine/attacks/index.ts';
import { compareRuns } from '../../../../main/engine/eval/index.ts';

const original = new Map([
  ['q1', 0.5],
  ['q2', 0.6],
  ['q3', 0.7],
  ['q4', 0.8],
]);
const input: RobustnessInput = {
  measure: 'ndcg_cut_10',
  original,
  originalTexts: new Map([['q1', 'do goldfish grow']]),
  sets: [
    {
      set: 'typo/seed1',
      family: 'misspelling',
      variant: 'dl-typo',
      values: new Map([
        ['q1', 0.4],
        ['q2', 0.4],
        ['q3', 0.4],
        ['q4', 0.4],
      ]),
      variations: new Map([
        ['q1', { text: 'do goldfsh grow', changed: true, edit: 'delete "goldfish" → "goldfsh"' }],
        ['q2', { text: 'x', changed: true }],
        ['q3', { text: 'y', changed: true }],
        ['q4', { text: 'z', changed: false }],
      ]),
    },
    {
      set: 'typo/seed2',
      family: 'misspelling',
      variant: 'dl-typo',
      values: new Map([
        ['q1', 0.5],
        ['q2', 0.5],
        ['q3', 0.7],
        ['q4', 0.6],
      ]),
    },
    {
      set: 'shuffle/seed1',
      family: 'ordering',
      variant: 'shuffle',
      values: new Map([
        ['q1', 0.5],
        ['q2', 0.6],
        ['q3', 0.7],
        ['q9', 0.1],
      ]),
    },
  ],
};

/** Student t CDF with 3 degrees of freedom in closed form (Abramowitz & Stegun 26.7.4). */
function tCdf3(t: number): number {
  const x = t / Math.sqrt(3);
  return 0.5 + (x / (1 + x * x) + Math.atan(x)) / Math.PI;
}

describe('evaluateRobustness', () => {
  const report = evaluateRobustness(input);
  const [a, b, c] = report.sets;

  it('computes means, absolute and relative drop over the paired queries', () => {
    expect(a.queries).toBe(4);
    expect(a.original).toBeCloseTo(0.65, 12);
    expect(a.varied).toBeCloseTo(0.4, 12);
    expect(a.absoluteDrop).toBeCloseTo(0.25, 12);
    expect(a.relativeDrop).toBeCloseTo(0.25 / 0.65, 12);
    expect(a.changedQueries).toBe(3);
    expect(b.relativeDrop).toBeCloseTo(0.075 / 0.65, 12);
  });

  it('runs the paired tests of the eval capability: t from the closed-form t(3) CDF, exact Wilcoxon 2/16', () => {
    // varied − original = −0.1 −0.2 −0.3 −0.4: mean −0.25, sd √(0.05/3), t = −0.25 / (sd / 2) = −3.8730
    const t = 0.25 / (Math.sqrt(0.05 / 3) / 2);
    expect(a.comparison.tTest?.statistic).toBeCloseTo(-t, 9);
    expect(a.comparison.tTest?.pValue).toBeCloseTo(2 * (1 - tCdf3(t)), 9);
    expect(a.comparison.tTest?.pValue).toBeCloseTo(0.03046, 4);
    // All four differences negative and distinct: R− = 10, P(R− ≥ 10) = 1/16, two-sided 0.125.
    expect(a.comparison.wilcoxon).toMatchObject({ statistic: 0, rMinus: 10, method: 'exact', pValue: 0.125 });
    expect(a.comparison).toMatchObject({ n: 4, losses: 4, wins: 0 });
    expect(a.comparison.meanDifference).toBeCloseTo(-0.25, 12);
  });

  it('pairs by query id and lists what is only on one side', () => {
    expect(c.queries).toBe(3);
    expect(c.onlyOriginal).toEqual(['q4']);
    expect(c.onlyVaried).toEqual(['q9']);
    expect(c.original).toBeCloseTo(0.6, 12);
    expect(c.absoluteDrop).toBe(0);
    expect(c.comparison.tTest).toBeNull(); // every difference is zero: no test, not p = 1
    expect(c.comparison.wilcoxon).toBeNull();
  });

  it('gives the drill-down per query: texts, flags and the delta', () => {
    expect(a.perQuery[0]).toEqual({
      queryId: 'q1',
      originalText: 'do goldfish grow',
      variedText: 'do goldfsh grow',
      changed: true,
      edit: 'delete "goldfish" → "goldfsh"',
      original: 0.5,
      varied: 0.4,
      delta: 0.4 - 0.5,
    });
    expect(b.perQuery[0]).toMatchObject({ variedText: null, changed: null });
  });

  it('summarises sets of a group: mean and spread, significant sets', () => {
    const typo = report.groups.find((g) => g.group === 'misspelling/dl-typo');
    expect(typo?.sets).toBe(2);
    const ra = 0.25 / 0.65;
    const rb = 0.075 / 0.65;
    expect(typo?.relativeDrop?.mean).toBeCloseTo((ra + rb) / 2, 12);
    expect(typo?.relativeDrop?.std).toBeCloseTo(Math.abs(ra - rb) / Math.SQRT2, 12);
    expect(typo?.relativeDrop?.min).toBeCloseTo(rb, 12);
    expect(typo?.relativeDrop?.max).toBeCloseTo(ra, 12);
    expect(typo?.significantSets).toBe(1); // seed1 p = 0.030; seed2 p > 0.05
    expect(report.groups.map((g) => g.group)).toEqual(['misspelling/dl-typo', 'ordering/shuffle']);
  });

  it('can pair only the changed queries, and take another comparison', () => {
    const seen: string[][] = [];
    const changed = evaluateRobustness(input, {
      changedOnly: true,
      paired: { resamples: 10 },
      compare: (a, b, options) => {
        seen.push([...a.keys()], [...b.keys()]);
        expect(options).toEqual({ resamples: 10 });
        return compareRuns(a, b, options);
      },
    });
    expect(changed.sets[0].queries).toBe(3);
    expect(changed.sets[0].original).toBeCloseTo(0.6, 12);
    expect(seen[0]).toEqual(['q1', 'q2', 'q3']);
    expect(seen[1]).toEqual(['q1', 'q2', 'q3']);
    expect(changed.sets[0].comparison.bootstrap?.resamples).toBe(10);
    expect(changed.sets[1].queries).toBe(0); // no texts given: nothing is known to be changed
  });

  it('has no relative drop where the original mean is 0', () => {
    const zero = evaluateRobustness({
      measure: 'P_10',
      original: new Map([
        ['q1', 0],
        ['q2', 0],
      ]),
      sets: [
        {
          set: 's',
          family: 'ordering',
          variant: 'shuffle',
          values: new Map([
            ['q1', 0.1],
            ['q2', 0],
          ]),
        },
      ],
    });
    expect(zero.sets[0].relativeDrop).toBeNull();
    expect(zero.groups[0].relativeDrop).toBeNull();
  });
});

describe('spread', () => {
  it('uses the sample standard deviation', () => {
    expect(spread([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({
      n: 8,
      mean: 5,
      std: Math.sqrt(32 / 7),
      min: 2,
      max: 9,
    });
    expect(spread([3])).toEqual({ n: 1, mean: 3, std: 0, min: 3, max: 3 });
  });
});

describe('robustness table', () => {
  const hyp = evaluateRobustness(input);
  const be = evaluateRobustness({ ...input, sets: input.sets.slice(0, 2) });
  const table = robustnessTable([
    { model: 'hypencoder', mode: 'exhaustive', report: hyp },
    { model: 'be-base', mode: 'exhaustive', report: be },
  ]);

  it('has a row per attack group and a column per model and mode', () => {
    expect(table.measure).toBe('ndcg_cut_10');
    expect(table.rows.map((r) => r.group)).toEqual(['misspelling/dl-typo', 'ordering/shuffle']);
    expect(table.rows[1].cells[1]).toBeNull();
    expect(table.rows[0].cells[1]?.relativeDrop?.mean).toBeCloseTo(0.25, 12);
  });

  it('prints the relative drop with its settings', () => {
    expect(formatRobustnessTable(table).split('\n')).toEqual([
      'relative ndcg_cut_10 drop (original − varied) / original, mean ± std over sets; paired t-test',
      'attack                hypencoder (exhaustive)           be-base (exhaustive)',
      'original ndcg_cut_10  0.6500                            0.6500',
      'misspelling/dl-typo   25.0 % ± 19.0 (2 sets, 1 p<0.05)  25.0 % ± 19.0 (2 sets, 1 p<0.05)',
      'ordering/shuffle      0.0 % (1 set, 0 p<0.05)           –',
    ]);
  });

  it('refuses to mix measures', () => {
    expect(() =>
      robustnessTable([
        { model: 'a', mode: 'x', report: hyp },
        { model: 'b', mode: 'x', report: { ...be, measure: 'map' } },
      ]),
    ).toThrow(/one table per measure/);
  });
});
