import { WorkbenchError } from '../errors.ts';
import type { JsonObject, Store } from '../store/index.ts';

/**
 * Every search becomes a run in the store: per query its ranking (score desc, docno desc — the order
 * `RunsRepository` expects), the run's parameters and environment in `config`/`environment`, and per-query
 * counters with their aggregates in `stats`. A run is written only once every query has been searched, in
 * one transaction, so a failed or cancelled search leaves no partial run behind.
 */

export interface QueryCounters {
  /** Wall time of this query's search, ms (query encoding excluded: embeddings and q-nets come precomputed). */
  searchMs: number;
  documentsScored: number | null;
  iterations: number;
  /** HNSW: recall@k of this query against exact search. */
  recall?: number;
  /** Re-ranking: base-run documents without an embedding, left out. */
  missing?: number;
}

export interface QueryOutcome {
  queryId: string;
  queryText: string | null;
  docnos: string[];
  scores: Float64Array;
  counters: QueryCounters;
}

export interface SearchRunInfo {
  name: string;
  datasetId: number | null;
  tag?: string;
  /** `search:<mode>`, e.g. search:qnet-graph. */
  source: string;
  config: JsonObject;
  environment: JsonObject;
  /** Documents in the searched corpus, for the fraction scored. */
  corpusRows?: number;
  /** Extra aggregate statistics (graph build report, recall of the whole run). */
  extraStats?: JsonObject;
}

/** Nearest-rank percentile of ascending-sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export function summarise(outcomes: readonly QueryOutcome[], corpusRows?: number): JsonObject {
  const ms = Float64Array.from(outcomes, (o) => o.counters.searchMs).sort();
  const scored = outcomes.map((o) => o.counters.documentsScored).filter((x): x is number => x !== null);
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const stats: JsonObject = {
    queries: outcomes.length,
    latencyMs: {
      p50: round(percentile(ms, 50)),
      p95: round(percentile(ms, 95)),
      p99: round(percentile(ms, 99)),
      mean: round(mean(Array.from(ms))),
    },
    meanIterations: round(mean(outcomes.map((o) => o.counters.iterations))),
  };
  if (scored.length) {
    stats.meanDocumentsScored = round(mean(scored), 1);
    if (corpusRows) stats.fractionScored = round(mean(scored) / corpusRows, 6);
  }
  const recalls = outcomes.map((o) => o.counters.recall).filter((x): x is number => x !== undefined);
  if (recalls.length) stats.meanRecall = round(mean(recalls), 4);
  const missing = outcomes.reduce((a, o) => a + (o.counters.missing ?? 0), 0);
  if (outcomes.some((o) => o.counters.missing !== undefined)) stats.missingDocuments = missing;
  const perQuery: JsonObject = {};
  for (const o of outcomes) {
    const c: JsonObject = { ms: round(o.counters.searchMs), iterations: o.counters.iterations };
    if (o.counters.documentsScored !== null) c.scored = o.counters.documentsScored;
    if (o.counters.recall !== undefined) c.recall = round(o.counters.recall, 4);
    if (o.counters.missing !== undefined) c.missing = o.counters.missing;
    perQuery[o.queryId] = c;
  }
  stats.perQuery = perQuery;
  return stats;
}

/** Fails early (before any searching) when the run name is taken. */
export function checkRunName(store: Pick<Store, 'runs'>, name: string): void {
  if (!name || /\s/.test(name)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `run name ${JSON.stringify(name)} must be non-empty without white space (it is the TREC run tag)`,
      { field: 'run' },
    );
  }
  if (store.runs.get(name)) {
    throw new WorkbenchError(
      'CONFLICT',
      `a run named "${name}" exists already; choose another name or delete it with \`runs delete ${name}\``,
      { field: 'run', name },
    );
  }
}

export function recordSearchRun(
  store: Pick<Store, 'runs' | 'transaction'>,
  info: SearchRunInfo,
  outcomes: readonly QueryOutcome[],
): { runId: number; stats: JsonObject } {
  checkRunName(store, info.name);
  const stats = { ...summarise(outcomes, info.corpusRows), ...info.extraStats };
  const runId = store.transaction(() => {
    const id = store.runs.create({
      name: info.name,
      datasetId: info.datasetId,
      tag: info.tag ?? info.name,
      format: 'search',
      source: info.source,
      config: info.config,
      environment: info.environment,
    });
    for (const o of outcomes)
      store.runs.addRanking(id, o.queryId, o.queryText, { docnos: o.docnos, scores: o.scores });
    store.runs.finish(id, 'ready', stats);
    return id;
  });
  return { runId, stats };
}
