import type { GroupRobustness, RobustnessReport } from './robustness.ts';

/**
 * The robustness table of an experiment: one row per attack group (family/variant), one column per
 * model and search mode, each cell the relative drop of the measure over that group's sets (mean ± std)
 * — the shape of the reproduction's attack table ("misspelling: −32.4 % Hypencoder vs −28.6 % BE-base").
 */

export interface RobustnessTableEntry {
  model: string;
  mode: string;
  report: RobustnessReport;
}

export interface RobustnessTableRow {
  group: string;
  family: string;
  variant: string;
  /** Aligned with `columns`; null where that model/mode has no result for the group. */
  cells: (GroupRobustness | null)[];
}

export interface RobustnessTable {
  measure: string;
  columns: { model: string; mode: string }[];
  rows: RobustnessTableRow[];
}

export function robustnessTable(entries: readonly RobustnessTableEntry[]): RobustnessTable {
  const measures = new Set(entries.map((e) => e.report.measure));
  if (measures.size > 1) throw new Error(`one table per measure; got ${[...measures].join(', ')}`);
  const rows = new Map<string, RobustnessTableRow>();
  entries.forEach((entry, column) => {
    for (const g of entry.report.groups) {
      let row = rows.get(g.group);
      if (!row) {
        row = { group: g.group, family: g.family, variant: g.variant, cells: entries.map(() => null) };
        rows.set(g.group, row);
      }
      row.cells[column] = g;
    }
  });
  return {
    measure: entries[0]?.report.measure ?? '',
    columns: entries.map((e) => ({ model: e.model, mode: e.mode })),
    rows: [...rows.values()],
  };
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** One cell as text: "32.4 % ± 1.1 (10 sets, 9 p<0.05)"; a drop is positive when the attack hurt. */
export function formatCell(g: GroupRobustness | null): string {
  if (!g) return '–';
  if (!g.relativeDrop) return 'n/a (original mean 0)';
  const sd = g.sets > 1 ? ` ± ${(g.relativeDrop.std * 100).toFixed(1)}` : '';
  return `${percent(g.relativeDrop.mean)}${sd} (${g.sets} set${g.sets > 1 ? 's' : ''}, ${g.significantSets} p<${g.alpha})`;
}

/** The table as aligned text with its settings in the title, for the CLI and text reports. */
export function formatRobustnessTable(table: RobustnessTable): string {
  const header = ['attack', ...table.columns.map((c) => `${c.model} (${c.mode})`)];
  const original = [
    `original ${table.measure}`,
    ...table.columns.map((_, i) => {
      const g = table.rows.find((r) => r.cells[i])?.cells[i];
      return g ? g.original.mean.toFixed(4) : '–';
    }),
  ];
  const body = table.rows.map((r) => [r.group, ...r.cells.map(formatCell)]);
  const all = [header, original, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const title = `relative ${table.measure} drop (original − varied) / original, mean ± std over sets; paired t-test`;
  return [title, line(header), ...all.slice(1).map(line)].join('\n');
}
