import * as echarts from 'echarts';
import type { ParetoReport } from '../experiments/index.ts';
import type { EffectivenessGroup, ReportRun, RobustnessFamily } from './model.ts';
import { metric, slug } from './numbers.ts';

/**
 * Charts as static SVG, drawn by ECharts' server-side renderer (no browser, no canvas), so the HTML report
 * embeds them inline and loads nothing. Each chart has a stable id the report and its tests refer to.
 */

export interface Chart {
  id: string;
  title: string;
  svg: string;
}

const WIDTH = 760;
const HEIGHT = 360;
const FONT = { fontFamily: 'DejaVu Sans, Helvetica, Arial, sans-serif' };

function render(id: string, title: string, option: echarts.EChartsCoreOption): Chart {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({ animation: false, textStyle: FONT, ...option });
    // Inline SVG in HTML needs no namespace declarations; leaving them out keeps the report free of URLs.
    const svg = chart
      .renderToSVGString()
      .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
      .replace('<svg ', `<svg role="img" aria-label="${escapeAttr(title)}" data-chart="${escapeAttr(id)}" `);
    return { id, title, svg };
  } finally {
    chart.dispose();
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

const categoryAxis = (labels: string[]) => ({
  type: 'category',
  data: labels,
  axisLabel: { interval: 0, rotate: labels.length > 4 ? 25 : 0, fontSize: 10 },
});

const grid = { left: 70, right: 30, top: 70, bottom: 90 };

/** The first measure per run of one dataset and query set. */
export function effectivenessChart(group: EffectivenessGroup, measure: string): Chart | null {
  const i = group.measures.indexOf(measure);
  if (i < 0) return null;
  const rows = group.rows.filter((r) => r.cells[i].value !== null);
  const title = `${measure} on ${group.dataset}${group.querySet ? ` (${group.querySet})` : ''}`;
  return render(`effectiveness-${slug(group.dataset)}-${slug(group.querySet ?? 'original')}`, title, {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid,
    xAxis: categoryAxis(rows.map((r) => r.label)),
    yAxis: { type: 'value', name: measure },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => ({
          value: r.cells[i].value,
          itemStyle: { color: r.isBaseline ? '#888888' : '#3366aa' },
        })),
        label: {
          show: true,
          position: 'top',
          fontSize: 10,
          formatter: ({ value }: { value: number }) => metric(value),
        },
      },
    ],
  });
}

/** Quality against per-query latency; the Pareto front joined by a line (DESIGN.md §8). */
export function paretoChart(p: ParetoReport): Chart {
  const title = `${p.measure} vs latency on ${p.dataset} (Pareto front)`;
  const front = p.points.filter((x) => p.front.includes(x.id)).sort((a, b) => a.latencyMs - b.latencyMs);
  return render(`pareto-${slug(p.dataset)}`, title, {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid: { ...grid, bottom: 60 },
    legend: { bottom: 0 },
    xAxis: { type: 'value', name: 'ms per query', nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: p.measure, scale: true },
    series: [
      {
        name: 'runs',
        type: 'scatter',
        symbolSize: 10,
        data: p.points.map((x) => ({ value: [x.latencyMs, x.quality], name: x.id })),
        label: {
          show: true,
          position: 'right',
          fontSize: 10,
          formatter: ({ name }: { name: string }) => name,
        },
      },
      {
        name: 'Pareto front',
        type: 'line',
        step: 'end',
        data: front.map((x) => [x.latencyMs, x.quality]),
        lineStyle: { color: '#cc3333' },
        itemStyle: { color: '#cc3333' },
      },
    ],
  });
}

/** Per-stage p50 per query (tokenize, encode, search) at batch 1, stacked. */
export function latencyChart(runs: readonly ReportRun[]): Chart | null {
  const profiled = runs
    .map((r) => ({ r, p: r.profiles.find((x) => x.settings.batchSize === 1) }))
    .filter((x) => x.p !== undefined && x.r.querySet === null);
  if (profiled.length === 0) return null;
  const title = 'p50 latency per query by stage (batch 1)';
  const stages = ['tokenize', 'encode', 'search'] as const;
  return render('latency-stages', title, {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid,
    legend: { top: 28 },
    xAxis: categoryAxis(profiled.map((x) => `${x.r.dataset}: ${x.r.point ?? x.r.name}`)),
    yAxis: { type: 'value', name: 'ms' },
    series: stages.map((s) => ({
      name: s,
      type: 'bar',
      stack: 'total',
      data: profiled.map((x) => x.p!.summary.stages[s].p50),
    })),
  });
}

/** Relative drop of the first measure per attack family and system. */
export function robustnessChart(families: readonly RobustnessFamily[]): Chart | null {
  const usable = families.filter((f) => f.meanRelativeDrop !== null);
  if (usable.length === 0) return null;
  const labels = [...new Set(usable.map((f) => `${f.dataset}: ${f.point}`))];
  const names = [...new Set(usable.map((f) => f.family))];
  const title = `Relative ${usable[0].measure} drop per query-variation family`;
  return render('robustness-families', title, {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    grid,
    legend: { top: 28 },
    xAxis: categoryAxis(labels),
    yAxis: { type: 'value', name: 'drop %' },
    series: names.map((family) => ({
      name: family,
      type: 'bar',
      data: labels.map((l) => {
        const f = usable.find((x) => x.family === family && `${x.dataset}: ${x.point}` === l);
        return f ? Number((100 * f.meanRelativeDrop!).toFixed(2)) : null;
      }),
    })),
  });
}

/** Every chart of a report, by id. */
export function reportCharts(m: {
  effectiveness: readonly EffectivenessGroup[];
  pareto: readonly ParetoReport[];
  runs: readonly ReportRun[];
  robustness: { families: readonly RobustnessFamily[] };
  primaryMeasure: string;
}): Map<string, Chart> {
  const charts = [
    ...m.effectiveness.filter((g) => g.querySet === null).map((g) => effectivenessChart(g, m.primaryMeasure)),
    latencyChart(m.runs),
    ...m.pareto.map(paretoChart),
    robustnessChart(m.robustness.families),
  ].filter((x): x is Chart => x !== null);
  return new Map(charts.map((x) => [x.id, x]));
}
