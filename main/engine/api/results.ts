import { z } from 'zod';
import { adjustPValues, compareRuns } from '../eval/index.ts';
import type { RunRecord } from '../store/index.ts';
import { findSweeps, paretoFront, type SweepSeries, symmetricHistogram } from './analysis.ts';
import type { ApiContext } from './context.ts';
import { type NumberSettings, RunEvaluator, type StoredEvaluation } from './evaluation.ts';
import { handler } from './handler.ts';
import {
  EvalOptionsSchema,
  evalRequest,
  experimentOf,
  querySetOf,
  type RunSummary,
  runSummary,
} from './runs.ts';

/** Significance markers: paired t-test, two-sided, Holm-corrected over the runs compared with the baseline. */
export const SIGNIFICANCE = { test: 'paired t-test (two-sided)', correction: 'holm', alpha: 0.05 } as const;

export interface BaselineTest {
  difference: number;
  pValue: number;
  pAdjusted: number;
  significant: boolean;
}

export interface ResultRow extends RunSummary {
  values: Record<string, { value: number; vsBaseline: BaselineTest | null }>;
  /** The latency the Pareto front uses for this run (see `latencySource`); null without one. */
  paretoLatency: number | null;
  /** On the Pareto front of (latency, first measure); null without a latency. */
  pareto: boolean | null;
  /** Per-stage latency percentiles, ms: the profile's stages, else the search time alone. */
  stages: { stage: string; p50: number; p95: number; p99: number }[];
}

export interface RobustnessEntry {
  system: string;
  family: string;
  querySet: string;
  original: number;
  varied: number;
  drop: number;
  relativeDrop: number;
}

export interface ResultsSummary {
  dataset: string;
  baseline: string | null;
  significance: typeof SIGNIFICANCE;
  /** What the Pareto front's latency is: profiled totals and recorded search times are never mixed. */
  latencySource: string | null;
  columns: { name: string; settings: NumberSettings }[];
  rows: ResultRow[];
  /** Runs that could not be evaluated, and why. */
  skipped: { run: string; reason: string }[];
  sweeps: (SweepSeries & { values: number[] })[];
  robustness: RobustnessEntry[];
  /** Per-query differences from the baseline in the first measure, binned. */
  deltas: { run: string; edges: number[]; counts: number[] }[];
}

export const PROFILE_LATENCY = 'p50 total per query (tokenize + encode + search), latency profile at batch 1';
export const SEARCH_LATENCY = 'p50 search time per query as recorded by the run (query encoding excluded)';

function stagesOf(summary: RunSummary): ResultRow['stages'] {
  if (summary.profile) return summary.profile.stages;
  const l = summary.latencyMs;
  return l ? [{ stage: 'search', p50: l.p50, p95: l.p95, p99: l.p99 }] : [];
}

