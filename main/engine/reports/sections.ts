import { describeSettings, type MeasureComparison, type RobustnessRow } from '../experiments/index.ts';
import type { JsonValue } from '../store/index.ts';
import type {
  EffectivenessGroup,
  MeasureDescription,
  QueryDifference,
  ReportRun,
  RobustnessFamily,
  SignificanceMark,
  SignificancePolicy,
  SweepTable,
} from './model.ts';

/** The report's derived sections, computed from runs and comparisons already taken from the store. */

/** One run's aggregate of a measure (the first stored settings when a measure was evaluated twice). */
export function metricOf(run: ReportRun, measure: string): number | null {
  return run.metrics.find((m) => m.measure === measure)?.value ?? null;
}

/** Measures in the order the runs list them (the experiment config's order), each once. */
export function measureOrder(runs: readonly ReportRun[]): string[] {
  return [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.measure)))];
}

export function measureDescriptions(runs: readonly ReportRun[]): MeasureDescription[] {
  const seen = new Map<string, MeasureDescription>();
  for (const r of runs)
    for (const m of r.metrics) {
      const description = describeSettings(m.settings);
      const key = `${m.measure}\u0000${description}`;
      if (!seen.has(key)) seen.set(key, { measure: m.measure, settings: m.settings, description });
    }
  return [...seen.values()];
}

export interface GroupInput {
  dataset: string;
  querySet: string | null;
  baseline: string | null;
  runs: ReportRun[];
  comparisons: readonly MeasureComparison[];
}

/**
 * Effectiveness tables: one per dataset and query set, a row per run and a column per measure, each value
 * marked when it differs significantly from the baseline's (ranx-style markers, explained in every caption)
 * and flagged when it is the best of its column.
 */
export function effectivenessGroups(
  inputs: readonly GroupInput[],
  policy: SignificancePolicy,
): EffectivenessGroup[] {
  return inputs.map((g) => {
    const measures = measureOrder(g.runs);
    const best = measures.map((m) => {
      const values = g.runs.map((r) => metricOf(r, m)).filter((v): v is number => v !== null);
      return values.length ? Math.max(...values) : null;
    });
    return {
      dataset: g.dataset,
      querySet: g.querySet,
      baseline: g.baseline,
      measures,
      rows: g.runs.map((r) => ({
        run: r.name,
        label: r.point ?? r.name,
        isBaseline: r.name === g.baseline,
        cells: measures.map((m, i) => {
          const value = metricOf(r, m);
          const compared = g.comparisons.find((c) => c.measure === m)?.runs.find((x) => x.run === r.name);
          const pValue = compared?.pValues[policy.test] ?? null;
          let mark: SignificanceMark = null;
          if (compared && pValue !== null && pValue < policy.alpha && compared.paired.meanDifference !== 0)
            mark = compared.paired.meanDifference > 0 ? 'better' : 'worse';
          return { value, mark, pValue, best: value !== null && value === best[i] };
        }),
      })),
    };
  });
}

/**
 * Efficient-search sweeps (DESIGN.md §5): per dataset and system with more than one grid point, the swept
 * parameters of each point against the first measure and latency, on the original queries.
 */
export function sweepTables(
  runs: readonly ReportRun[],
  measure: string,
  latencyOf: (run: ReportRun) => { ms: number | null; source: string },
): SweepTable[] {
  const bySystem = new Map<string, ReportRun[]>();
  for (const r of runs) {
    if (r.system === null || r.querySet !== null || r.dataset === null) continue;
    const key = `${r.dataset}\u0000${r.system}`;
    bySystem.set(key, [...(bySystem.get(key) ?? []), r]);
  }
  const out: SweepTable[] = [];
  for (const group of bySystem.values()) {
    if (new Set(group.map((r) => r.point)).size < 2) continue;
    const keys = [...new Set(group.flatMap((r) => Object.keys(r.params)))].sort();
    const swept = keys.filter((k) => new Set(group.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1);
    const latencies = group.map(latencyOf);
    out.push({
      dataset: group[0].dataset!,
      system: group[0].system!,
      measure,
      parameters: swept,
      latencySource: latencies.find((l) => l.ms !== null)?.source ?? 'not measured',
      rows: group.map((r, i) => ({
        point: r.point ?? r.name,
        run: r.name,
        values: Object.fromEntries(swept.map((k) => [k, r.params[k] ?? null])) as Record<string, JsonValue>,
        quality: metricOf(r, measure),
        latencyMs: latencies[i].ms,
      })),
    });
  }
  return out;
}

/** Drop per attack family (Penha et al. ECIR 2022; DESIGN.md §7): means over the family's variation sets. */
export function robustnessFamilies(
  rows: readonly RobustnessRow[],
  familyOf: (querySet: string) => string,
): RobustnessFamily[] {
  const groups = new Map<string, RobustnessRow[]>();
  for (const r of rows) {
    const key = [r.dataset, r.point, familyOf(r.querySet), r.measure].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([key, g]) => {
    const [dataset, point, family, measure] = key.split('\u0000');
    const rel = g.map((r) => r.relativeDrop).filter((v): v is number => v !== null);
    return {
      dataset,
      point,
      family,
      measure,
      sets: g.length,
      meanDrop: g.reduce((a, r) => a + r.drop, 0) / g.length,
      meanRelativeDrop: rel.length === g.length ? rel.reduce((a, v) => a + v, 0) / rel.length : null,
    };
  });
}

/** The queries on which runs differ most from the baseline (largest |delta| first), per comparison group. */
export function queryDifferences(
  groups: readonly GroupInput[],
  measure: string,
  perGroup: number,
  textOf: (dataset: string, queryId: string) => string | null,
): QueryDifference[] {
  const out: QueryDifference[] = [];
  for (const g of groups) {
    if (g.querySet !== null || g.baseline === null) continue;
    const comparison = g.comparisons.find((c) => c.measure === measure);
    if (!comparison) continue;
    const all: QueryDifference[] = comparison.runs.flatMap((r) =>
      r.perQuery
        .filter((q) => q.delta !== 0)
        .map((q) => ({
          dataset: g.dataset,
          measure,
          baseline: comparison.baseline.run,
          run: r.run,
          queryId: q.queryId,
          text: null,
          baselineValue: q.baseline,
          value: q.value,
          delta: q.delta,
        })),
    );
    all.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.queryId.localeCompare(b.queryId));
    for (const d of all.slice(0, perGroup)) out.push({ ...d, text: textOf(g.dataset, d.queryId) });
  }
  return out;
}
