import { z } from 'zod';
import { compareRuns, type PairedComparison } from '../eval/index.ts';
import { importRun } from '../runs/index.ts';
import type { RunRecord, Store } from '../store/index.ts';
import {
  differingParams,
  flattenParams,
  type ParamScalar,
  settingParams,
  symmetricHistogram,
} from './analysis.ts';
import type { ApiContext } from './context.ts';
import {
  DEFAULT_RESULT_MEASURES,
  type EvalRequest,
  type NumberSettings,
  RunEvaluator,
} from './evaluation.ts';
import { handler, noInput } from './handler.ts';

const runName = z.string().min(1).max(500);
const measures = z.array(z.string().min(1).max(100)).min(1).max(20);
/** The evaluation settings every comparison and drill-down is computed under. */
export const EvalOptionsSchema = z.object({
  measures: measures.optional(),
  relevanceLevel: z.number().int().min(1).max(100).optional(),
  split: z.string().min(1).max(200).nullable().optional(),
});

export function evalRequest(o: z.output<typeof EvalOptionsSchema>, run?: RunRecord): EvalRequest {
  const configured = run?.config.split;
  return {
    measures: o.measures ?? [...DEFAULT_RESULT_MEASURES],
    relevanceLevel: o.relevanceLevel ?? 1,
    split: o.split !== undefined ? o.split : typeof configured === 'string' ? configured : null,
  };
}

export interface RunSummary {
  name: string;
  dataset: string | null;
  source: string;
  format: string | null;
  status: RunRecord['status'];
  createdAt: string;
  queries: number;
  /** The run's settings, flattened (`graphSearch.nCandidates`), input hashes left out. */
  params: Record<string, ParamScalar>;
  /** Search time per query as the run recorded it (query encoding excluded). */
  latencyMs: { p50: number; p95: number; p99: number; mean: number } | null;
  /**
   * The experiment's latency profile at batch size 1 (most threads): per-stage percentiles, tokenize to total,
   * and the QPS measured over the timed loop. Null for runs that were not profiled.
   */
  profile: LatencyProfile | null;
  /** The query-variation set the run answered; null for the dataset's own queries. */
  querySet: string | null;
}

export interface LatencyProfile {
  stages: { stage: string; p50: number; p95: number; p99: number }[];
  totalP50: number;
  qps: number;
  /** How it was measured, e.g. `2 threads, cpu, 50 queries × 3`. */
  settings: string;
}

export function latencyOf(run: RunRecord): RunSummary['latencyMs'] {
  const l = run.stats.latencyMs as Record<string, unknown> | undefined;
  if (!l || typeof l.p50 !== 'number') return null;
  return { p50: l.p50, p95: Number(l.p95), p99: Number(l.p99), mean: Number(l.mean) };
}

interface StatsExperiment {
  name?: string;
  system?: string;
  point?: string;
  querySet?: string | null;
}
interface StatsLatency {
  settings?: {
    batchSize?: number;
    threads?: number;
    provider?: string;
    queries?: number;
    repetitions?: number;
  };
  summary?: { qps?: number; stages?: Record<string, { p50: number; p95: number; p99: number }> };
}

/** The experiment a run belongs to, as the runner records it in `stats.experiment` (experiments/runner.ts). */
export function experimentOf(run: RunRecord): StatsExperiment | null {
  const e = run.stats.experiment;
  return e && typeof e === 'object' && !Array.isArray(e) ? (e as StatsExperiment) : null;
}

export function querySetOf(run: RunRecord): string | null {
  const fromExperiment = experimentOf(run)?.querySet;
  if (typeof fromExperiment === 'string') return fromExperiment;
  return typeof run.config.querySet === 'string' ? run.config.querySet : null;
}

/** The profile at batch size 1 with the most threads, as the experiment report picks it (report.ts runLatency). */
export function profileOf(run: RunRecord): LatencyProfile | null {
  const all = Array.isArray(run.stats.latency) ? (run.stats.latency as unknown as StatsLatency[]) : [];
  const single = all.filter((m) => m.settings?.batchSize === 1 && m.summary?.stages);
  if (single.length === 0) return null;
  const p = single.reduce((a, b) => ((b.settings?.threads ?? 0) > (a.settings?.threads ?? 0) ? b : a));
  const order = ['tokenize', 'encode', 'search', 'total'];
  const stages = Object.entries(p.summary!.stages!)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([stage, x]) => ({ stage, p50: x.p50, p95: x.p95, p99: x.p99 }));
  const s = p.settings!;
  return {
    stages,
    totalP50: p.summary!.stages!.total?.p50 ?? Number.NaN,
    qps: p.summary!.qps ?? Number.NaN,
    settings: `${s.threads} threads, ${s.provider}, ${s.queries} queries × ${s.repetitions}`,
  };
}

