import type { Chart } from './charts.ts';
import { type Cell, reportSections, type Table } from './document.ts';
import type { ReportModel } from './model.ts';

/** Markdown (GitHub tables) of the same sections; charts are linked as the SVG files written beside it. */

const escapeCell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cell(c: Cell): string {
  const text = escapeCell(c.text);
  return `${c.bold ? `**${text}**` : text}${c.mark ?? ''}`;
}

function table(t: Table): string {
  const lines = [
    `| ${t.header.map(escapeCell).join(' | ')} |`,
    `|${t.align.map((a) => (a === 'r' ? ' ---: ' : ' --- ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n\n*${escapeCell(t.caption)}*`;
}

export function renderMarkdown(
  m: ReportModel,
  charts: ReadonlyMap<string, Chart>,
  chartPath: (id: string) => string,
): string {
  const out = [
    `# ${m.title}`,
    '',
    `Generated ${m.generatedAt} by Hypencoder Workbench. Metrics follow trec_eval 9.0.x; values printed to 4 decimals from the stored doubles.`,
  ];
  for (const s of reportSections(m)) {
    out.push('', `## ${s.title}`);
    for (const p of s.paragraphs) out.push('', p);
    for (const t of s.tables) out.push('', table(t));
    for (const id of s.charts) {
      const chart = charts.get(id);
      if (chart) out.push('', `![${escapeCell(chart.title)}](${chartPath(id)})`);
    }
  }
  if (m.setup.config)
    out.push('', '## Experiment config', '', '```json', JSON.stringify(m.setup.config, null, 2), '```');
  return `${out.join('\n')}\n`;
}
