// Reports: an experiment or a run selection exported as self-contained HTML, PDF, Markdown, LaTeX tables,
// CSV, TREC runs and a JSON bundle; every number printed from the stored values (README.md).

export { buildExperimentReport, type ReportOptions } from './build.ts';
export { type Chart, reportCharts } from './charts.ts';
export { csvField, latencyCsv, metricsCsv, perQueryCsv } from './csv.ts';
export { type Cell, reportSections, type Section, type Table } from './document.ts';
export {
  type ExportedFile,
  type ExportReportOptions,
  type ExportReportResult,
  exportReport,
  parseReportFormats,
  REPORT_FORMATS,
  type ReportFormat,
} from './export.ts';
export { escapeHtml, renderHtml } from './html.ts';
export { escapeLatex, latexTable, renderLatex } from './latex.ts';
export { renderMarkdown } from './markdown.ts';
export type * from './model.ts';
export { REPORT_FORMAT, REPORT_VERSION } from './model.ts';
export { MARKS, METRIC_DIGITS, metric, ms, pValue, qps, significanceCaption } from './numbers.ts';
export { OutputFolder, safeFileName } from './output.ts';
export { chromiumPdfRenderer, DEFAULT_CHROMIUM, type PdfRenderer } from './pdf.ts';
export { buildRunsReport } from './selection.ts';