export function runSummary(store: Store, run: RunRecord): RunSummary {
  const experiment = experimentOf(run);
  const params = settingParams(flattenParams(run.config));
  delete params.querySet;
  if (experiment?.name) params.experiment = experiment.name;
  if (experiment?.system) params.system = experiment.system;
  return {
    name: run.name,
    dataset: run.datasetName,
    source: run.source,
    format: run.format,
    status: run.status,
    createdAt: run.createdAt,
    queries: store.runs.queryCount(run.id),
    params,
    latencyMs: latencyOf(run),
    profile: profileOf(run),
    querySet: querySetOf(run),
  };
}

export interface MeasureComparison {
  measure: string;
  settings: NumberSettings;
  a: number;
  b: number;
  test: PairedComparison;
  /** Per-query B − A, binned symmetrically around 0. */
  histogram: { edges: number[]; counts: number[] };
}

export interface QueryRow {
  queryId: string;
  text: string | null;
  a: number;
  b: number;
  delta: number;
}

export interface RankedEntry {
  rank: number;
  docno: string;
  score: number;
  /** The qrels label; null when the document was never judged for this query. Negative: pooled, unjudged. */
  label: number | null;
  title: string | null;
  text: string | null;
}

export interface DrillDown {
  queryId: string;
  text: string | null;
  relevanceLevel: number;
  /** Documents judged relevant (label ≥ the level) for this query. */
  relevant: number;
  runs: { run: string; values: Record<string, number>; entries: RankedEntry[]; relevantMissing: number }[];
}

const PAIR = z.object({ a: runName, b: runName }).extend(EvalOptionsSchema.shape).strict();

