import { type Cell, reportSections, type Table } from './document.ts';
import type { ReportModel } from './model.ts';

/**
 * LaTeX tables as papers print them (ranx's `to_latex` layout): booktabs rules, the best value of each
 * column in bold, significance against the baseline as superscript daggers explained in the caption. The
 * file is a complete document (article + booktabs) so it compiles as is; each table can be copied out.
 */

const LATEX: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  _: '\\_',
  '%': '\\%',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '…': '\\ldots{}',
  '–': '--',
  '’': "'",
  '×': '$\\times$',
  '†': '$^{\\dagger}$',
  '‡': '$^{\\ddagger}$',
};

/** LaTeX text for any string, in one pass (so replacements are never escaped again). */
export function escapeLatex(s: string): string {
  return s.replace(/[\\{}$&#_%^~<>…–’×†‡]/g, (ch) => LATEX[ch]);
}

function cell(c: Cell): string {
  const text = escapeLatex(c.text);
  return `${c.bold ? `\\textbf{${text}}` : text}${c.mark ? escapeLatex(c.mark) : ''}`;
}

export function latexTable(t: Table): string {
  return [
    '\\begin{table}[ht]',
    '\\centering',
    '\\small',
    `\\begin{tabular}{${t.align.join('')}}`,
    '\\toprule',
    `${t.header.map((h) => escapeLatex(h)).join(' & ')} \\\\`,
    '\\midrule',
    ...t.rows.map((r) => `${r.map(cell).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    `\\caption{${escapeLatex(t.caption)}}`,
    `\\label{tab:${t.id}}`,
    '\\end{table}',
  ].join('\n');
}

export function renderLatex(m: ReportModel): string {
  const body: string[] = [];
  for (const s of reportSections(m)) {
    body.push(`\\section*{${escapeLatex(s.title)}}`);
    for (const p of s.paragraphs) body.push(`${escapeLatex(p)}\n`);
    for (const t of s.tables) body.push(latexTable(t));
  }
  return [
    `% ${m.title}: tables generated ${m.generatedAt} by Hypencoder Workbench.`,
    '% Needs the booktabs package; copy single tables into a paper as they are.',
    '\\documentclass{article}',
    '\\usepackage[utf8]{inputenc}',
    '\\usepackage[T1]{fontenc}',
    '\\usepackage{booktabs}',
    '\\usepackage[margin=1.5cm,landscape]{geometry}',
    '\\begin{document}',
    `\\section*{${escapeLatex(m.title)}}`,
    ...body,
    '\\end{document}',
    '',
  ].join('\n');
}
