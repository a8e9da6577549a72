import type { EChartsOption } from 'echarts';
import type { WorkbenchApi } from '../../../preload/contract.ts';

/** Chart options are built from the API's numbers by these pure functions, so they are testable without a canvas. */

export type ChartOption = EChartsOption;
export type ResultsSummary = Awaited<ReturnType<WorkbenchApi['results']['summary']>>;

type AnySeries = { data?: unknown[] };

/** Run names without the prefix every run of the chart shares (`experiment/dataset/`), for legible labels. */
export function shortNames(names: readonly string[]): (name: string) => string {
  if (names.length < 2) return (n) => n;
  let prefix = names[0].slice(0, names[0].lastIndexOf('/') + 1);
  for (const n of names)
    while (prefix && !n.startsWith(prefix))
      prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  return (n) => (prefix && n.length > prefix.length ? n.slice(prefix.length) : n);
}

/** How many data points an option's series hold together (0 means there is nothing to draw). */
export function seriesPoints(option: ChartOption): number {
  const s = option.series as AnySeries | AnySeries[] | undefined;
  const list = s === undefined ? [] : Array.isArray(s) ? s : [s];
  return list.reduce((n, x) => n + (Array.isArray(x.data) ? x.data.length : 0), 0);
}

const base = (yName: string, xName: string): ChartOption => ({
  grid: { left: 60, right: 20, top: 30, bottom: 50 },
  tooltip: { trigger: 'item' },
  legend: { top: 0, type: 'scroll' },
  xAxis: { name: xName, nameLocation: 'middle', nameGap: 28 },
  yAxis: { name: yName, nameLocation: 'middle', nameGap: 44 },
  animation: false,
});

/**
 * Quality against latency for runs of the original queries, with the Pareto front as a line. The latency is
 * the one the API chose for all of them (profiled total, else recorded search time; never mixed).
 */
export function qualityLatencyOption(s: ResultsSummary): ChartOption {
  const measure = s.columns[0]?.name ?? '';
  const timed = s.rows.filter((r) => r.paretoLatency !== null && r.querySet === null);
  const point = (r: (typeof timed)[number]) => ({
    value: [r.paretoLatency!, r.values[measure].value],
    name: r.name,
  });
  const front = timed.filter((r) => r.pareto).sort((a, b) => a.paretoLatency! - b.paretoLatency!);
  const xName = `${s.latencySource ?? 'latency'} (ms, log)`;
  return {
    ...base(measure, xName),
    xAxis: { type: 'log', name: xName, nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: measure, nameLocation: 'middle', nameGap: 44, scale: true },
    series: [
      { name: 'runs', type: 'scatter', symbolSize: 10, data: timed.map(point) },
      {
        name: 'Pareto front',
        type: 'line',
        step: false,
        symbol: 'diamond',
        symbolSize: 12,
        data: front.map(point),
      },
    ],
  };
}

/** p50 / p95 / p99 per stage (tokenize, encode, search, total) of one run, or of every run when none is named. */
export function stageLatencyOption(s: ResultsSummary, run?: string): ChartOption {
  const cats: string[] = [];
  const p = { p50: [] as number[], p95: [] as number[], p99: [] as number[] };
  const short = shortNames(s.rows.map((r) => r.name));
  for (const r of s.rows) {
    if (run !== undefined && r.name !== run) continue;
    for (const st of r.stages) {
      cats.push(run === undefined ? `${short(r.name)} · ${st.stage}` : st.stage);
      p.p50.push(st.p50);
      p.p95.push(st.p95);
      p.p99.push(st.p99);
    }
  }
  return {
    ...base('ms', ''),
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: cats, axisLabel: { interval: 0, rotate: cats.length > 4 ? 20 : 0 } },
    yAxis: { type: 'value', name: 'ms', nameLocation: 'middle', nameGap: 44 },
    series: (['p50', 'p95', 'p99'] as const).map((k) => ({ name: k, type: 'bar', data: p[k] })),
  };
}

/** One line per sweep: the first measure against the swept parameter, the other settings fixed. */
export function sweepOption(s: ResultsSummary): ChartOption {
  const measure = s.columns[0]?.name ?? '';
  return {
    ...base(
      measure,
      s.sweeps
        .map((w) => w.param)
        .filter((v, i, a) => a.indexOf(v) === i)
        .join(', '),
    ),
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', name: 'parameter value', nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: measure, nameLocation: 'middle', nameGap: 44, scale: true },
    series: s.sweeps.map((w) => ({
      name: `${w.param}${w.label && w.label !== w.param ? ` (${w.label})` : ''}`,
      type: 'line',
      data: w.points.map((pt, i) => ({
        value: [pt.x, w.values[i]],
        name: shortNames(s.rows.map((r) => r.name))(pt.run),
      })),
    })),
  };
}

/** Mean relative drop (%) of the first measure per attack family, one bar series per system. */
export function robustnessOption(s: ResultsSummary): ChartOption {
  const measure = s.columns[0]?.name ?? '';
  const families = [...new Set(s.robustness.map((r) => r.family))].sort();
  const systems = [...new Set(s.robustness.map((r) => r.system))];
  const short = shortNames(s.rows.map((r) => r.name));
  return {
    ...base(`${measure} drop (%)`, 'query-variation family'),
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: families },
    yAxis: { type: 'value', name: `${measure} drop (%)`, nameLocation: 'middle', nameGap: 44 },
    series: systems.map((system) => ({
      name: short(system),
      type: 'bar',
      data: families.map((f) => {
        const xs = s.robustness.filter((r) => r.system === system && r.family === f);
        return xs.length
          ? Number(((100 * xs.reduce((a, r) => a + r.relativeDrop, 0)) / xs.length).toFixed(2))
          : null;
      }),
    })),
  };
}

/** Histogram of per-query differences from the baseline in the first measure (shared bins per run). */
export function deltaHistogramOption(s: ResultsSummary): ChartOption {
  const measure = s.columns[0]?.name ?? '';
  const first = s.deltas[0];
  const centres = first
    ? first.counts.map((_, i) => ((first.edges[i] + first.edges[i + 1]) / 2).toFixed(3))
    : [];
  return {
    ...base('queries', `Δ ${measure} against ${s.baseline ?? 'the baseline'}`),
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: centres,
      name: `Δ ${measure} (run − baseline)`,
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: 'value', name: 'queries', nameLocation: 'middle', nameGap: 44 },
    series: s.deltas.map((d) => ({
      name: shortNames(s.rows.map((r) => r.name))(d.run),
      type: 'bar',
      data: d.counts,
    })),
  };
}
