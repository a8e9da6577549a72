import { type Chart, reportCharts } from './charts.ts';
import { type Cell, reportSections, type Table } from './document.ts';
import type { ReportModel } from './model.ts';

/**
 * The self-contained HTML report: inline CSS, charts as inline SVG, no script, no link, no URL — it opens
 * offline and loads nothing (the same file is printed to PDF). Metric cells carry `data-run` and
 * `data-measure` so the GUI and tests can read values back.
 */

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 13px; color: #1a1a1a; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; border-bottom: 1px solid #bbb; padding-bottom: 3px; margin-top: 28px; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 10px 0 4px; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; color: #444; font-size: 11.5px; padding-top: 4px; max-width: 1000px; }
th, td { padding: 3px 9px; border-top: 1px solid #ddd; vertical-align: top; }
thead th { border-top: 2px solid #333; border-bottom: 1px solid #333; text-align: left; }
tbody tr:last-child td { border-bottom: 2px solid #333; }
td.r, th.r { text-align: right; }
td.best { font-weight: bold; }
sup { font-size: 9px; }
figure { margin: 12px 0; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 11.5px; color: #444; }
details pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 11px; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } table { page-break-inside: auto; } tr { page-break-inside: avoid; } }
`;

function cell(c: Cell, align: 'l' | 'r'): string {
  const cls = [align === 'r' ? 'r' : '', c.bold ? 'best' : ''].filter(Boolean).join(' ');
  const data = c.key
    ? ` data-run="${escapeHtml(c.key.run)}" data-measure="${escapeHtml(c.key.measure)}"`
    : '';
  const mark = c.mark ? `<sup>${escapeHtml(c.mark)}</sup>` : '';
  return `<td${cls ? ` class="${cls}"` : ''}${data}>${escapeHtml(c.text)}${mark}</td>`;
}

function table(t: Table): string {
  const head = t.header
    .map((h, i) => `<th${t.align[i] === 'r' ? ' class="r"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const body = t.rows
    .map((r) => `<tr>${r.map((c, i) => cell(c, t.align[i] ?? 'l')).join('')}</tr>`)
    .join('\n');
  return `<table data-table="${escapeHtml(t.id)}">\n<caption>${escapeHtml(t.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function figure(chart: Chart): string {
  return `<figure data-figure="${escapeHtml(chart.id)}">\n${chart.svg}\n<figcaption>${escapeHtml(chart.title)}</figcaption>\n</figure>`;
}

export function renderHtml(m: ReportModel): string {
  const charts = reportCharts(m);
  const sections = reportSections(m)
    .map((s) => {
      const figures = s.charts
        .map((id) => charts.get(id))
        .filter((x): x is Chart => x !== undefined)
        .map(figure);
      return [
        `<section id="${escapeHtml(s.id)}">`,
        `<h2>${escapeHtml(s.title)}</h2>`,
        ...s.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
        ...s.tables.map(table),
        ...figures,
        '</section>',
      ].join('\n');
    })
    .join('\n');
  const config = m.setup.config
    ? `<details><summary>Experiment config (as validated, defaults filled in)</summary><pre>${escapeHtml(JSON.stringify(m.setup.config, null, 2))}</pre></details>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Hypencoder Workbench">
<title>${escapeHtml(m.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(m.title)}</h1>
<p class="meta">Generated ${escapeHtml(m.generatedAt)} by Hypencoder Workbench. Metrics follow trec_eval 9.0.x; every value is printed to 4 decimals from the stored double.</p>
${sections}
${config}
</body>
</html>
`;
}
