/**
 * Every number in every report format equals the stored value: each format is parsed back and compared
 * with the store — exactly for the machine-readable ones (JSON, CSV, TREC), to the printed precision
 * (trec_eval's %.4f, glibc rounding) for HTML, Markdown and LaTeX. Also: best per column in bold and the
 * significance markers agree with the experiment's own comparisons.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cFixed } from '../../main/engine/eval/index.ts';
import {
  ExperimentsRepository,
  experimentReport,
  LatencyRepository,
} from '../../main/engine/experiments/index.ts';
import { exportReport, type ReportModel } from '../../main/engine/reports/index.ts';
import {
  closeToPrinted,
  parseCsv,
  type ReportFixture,
  reportFixture,
} from '../unit/engine/reports/fixture.ts';

let f: ReportFixture;
let out: string;
let model: ReportModel;

/** run name → measure → stored aggregate (the store's own rows, not the report's copy). */
function storedAggregates(): Map<string, Map<string, number>> {
  const m = new Map<string, Map<string, number>>();
  for (const r of f.store.runs.list()) {
    const byMeasure = new Map<string, number>();
    for (const v of f.store.metrics.list(r.id, { aggregateOnly: true })) byMeasure.set(v.measure, v.value);
    m.set(r.name, byMeasure);
  }
  return m;
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

beforeAll(async () => {
  f = await reportFixture('wb-report-numbers-');
  out = join(f.root, 'report');
  ({ model } = await exportReport({
    store: f.store,
    experiment: f.experiment,
    formats: ['html', 'md', 'tex', 'csv', 'trec', 'json'],
    outDir: out,
  }));
});
afterAll(() => f?.close());

describe('report numbers equal the stored values', () => {
  it('JSON: aggregates, per-query values and latency summaries are the stored doubles', () => {
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportModel;
    const stored = storedAggregates();
    expect(json.runs).toHaveLength(10);
    let compared = 0;
    for (const r of json.runs) {
      for (const m of r.metrics) {
        expect(m.value).toBe(stored.get(r.name)!.get(m.measure));
        compared++;
      }
      const perQuery = f.store.metrics.list(r.runId, { aggregateOnly: false });
      const mine = json.perQuery.filter((q) => q.run === r.name);
      expect(mine.map((q) => [q.queryId, q.measure, q.value])).toEqual(
        perQuery.map((q) => [q.queryId, q.measure, q.value]),
      );
      const profiles = new LatencyRepository(f.store).list(r.runId);
      expect(r.profiles.map((p) => p.summary)).toEqual(profiles.map((p) => p.summary));
    }
    expect(compared).toBe(30);
  });

  it('CSV: metrics.csv, per-query.csv and latency.csv read back as the stored doubles', () => {
    const stored = storedAggregates();
    const rows = parseCsv(readFileSync(join(out, 'metrics.csv'), 'utf8'));
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(Number(row.value)).toBe(stored.get(row.run)!.get(row.measure));
    // The settings travel with every value.
    expect(rows.find((r) => r.measure === 'nDCG@10')).toMatchObject({
      cutoff: '10',
      relevance_level_applies: 'false',
    });
    expect(rows.find((r) => r.measure === 'RR@10')).toMatchObject({ depth: '10', relevance_level: '1' });

    const perQuery = parseCsv(readFileSync(join(out, 'per-query.csv'), 'utf8'));
    const expected = f.store.runs
      .list()
      .flatMap((r) =>
        f.store.metrics
          .list(r.id, { aggregateOnly: false })
          .map((v) => [r.name, v.queryId, v.measure, v.value]),
      );
    expect(perQuery.map((r) => [r.run, r.query_id, r.measure, Number(r.value)])).toEqual(expected);

    const latency = parseCsv(readFileSync(join(out, 'latency.csv'), 'utf8'));
    const repo = new LatencyRepository(f.store);
    let checked = 0;
    for (const row of latency.filter((r) => r.source === 'profile-query')) {
      const p = repo.list(f.store.runs.require(row.run).id)[0];
      const stage = p.summary.stages[row.stage as 'total'];
      expect([Number(row.p50_ms), Number(row.p95_ms), Number(row.qps)]).toEqual([
        stage.p50,
        stage.p95,
        p.summary.qps,
      ]);
      checked++;
    }
    // Latency profiles are timed on the original queries only: 5 runs × 4 stages.
    expect(checked).toBe(4 * 5);
  });

  it('TREC: every run file holds the stored rankings, scores exactly', () => {
    const files = readdirSync(join(out, 'runs'));
    expect(files).toHaveLength(10);
    for (const r of model.runs) {
      const file = files.find((x) => x === `${r.name.replace(/\//g, '_')}.trec`);
      expect(file, r.name).toBeDefined();
      const lines = readFileSync(join(out, 'runs', file!), 'utf8')
        .trim()
        .split('\n');
      const rankings = f.store.runs.getRankings(r.runId);
      const expected = [...rankings].flatMap(([qid, rk]) =>
        rk.docnos.map((d, i) => [qid, d, i + 1, rk.scores[i]]),
      );
      expect(lines.map((l) => l.split(' ')).map((p) => [p[0], p[2], Number(p[3]), Number(p[4])])).toEqual(
        expected,
      );
    }
  });

  it('HTML: every metric cell prints the stored value to 4 decimals, as trec_eval rounds', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const stored = storedAggregates();
    const cells = [...html.matchAll(/<td[^>]*data-run="([^"]*)" data-measure="([^"]*)">([^<]*)/g)];
    // Effectiveness: 10 runs × 3 measures; Pareto: 5; sweep: 2.
    expect(cells.length).toBe(37);
    for (const [, run, measure, text] of cells)
      expect(text, `${run} ${measure}`).toBe(cFixed(stored.get(decode(run))!.get(decode(measure))!, 4));
    // Latency: each profiled run's total p50 as printed in the profiles table.
    const profiles = html.split('data-table="latency-profiles"')[1].split('</table>')[0];
    const repo = new LatencyRepository(f.store);
    for (const r of model.runs.filter((x) => x.querySet === null)) {
      const p50 = repo.list(r.runId)[0].summary.stages.total.p50;
      const row = profiles.split('<tr>').find((tr) => tr.includes(`>tiny: ${r.point}<`))!;
      const printed = [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1])[7];
      expect(closeToPrinted(printed, p50), `${r.name}: ${printed} vs ${p50}`).toBe(true);
    }
  });

  it('Markdown and LaTeX: effectiveness tables print the stored values; best in bold; markers match the comparisons', () => {
    const stored = storedAggregates();
    const report = experimentReport(
      f.store,
      new ExperimentsRepository(f.store),
      new LatencyRepository(f.store),
      f.experiment,
    );
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const tex = readFileSync(join(out, 'report.tex'), 'utf8');
    let marked = 0;
    expect(tex).toContain('\\usepackage{booktabs}');
    for (const [gi, group] of model.effectiveness.entries()) {
      // Effectiveness tables are the first tables headed `| run |`, in the model's order.
      const mdRows = md
        .split('\n\n')
        .filter((b) => b.startsWith('| run |'))
        [gi].split('\n')
        .slice(2);
      expect(mdRows).toHaveLength(group.rows.length);
      const texTable = tex.split(`\\label{tab:effectiveness-${gi}}`)[0].split('\\begin{table}').at(-1)!;
      const texRows = texTable.split('\\midrule')[1].split('\\bottomrule')[0].trim().split('\n');
      expect(texRows).toHaveLength(group.rows.length);
      const comparison = report.comparisons.find(
        (c) => c.dataset === group.dataset && c.querySet === group.querySet,
      )!;
      for (const [ri, row] of group.rows.entries()) {
        const texCells = texRows[ri]
          .replace(/\s*\\\\$/, '')
          .split(' & ')
          .slice(1);
        const mdLine = mdRows[ri];
        expect(mdLine.startsWith(`| ${row.label.replace(/\|/g, '\\|')}`)).toBe(true);
        const mdCells = mdLine
          .split(' | ')
          .slice(1)
          .map((c) => c.replace(/ \|$/, ''));
        for (const [mi, measure] of group.measures.entries()) {
          const value = stored.get(row.run)!.get(measure)!;
          const best = Math.max(...group.rows.map((r) => stored.get(r.run)!.get(measure)!));
          const compared = comparison.measures
            .find((m) => m.measure === measure)!
            .runs.find((r) => r.run === row.run);
          const significant =
            compared !== undefined && compared.pValues.tTest !== null && compared.pValues.tTest < 0.05;
          const mark = significant ? (compared!.paired.meanDifference > 0 ? '†' : '‡') : '';
          const texMark = mark === '†' ? '$^{\\dagger}$' : mark === '‡' ? '$^{\\ddagger}$' : '';
          const printed = cFixed(value, 4);
          if (mark) marked++;
          expect(texCells[mi], `${row.run} ${measure}`).toBe(
            `${value === best ? `\\textbf{${printed}}` : printed}${texMark}`,
          );
          expect(mdCells[mi], `${row.run} ${measure}`).toBe(
            `${value === best ? `**${printed}**` : printed}${mark}`,
          );
        }
      }
    }
    // The tiny experiment has significant differences (BM25 beats the baseline), so markers are exercised.
    expect(marked).toBeGreaterThan(0);
  });
});
