import type { JsonValue } from '../store/index.ts';
import type { ReportModel, ReportRun } from './model.ts';
import {
  bytes,
  count,
  inline,
  MARKS,
  metric,
  ms,
  percent,
  pValue,
  qps,
  shortHash,
  signed,
  significanceCaption,
  slug,
} from './numbers.ts';

/**
 * The report as sections of captioned tables — the one layout HTML, PDF, Markdown and LaTeX render, each in
 * its own syntax. Cells hold printed text; `key` ties a metric cell to its run and measure for readers that
 * parse the report back (the GUI, the tests).
 */

export interface Cell {
  text: string;
  bold?: boolean;
  /** A significance marker printed after the text (superscript where the format has one). */
  mark?: string;
  key?: { run: string; measure: string };
}

export interface Table {
  id: string;
  caption: string;
  header: string[];
  /** 'l' text, 'r' numbers. */
  align: ('l' | 'r')[];
  rows: Cell[][];
}

export interface Section {
  id: string;
  title: string;
  paragraphs: string[];
  tables: Table[];
  /** Chart ids drawn in this section (formats with graphics only). */
  charts: string[];
}

const c = (text: string, extra: Omit<Cell, 'text'> = {}): Cell => ({ text, ...extra });
const texts = (values: string[]): Cell[] => values.map((v) => c(v));

function setup(m: ReportModel): Section {
  const tables: Table[] = [
    {
      id: 'datasets',
      caption:
        'Datasets (statistics of the whole dataset; split, relevance level and query sample as evaluated).',
      header: [
        'dataset',
        'format',
        'documents',
        'queries',
        'judged queries',
        'judgments',
        'split',
        'rel. level',
        'query sample',
        'content hash',
      ],
      align: ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'l'],
      rows: m.setup.datasets.map((d) =>
        texts([
          d.name,
          d.format ?? '–',
          count(d.documents),
          count(d.queries),
          count(d.judgedQueries),
          count(d.judgments),
          d.split ?? 'all',
          count(d.relevanceLevel),
          d.maxQueries === null ? 'all' : String(d.maxQueries),
          shortHash(d.contentHash),
        ]),
      ),
    },
  ];
  if (m.setup.models.length)
    tables.push({
      id: 'models',
      caption: 'Models with their provenance (package hash: sha256 over the package files).',
      header: ['model', 'kind', 'source', 'package hash', 'document encoder hash'],
      align: ['l', 'l', 'l', 'l', 'l'],
      rows: m.setup.models.map((x) =>
        texts([
          x.name,
          x.kind ?? '–',
          x.source ?? '–',
          shortHash(x.packageHash),
          shortHash(x.documentEncoderHash),
        ]),
      ),
    });
  tables.push({
    id: 'environment',
    caption: 'Hardware, execution providers and library versions behind the runs.',
    header: [
      'OS',
      'CPU',
      'cores',
      'RAM',
      'GPUs',
      'provider',
      'workbench',
      'Node',
      'onnxruntime',
      'hnswlib',
      'SQLite driver',
    ],
    align: ['l', 'l', 'r', 'r', 'l', 'l', 'l', 'l', 'l', 'l', 'l'],
    rows: m.setup.environments.map((e) =>
      texts([
        inline(e.os),
        inline(e.cpu),
        inline(e.logicalCores),
        typeof e.memoryBytes === 'number' ? bytes(e.memoryBytes) : '–',
        Array.isArray(e.gpus) ? e.gpus.join(', ') || 'none' : '–',
        inline(e.provider),
        inline(e.workbench),
        inline(e.node),
        inline(e.onnxruntime),
        inline(e.hnswlib),
        inline(e.sqlite),
      ]),
    ),
  });
  tables.push({
    id: 'measures',
    caption: 'Measures with the settings that produced them (trec_eval 9.0.x semantics).',
    header: ['measure', 'settings'],
    align: ['l', 'l'],
    rows: m.measures.map((x) => texts([x.measure, x.description])),
  });
  const paragraphs = [
    m.source.kind === 'experiment'
      ? `Experiment ${m.source.name} (${m.source.status}), created ${m.source.createdAt}${m.source.finishedAt ? `, finished ${m.source.finishedAt}` : ''}; config sha256 ${shortHash(m.source.configHash)}.`
      : `A selection of ${m.runs.length} stored run(s).`,
    `Significance: ${significanceCaption(m.significance)}`,
  ];
  return { id: 'setup', title: 'Setup', paragraphs, tables, charts: [] };
}