export function runHandlers(ctx: ApiContext, evaluator: RunEvaluator) {
  const { store, jobs } = ctx;
  return {
    list: handler(noInput, () => store.runs.list().map((r) => runSummary(store, r))),
    show: handler(z.object({ name: runName }).strict(), ({ name }) => {
      const run = store.runs.require(name);
      const { perQuery: _omit, ...stats } = run.stats;
      return { ...runSummary(store, run), config: run.config, environment: run.environment, stats };
    }),
    delete: handler(z.object({ name: runName }).strict(), ({ name }) => {
      store.runs.require(name);
      return { deleted: store.runs.delete(name) };
    }),
    /** Imports a TREC or reference-JSONL run file as a job (runs/README.md). */
    import: handler(
      z
        .object({
          path: z.string().min(1).max(4096),
          dataset: z.string().min(1).max(200),
          name: runName.optional(),
          format: z.enum(['trec', 'jsonl']).optional(),
        })
        .strict(),
      (params) => {
        store.datasets.require(params.dataset);
        const { id } = jobs.start('runs:import', `import run ${params.name ?? params.path}`, async (job) => {
          job.progress({ done: 0, total: 1, stage: 'reading' });
          const r = await importRun(store, { ...params, signal: job.signal });
          return { run: r.run.name, queries: r.queries, lines: r.lines, elapsedMs: r.elapsedMs };
        });
        return { jobId: id };
      },
    ),
    /** Two runs side by side: only the parameters that differ, and each measure with paired tests. */
    compare: handler(PAIR, (input) => {
      const ra = store.runs.require(input.a);
      const rb = store.runs.require(input.b);
      const request = evalRequest(input, ra);
      const ea = evaluator.evaluate(ra, request);
      const eb = evaluator.evaluate(rb, request);
      const pa = { dataset: ra.datasetName, source: ra.source, ...settingParams(flattenParams(ra.config)) };
      const pb = { dataset: rb.datasetName, source: rb.source, ...settingParams(flattenParams(rb.config)) };
      const comparisons: MeasureComparison[] = ea.columns
        .filter((c) => c.aggregate === 'mean' && eb.columns.some((x) => x.name === c.name))
        .map((c) => {
          const test = compareRuns(RunEvaluator.perQuery(ea, c.name), RunEvaluator.perQuery(eb, c.name));
          const deltas: number[] = [];
          const va = RunEvaluator.perQuery(ea, c.name);
          for (const [q, v] of RunEvaluator.perQuery(eb, c.name)) {
            const x = va.get(q);
            if (x !== undefined) deltas.push(v - x);
          }
          return {
            measure: c.name,
            settings: c.settings,
            a: RunEvaluator.value(ea, c.name) ?? Number.NaN,
            b: RunEvaluator.value(eb, c.name) ?? Number.NaN,
            test,
            histogram: symmetricHistogram(deltas),
          };
        });
      return {
        a: runSummary(store, ra),
        b: runSummary(store, rb),
        parameters: differingParams(pa, pb),
        latency: { a: latencyOf(ra), b: latencyOf(rb) },
        comparisons,
      };
    }),
    /** Per-query values of one measure for two runs, largest differences first: where to drill down. */
    queries: handler(PAIR.extend({ measure: z.string().min(1).max(100) }).strict(), (input) => {
      const ra = store.runs.require(input.a);
      const rb = store.runs.require(input.b);
      const request = evalRequest({ ...input, measures: [input.measure] }, ra);
      const va = RunEvaluator.perQuery(evaluator.evaluate(ra, request), input.measure);
      const vb = RunEvaluator.perQuery(evaluator.evaluate(rb, request), input.measure);
      const datasetId = ra.datasetId;
      const rows: QueryRow[] = [];
      for (const [queryId, a] of va) {
        const b = vb.get(queryId);
        if (b === undefined) continue;
        const text = datasetId === null ? null : (store.queries.get(datasetId, queryId)?.text ?? null);
        rows.push({ queryId, text, a, b, delta: b - a });
      }
      return rows.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.queryId < y.queryId ? -1 : 1));
    }),
    /** One query in detail: its text and each run's ranking with the qrels label of every document. */
    drilldown: handler(
      z
        .object({
          runs: z.array(runName).min(1).max(4),
          queryId: z.string().min(1).max(500),
          depth: z.number().int().min(1).max(1000).optional(),
        })
        .extend(EvalOptionsSchema.shape)
        .strict(),
      (input): DrillDown => {
        const records = input.runs.map((n) => store.runs.require(n));
        const request = evalRequest(input, records[0]);
        const depth = input.depth ?? 20;
        const datasetId = records[0].datasetId;
        const qrels =
          datasetId === null
            ? new Map<string, number>()
            : (store.qrels.load(datasetId, request.split ?? undefined).get(input.queryId) ??
              new Map<string, number>());
        const relevant = [...qrels.values()].filter((l) => l >= request.relevanceLevel).length;
        let text: string | null =
          datasetId === null ? null : (store.queries.get(datasetId, input.queryId)?.text ?? null);
        const runs = records.map((run) => {
          let ranking: { docnos: string[]; scores: Float64Array } | undefined;
          for (const r of store.runs.iterateResults(run.id)) {
            if (r.queryId !== input.queryId) continue;
            ranking = r;
            text ??= r.queryText;
            break;
          }
          const docnos = ranking?.docnos ?? [];
          const entries: RankedEntry[] = docnos.slice(0, depth).map((docno, i) => {
            const doc = run.datasetId === null ? undefined : store.documents.get(run.datasetId, docno);
            return {
              rank: i + 1,
              docno,
              score: ranking!.scores[i],
              label: qrels.get(docno) ?? null,
              title: doc?.title || null,
              text: doc ? (doc.text.length > 400 ? `${doc.text.slice(0, 400)}…` : doc.text) : null,
            };
          });
          const retrieved = new Set(docnos);
          const relevantMissing = [...qrels].filter(
            ([d, l]) => l >= request.relevanceLevel && !retrieved.has(d),
          ).length;
          const values: Record<string, number> = {};
          try {
            const stored = evaluator.evaluate(run, request);
            for (const c of stored.columns) {
              const v = RunEvaluator.perQuery(stored, c.name).get(input.queryId);
              if (v !== undefined) values[c.name] = v;
            }
          } catch {
            // a run without qrels still shows its ranking
          }
          return { run: run.name, values, entries, relevantMissing };
        });
        return { queryId: input.queryId, text, relevanceLevel: request.relevanceLevel, relevant, runs };
      },
    ),
  };
}