export function resultHandlers(ctx: ApiContext, evaluator: RunEvaluator) {
  const { store, attacks } = ctx;
  const familyOf = (querySet: string): string =>
    attacks.repository.get(querySet)?.family ?? querySet.split(/[/@:]/)[0];
  return {
    /** The Results view for one dataset: metrics with settings and significance, and every chart's data. */
    summary: handler(
      z
        .object({
          dataset: z.string().min(1).max(200),
          runs: z.array(z.string().min(1).max(500)).max(200).optional(),
          baseline: z.string().min(1).max(500).optional(),
        })
        .extend(EvalOptionsSchema.shape)
        .strict(),
      (input): ResultsSummary => {
        const dataset = store.datasets.require(input.dataset);
        const wanted = input.runs ? new Set(input.runs) : null;
        const runs = store.runs
          .list()
          .filter(
            (r) => r.datasetId === dataset.id && r.status === 'ready' && (!wanted || wanted.has(r.name)),
          );
        const request = evalRequest(input);
        const evaluated: { run: RunRecord; stored: StoredEvaluation }[] = [];
        const skipped: ResultsSummary['skipped'] = [];
        for (const run of runs) {
          try {
            evaluated.push({ run, stored: evaluator.evaluate(run, request) });
          } catch (err) {
            skipped.push({ run: run.name, reason: (err as Error).message });
          }
        }
        const first = evaluated[0]?.stored.columns.filter((c) => c.aggregate === 'mean') ?? [];
        const columns = first.map((c) => ({ name: c.name, settings: c.settings }));
        const baselineName =
          input.baseline ?? evaluated.find((e) => querySetOf(e.run) === null)?.run.name ?? null;
        const base = evaluated.find((e) => e.run.name === baselineName) ?? null;

        const rows: ResultRow[] = evaluated.map(({ run, stored }) => {
          const summary = runSummary(store, run);
          return {
            ...summary,
            values: Object.fromEntries(
              columns.map((c) => [
                c.name,
                { value: RunEvaluator.value(stored, c.name) ?? Number.NaN, vsBaseline: null },
              ]),
            ) as ResultRow['values'],
            paretoLatency: null,
            pareto: null,
            stages: stagesOf(summary),
          };
        });
        if (base) {
          for (const c of columns) {
            const baseValues = RunEvaluator.perQuery(base.stored, c.name);
            const tests = evaluated.map(({ run, stored }) => {
              if (run.name === base.run.name) return null;
              const t = compareRuns(baseValues, RunEvaluator.perQuery(stored, c.name), {
                resamples: 200,
                permutations: 200,
              });
              return { difference: t.meanDifference, pValue: t.tTest?.pValue ?? 1 };
            });
            const present = tests.map((t, i) => [t, i] as const).filter(([t]) => t !== null);
            const adjusted = adjustPValues(
              present.map(([t]) => t!.pValue),
              'holm',
            );
            present.forEach(([t, i], k) => {
              rows[i].values[c.name].vsBaseline = {
                ...t!,
                pAdjusted: adjusted[k],
                significant: adjusted[k] < SIGNIFICANCE.alpha,
              };
            });
          }
        }
        const quality = columns[0]?.name;
        const originals = rows.filter((r) => r.querySet === null);
        const profiled = originals.some((r) => r.profile !== null);
        for (const r of originals)
          r.paretoLatency = profiled ? (r.profile?.totalP50 ?? null) : (r.latencyMs?.p50 ?? null);
        const timed = originals.filter((r) => r.paretoLatency !== null && quality);
        const front = paretoFront(
          timed.map((r) => ({ latency: r.paretoLatency!, quality: r.values[quality!].value })),
        );
        timed.forEach((r, k) => {
          r.pareto = front[k];
        });
        const latencySource = timed.length ? (profiled ? PROFILE_LATENCY : SEARCH_LATENCY) : null;

        const plain = rows.filter((r) => r.querySet === null);
        const sweeps = quality
          ? findSweeps(plain.map((r) => ({ name: r.name, params: r.params }))).map((s) => ({
              ...s,
              values: s.points.map((p) => rows.find((r) => r.name === p.run)!.values[quality].value),
            }))
          : [];

        const robustness: RobustnessEntry[] = [];
        if (quality) {
          for (const r of rows) {
            if (r.querySet === null) continue;
            // An experiment's varied run pairs with the same grid point on the original queries; other runs
            // with the run of identical settings.
            const mine = experimentOf(evaluated.find((e) => e.run.name === r.name)!.run);
            const original = plain.find((p) => {
              if (mine?.name) {
                const theirs = experimentOf(evaluated.find((e) => e.run.name === p.name)!.run);
                return theirs?.name === mine.name && theirs.point === mine.point;
              }
              return Object.entries(r.params).every(([k, v]) => p.params[k] === v);
            });
            if (!original) continue;
            const o = original.values[quality].value;
            const v = r.values[quality].value;
            robustness.push({
              system: original.name,
              family: familyOf(r.querySet),
              querySet: r.querySet,
              original: o,
              varied: v,
              drop: o - v,
              relativeDrop: o > 0 ? (o - v) / o : 0,
            });
          }
        }

        const deltas: ResultsSummary['deltas'] = [];
        if (base && quality) {
          const baseValues = RunEvaluator.perQuery(base.stored, quality);
          const perRun: { run: string; d: number[] }[] = [];
          for (const { run, stored } of evaluated) {
            if (run.name === base.run.name || querySetOf(run) !== null) continue;
            const d: number[] = [];
            for (const [q, v] of RunEvaluator.perQuery(stored, quality)) {
              const b = baseValues.get(q);
              if (b !== undefined) d.push(v - b);
            }
            perRun.push({ run: run.name, d });
          }
          // one set of bins for every run, so that the histograms can be drawn over each other
          const range = perRun.reduce((m, x) => x.d.reduce((a, v) => Math.max(a, Math.abs(v)), m), 0) || 1;
          for (const { run, d } of perRun) deltas.push({ run, ...symmetricHistogram(d, 20, range) });
        }
        return {
          dataset: dataset.name,
          baseline: base?.run.name ?? null,
          significance: SIGNIFICANCE,
          latencySource,
          columns,
          rows,
          skipped,
          sweeps,
          robustness,
          deltas,
        };
      },
    ),
  };
}