function effectiveness(m: ReportModel): Section {
  const caption = significanceCaption(m.significance);
  const tables: Table[] = m.effectiveness.map((g, i) => ({
    id: `effectiveness-${i}`,
    caption: `${g.dataset}, ${g.querySet ?? 'original queries'}${g.baseline ? `; baseline ${g.baseline}` : ''}. ${caption}`,
    header: ['run', ...g.measures],
    align: ['l', ...g.measures.map(() => 'r' as const)],
    rows: g.rows.map((r) => [
      c(r.isBaseline ? `${r.label} (baseline)` : r.label),
      ...r.cells.map((cell, j) =>
        c(metric(cell.value), {
          bold: cell.best,
          mark: cell.mark ? MARKS[cell.mark] : undefined,
          key: { run: r.run, measure: g.measures[j] },
        }),
      ),
    ]),
  }));
  const charts = m.effectiveness
    .filter((g) => g.querySet === null)
    .map((g) => `effectiveness-${slug(g.dataset)}-original`);
  return {
    id: 'effectiveness',
    title: 'Effectiveness',
    paragraphs: [
      'Means over the queries of each run as trec_eval computes them; the relevance level, cutoff and averaging of every measure are listed under Setup.',
    ],
    tables,
    charts,
  };
}

function label(r: ReportRun): string {
  return r.point ? `${r.dataset}: ${r.point}${r.querySet ? ` @${r.querySet}` : ''}` : r.name;
}

function efficiency(m: ReportModel): Section {
  const original = m.runs.filter((r) => r.querySet === null);
  const tables: Table[] = [
    {
      id: 'search-latency',
      caption: 'Search time per query as each run recorded it (query encoding excluded), in ms.',
      header: ['run', 'p50', 'p95', 'p99', 'mean', 'queries'],
      align: ['l', 'r', 'r', 'r', 'r', 'r'],
      rows: original
        .filter((r) => r.searchLatency)
        .map((r) => [
          c(label(r)),
          ...texts([
            ms(r.searchLatency!.p50),
            ms(r.searchLatency!.p95),
            ms(r.searchLatency!.p99),
            ms(r.searchLatency!.mean),
          ]),
          c(String(r.queries)),
        ]),
    },
  ];
  const profiled = original.flatMap((r) => r.profiles.map((p) => ({ r, p })));
  if (profiled.length)
    tables.push({
      id: 'latency-profiles',
      caption:
        'Latency profiles: ms per query (batch 1) or per batch, p50/p95/p99 per stage after warm-up; QPS measured directly.',
      header: [
        'run',
        'batch',
        'threads',
        'provider',
        'tokenize p50',
        'encode p50',
        'search p50',
        'total p50',
        'total p95',
        'total p99',
        'QPS',
      ],
      align: ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows: profiled.map(({ r, p }) => {
        const s = p.summary.stages;
        return texts([
          label(r),
          String(p.settings.batchSize),
          String(p.settings.threads),
          p.settings.provider,
          ms(s.tokenize.p50),
          ms(s.encode.p50),
          ms(s.search.p50),
          ms(s.total.p50),
          ms(s.total.p95),
          ms(s.total.p99),
          qps(p.summary.qps),
        ]);
      }),
    });
  for (const p of m.pareto)
    tables.push({
      id: `pareto-${slug(p.dataset)}`,
      caption: `Pareto front on ${p.dataset}: ${p.measure} (higher is better) against latency (lower is better; ${p.points[0]?.latencySource ?? ''}). * on the front.`,
      header: ['system', p.measure, 'latency ms', 'front'],
      align: ['l', 'r', 'r', 'l'],
      rows: [...p.points]
        .sort((a, b) => a.latencyMs - b.latencyMs)
        .map((x) => [
          c(x.id),
          c(metric(x.quality), { key: { run: x.run, measure: p.measure } }),
          c(ms(x.latencyMs)),
          c(p.front.includes(x.id) ? '*' : ''),
        ]),
    });
  for (const [i, s] of m.sweeps.entries())
    tables.push({
      id: `sweep-${i}`,
      caption: `Efficient-search sweep of ${s.system} on ${s.dataset}: swept parameters against ${s.measure} and latency (${s.latencySource}).`,
      header: [...s.parameters, s.measure, 'latency ms'],
      align: [...s.parameters.map(() => 'r' as const), 'r', 'r'],
      rows: s.rows.map((r) => [
        ...s.parameters.map((k) => c(inline(r.values[k] as JsonValue))),
        c(metric(r.quality), { key: { run: r.run, measure: s.measure } }),
        c(ms(r.latencyMs)),
      ]),
    });
  const charts = [
    ...(profiled.length ? ['latency-stages'] : []),
    ...m.pareto.map((p) => `pareto-${slug(p.dataset)}`),
  ];
  return { id: 'efficiency', title: 'Efficiency', paragraphs: [], tables, charts };
}

