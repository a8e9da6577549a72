import { describe, expect, it } from 'vitest';
import type { MeasureComparison } from '../../../../main/engine/experiments/index.ts';
import {
  csvField,
  escapeLatex,
  latexTable,
  type ReportRun,
  significanceCaption,
} from '../../../../main/engine/reports/index.ts';
import { effectivenessGroups } from '../../../../main/engine/reports/sections.ts';
import type { MetricSettings } from '../../../../main/engine/store/index.ts';

const settings: MetricSettings = {
  relevanceLevel: 1,
  cutoff: 10,
  averaging: 'queries in both run and qrels (trec_eval default)',
  depth: null,
  judgedOnly: false,
  qrelsHash: 'x',
};

const run = (name: string, values: Record<string, number>): ReportRun => ({
  name,
  runId: 0,
  dataset: 'd',
  system: null,
  point: name,
  querySet: null,
  params: {},
  source: 'test',
  config: {},
  environment: {},
  createdAt: '',
  queries: 3,
  metrics: Object.entries(values).map(([measure, value]) => ({ measure, value, settings })),
  searchLatency: null,
  profiles: [],
});

function comparison(measure: string, runs: [string, number, number][]): MeasureComparison {
  return {
    measure,
    settings,
    baseline: { run: 'base', mean: 0 },
    runs: runs.map(([name, diff, p]) => ({
      run: name,
      mean: 0,
      paired: { meanDifference: diff } as MeasureComparison['runs'][0]['paired'],
      pValues: { tTest: p, wilcoxon: 1, randomization: 1 },
      perQuery: [],
    })),
  };
}

describe('effectiveness marks', () => {
  it('marks significant gains and losses against the baseline, bolds every best value, honours alpha strictly', () => {
    const [g] = effectivenessGroups(
      [
        {
          dataset: 'd',
          querySet: null,
          baseline: 'base',
          runs: [
            run('base', { m: 0.5, n: 0.2 }),
            run('up', { m: 0.7, n: 0.1 }),
            run('down', { m: 0.7, n: 0.2 }),
          ],
          comparisons: [
            comparison('m', [
              ['up', 0.2, 0.01],
              ['down', 0.2, 0.05],
            ]),
            comparison('n', [
              ['up', -0.1, 0.001],
              ['down', 0, 0.001],
            ]),
          ],
        },
      ],
      { test: 'tTest', alpha: 0.05, correction: 'holm' },
    );
    expect(g.measures).toEqual(['m', 'n']);
    expect(g.rows.map((r) => r.cells.map((c) => [c.mark, c.best]))).toEqual([
      [
        [null, false],
        [null, true],
      ],
      [
        ['better', true],
        ['worse', false],
      ],
      // p = alpha is not significant; a zero difference is never marked.
      [
        [null, true],
        [null, true],
      ],
    ]);
    expect(g.rows[0].isBaseline).toBe(true);
  });
});

describe('LaTeX', () => {
  it('escapes every special character once', () => {
    expect(escapeLatex('a_b & 50% #1 $x$ {y} ~ ^ \\ …')).toBe(
      'a\\_b \\& 50\\% \\#1 \\$x\\$ \\{y\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\ldots{}',
    );
  });

  it('prints booktabs tables with bold best values and dagger superscripts', () => {
    const tex = latexTable({
      id: 't',
      caption: significanceCaption({ test: 'tTest', alpha: 0.05, correction: 'holm' }),
      header: ['run', 'nDCG@10'],
      align: ['l', 'r'],
      rows: [
        [{ text: 'hyp/graph[n=2]' }, { text: '0.7000', bold: true, mark: '†' }],
        [{ text: 'be_flat' }, { text: '0.5000' }],
      ],
    });
    expect(tex).toContain('\\begin{tabular}{lr}\n\\toprule\nrun & nDCG@10 \\\\\n\\midrule');
    expect(tex).toContain('hyp/graph[n=2] & \\textbf{0.7000}$^{\\dagger}$ \\\\');
    expect(tex).toContain('be\\_flat & 0.5000 \\\\\n\\bottomrule');
    expect(tex).toMatch(
      /\\caption\{\$\^\{\\dagger\}\$ significantly better, \$\^\{\\ddagger\}\$ significantly worse/,
    );
  });
});

describe('CSV', () => {
  it('quotes as RFC 4180 and keeps doubles exact', () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(Number(csvField(1 / 3))).toBe(1 / 3);
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });
});
