import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { inputError, WorkbenchError } from '../errors.ts';
import type { JsonObject, RunRecord, Store } from '../store/index.ts';
import { type ParsedQuery, type ParsedRun, parseJsonlRun, parseTrecRun, type RunFormat } from './parse.ts';
import { rankDocuments } from './ranking.ts';

export interface RunImportParams {
  path: string;
  /** Dataset the run was made on (its queries are checked against the run's). */
  dataset?: string;
  /** Defaults to the file name without extensions. */
  name?: string;
  /** Defaults to jsonl for *.jsonl[.gz], else trec. */
  format?: RunFormat;
  signal?: AbortSignal;
}

export interface RunImportResult {
  run: RunRecord;
  queries: number;
  lines: number;
  elapsedMs: number;
}

export function runFormatOf(path: string): RunFormat {
  return /\.jsonl?(\.gz)?$/i.test(path) ? 'jsonl' : 'trec';
}

export function defaultRunName(path: string): string {
  return basename(path)
    .replace(/\.gz$/i, '')
    .replace(/\.(jsonl|json|txt|trec|run|tsv)$/i, '');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A docno retrieved twice for one query is an error (trec_eval refuses it too), naming both places. */
function checkDuplicates(file: string, format: RunFormat, q: ParsedQuery): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < q.docnos.length; i++) {
    const first = seen.get(q.docnos[i]);
    if (first === undefined) {
      seen.set(q.docnos[i], i);
      continue;
    }
    const where =
      format === 'trec'
        ? `first at line ${q.lines[first]}`
        : `items[${q.items[first]}] and items[${q.items[i]}] of this line`;
    const e = inputError(
      'INPUT_DUPLICATE',
      { file, line: q.lines[i], field: format === 'trec' ? 'docno' : `items[${q.items[i]}].id` },
      `document "${q.docnos[i]}" retrieved twice for query "${q.queryId}" (${where})`,
      'A run may rank each document once per query: remove one of them',
    );
    throw new WorkbenchError(e.code, e.message, { ...e.details, firstLine: q.lines[first] });
  }
}

/**
 * Imports a run file all-or-nothing: it is parsed and checked in full first, then written in one
 * transaction (one row per query, ranked as trec_eval ranks), so a failure stores nothing.
 */
export async function importRun(store: Store, params: RunImportParams): Promise<RunImportResult> {
  const started = Date.now();
  const path = resolve(params.path);
  const format = params.format ?? runFormatOf(path);
  const name = (params.name ?? defaultRunName(path)).trim();
  if (name.length === 0 || /[\p{Cc}]/u.test(name)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `run name ${JSON.stringify(name)} is not usable: pass --name`,
      { field: 'name' },
    );
  }
  if (store.runs.get(name)) {
    throw new WorkbenchError('CONFLICT', `a run named "${name}" exists: choose another --name`, {
      field: 'name',
      name,
    });
  }
  const dataset = params.dataset !== undefined ? store.datasets.require(params.dataset) : null;
  const hashing = sha256File(path);
  hashing.catch(() => {});
  const parsed: ParsedRun =
    format === 'jsonl'
      ? await parseJsonlRun(path, { signal: params.signal })
      : await parseTrecRun(path, { signal: params.signal });
  if (parsed.lines === 0) {
    throw inputError(
      'INPUT_EMPTY',
      { file: path, line: 1 },
      'the run holds no ranked documents',
      'Check that this is the right file',
    );
  }
  for (const q of parsed.queries.values()) checkDuplicates(path, format, q);

  let unknownQueries: string[] = [];
  if (dataset && dataset.stats.queries > 0) {
    const known = store.queries.ids(dataset.id);
    unknownQueries = [...parsed.queries.keys()].filter((q) => !known.has(q));
  }
  let minDepth = Number.POSITIVE_INFINITY;
  let maxDepth = 0;
  for (const q of parsed.queries.values()) {
    minDepth = Math.min(minDepth, q.docnos.length);
    maxDepth = Math.max(maxDepth, q.docnos.length);
  }
  const stats: JsonObject = {
    queries: parsed.queries.size,
    lines: parsed.lines,
    minDepth,
    maxDepth,
    tags: parsed.tags,
    sha256: await hashing,
    unknownQueries: unknownQueries.length,
    unknownQueryExamples: unknownQueries.slice(0, 5),
  };
  if (params.signal?.aborted)
    throw new WorkbenchError('CANCELLED', `${path}: run import cancelled; nothing was stored`);
  const runId = store.transaction(() => {
    const id = store.runs.create({
      name,
      datasetId: dataset?.id ?? null,
      tag: parsed.tags[0] ?? null,
      format,
      source: path,
    });
    for (const q of parsed.queries.values()) {
      store.runs.addRanking(id, q.queryId, q.queryText, rankDocuments(q.docnos, q.scores));
    }
    store.runs.finish(id, 'ready', stats);
    return id;
  });
  return {
    run: store.runs.getById(runId)!,
    queries: parsed.queries.size,
    lines: parsed.lines,
    elapsedMs: Date.now() - started,
  };
}