function robustness(m: ReportModel): Section | null {
  const { rows, families } = m.robustness;
  if (rows.length === 0) return null;
  return {
    id: 'robustness',
    title: 'Robustness',
    paragraphs: [
      `Drop of ${m.primaryMeasure} under query variations: original − varied over the queries both runs have; relative drop = drop / original; p from a two-sided paired t-test (uncorrected).`,
    ],
    tables: [
      {
        id: 'robustness-families',
        caption: 'Mean drop per query-variation family (means over the family’s variation sets).',
        header: ['dataset', 'system', 'family', 'sets', 'drop', 'relative drop'],
        align: ['l', 'l', 'l', 'r', 'r', 'r'],
        rows: families.map((f) =>
          texts([
            f.dataset,
            f.point,
            f.family,
            String(f.sets),
            metric(f.meanDrop),
            percent(f.meanRelativeDrop),
          ]),
        ),
      },
      {
        id: 'robustness-sets',
        caption: 'Drop per variation set.',
        header: ['dataset', 'system', 'query set', 'original', 'varied', 'drop', 'relative', 'p', 'n'],
        align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
        rows: rows.map((r) =>
          texts([
            r.dataset,
            r.point,
            r.querySet,
            metric(r.original),
            metric(r.varied),
            metric(r.drop),
            percent(r.relativeDrop),
            pValue(r.pValue),
            String(r.n),
          ]),
        ),
      },
    ],
    charts: ['robustness-families'],
  };
}

function queries(m: ReportModel): Section | null {
  if (m.queryDifferences.length === 0) return null;
  return {
    id: 'queries',
    title: 'Queries with the largest differences',
    paragraphs: [
      `Per-query ${m.primaryMeasure} of each run against the baseline, largest absolute difference first.`,
    ],
    tables: [
      {
        id: 'query-differences',
        caption: `Largest per-query differences in ${m.primaryMeasure} from the baseline.`,
        header: ['dataset', 'run', 'query', 'text', 'baseline', 'run value', 'delta'],
        align: ['l', 'l', 'l', 'l', 'r', 'r', 'r'],
        rows: m.queryDifferences.map((d) =>
          texts([
            d.dataset,
            d.run,
            d.queryId,
            d.text ?? '–',
            metric(d.baselineValue),
            metric(d.value),
            signed(d.delta),
          ]),
        ),
      },
    ],
    charts: [],
  };
}

export function reportSections(m: ReportModel): Section[] {
  return [setup(m), effectiveness(m), efficiency(m), robustness(m), queries(m)].filter(
    (s): s is Section => s !== null,
  );
}
