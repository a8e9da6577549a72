import { statSync } from 'node:fs';
import { WorkbenchError } from '../errors.ts';
import { exportRun } from '../runs/index.ts';
import type { Store } from '../store/index.ts';
import { buildExperimentReport, type ReportOptions } from './build.ts';
import { reportCharts } from './charts.ts';
import { latencyCsv, metricsCsv, perQueryCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderLatex } from './latex.ts';
import { renderMarkdown } from './markdown.ts';
import type { ReportModel } from './model.ts';
import { OutputFolder, safeFileName } from './output.ts';
import { chromiumPdfRenderer, type PdfRenderer } from './pdf.ts';
import { buildRunsReport } from './selection.ts';

export const REPORT_FORMATS = ['html', 'pdf', 'md', 'tex', 'csv', 'trec', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `html,pdf,md` (or `all`) → formats; an unknown one is an error naming the known ones. */
export function parseReportFormats(text: string): ReportFormat[] {
  const parts = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (parts.includes('all')) return [...REPORT_FORMATS];
  const bad = parts.filter((p) => !(REPORT_FORMATS as readonly string[]).includes(p));
  if (bad.length || parts.length === 0)
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `${bad.length ? `unknown report format(s) ${bad.map((b) => `"${b}"`).join(', ')}` : 'no report format given'}: use a comma-separated list of ${REPORT_FORMATS.join(', ')} (or all)`,
      { field: 'format' },
    );
  return [...new Set(parts)] as ReportFormat[];
}

export interface ExportReportOptions extends ReportOptions {
  store: Store;
  /** Exactly one of an experiment name and a run selection. */
  experiment?: string;
  runs?: readonly string[];
  formats: readonly ReportFormat[];
  outDir: string;
  /** Replace files the folder already holds (else nothing is written and CONFLICT names them). */
  force?: boolean;
  /** PDF renderer: Electron's printToPDF in the app; default headless Chromium. */
  renderPdf?: PdfRenderer;
}

export interface ExportedFile {
  format: ReportFormat;
  /** Relative to the output folder. */
  path: string;
  bytes: number;
}

export interface ExportReportResult {
  outDir: string;
  files: ExportedFile[];
  model: ReportModel;
}

type Pending = { format: ReportFormat; path: string; content?: string | Uint8Array; runId?: number };

/**
 * Exports a report of an experiment or a run selection in the chosen formats: report.html (self-contained),
 * report.pdf, report.md (+ charts/*.svg), report.tex, metrics.csv + per-query.csv + latency.csv,
 * runs/*.trec and report.json. Everything is rendered first and written only when no target exists (or
 * `force`), so an error leaves the folder as it was.
 */
export async function exportReport(options: ExportReportOptions): Promise<ExportReportResult> {
  const { store } = options;
  if ((options.experiment === undefined) === (options.runs === undefined))
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      'name either an experiment or a selection of runs to report',
      {
        field: 'experiment',
      },
    );
  const formats = new Set(options.formats);
  if (formats.size === 0)
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `choose at least one format of ${REPORT_FORMATS.join(', ')}`,
      {
        field: 'format',
      },
    );
  const model =
    options.experiment !== undefined
      ? buildExperimentReport(store, options.experiment, options)
      : buildRunsReport(store, options.runs!, options);
  const out = new OutputFolder(options.outDir);
  const pending: Pending[] = [];
  const add = (
    format: ReportFormat,
    folder: string,
    name: string,
    content?: string | Uint8Array,
    runId?: number,
  ) => pending.push({ format, path: out.plan(folder, name), content, runId });

  const html = formats.has('html') || formats.has('pdf') ? renderHtml(model) : '';
  if (formats.has('html')) add('html', '', 'report.html', html);
  if (formats.has('pdf'))
    add('pdf', '', 'report.pdf', await (options.renderPdf ?? chromiumPdfRenderer())(html));
  if (formats.has('md')) {
    const charts = reportCharts(model);
    const paths = new Map([...charts.keys()].map((id) => [id, out.plan('charts', safeFileName(id, '.svg'))]));
    add(
      'md',
      '',
      'report.md',
      renderMarkdown(model, charts, (id) => paths.get(id)!.split('\\').join('/')),
    );
    for (const [id, chart] of charts)
      pending.push({
        format: 'md',
        path: paths.get(id)!,
        // A standalone SVG file needs the namespace the inline copy leaves out.
        content: chart.svg.replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" '),
      });
  }
  if (formats.has('tex')) add('tex', '', 'report.tex', renderLatex(model));
  if (formats.has('csv')) {
    add('csv', '', 'metrics.csv', metricsCsv(model));
    add('csv', '', 'per-query.csv', perQueryCsv(model));
    add('csv', '', 'latency.csv', latencyCsv(model));
  }
  if (formats.has('trec'))
    for (const r of model.runs) add('trec', 'runs', safeFileName(r.name, '.trec'), undefined, r.runId);
  if (formats.has('json')) add('json', '', 'report.json', `${JSON.stringify(model, null, 2)}\n`);

  out.checkOverwrite(
    pending.map((p) => p.path),
    options.force === true,
  );
  const files: ExportedFile[] = [];
  for (const p of pending) {
    if (p.runId !== undefined) {
      const target = out.inside(p.path);
      out.write(p.path, ''); // creates the folder and replaces a planted link before the run is written
      exportRun(store, store.runs.getById(p.runId)!, target, 'trec');
      files.push({ format: p.format, path: p.path, bytes: statSync(target).size });
      continue;
    }
    out.write(p.path, p.content!);
    files.push({
      format: p.format,
      path: p.path,
      bytes: typeof p.content === 'string' ? Buffer.byteLength(p.content) : p.content!.byteLength,
    });
  }
  return { outDir: out.root, files, model };
}
