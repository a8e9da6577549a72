import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { inputError, WorkbenchError } from '../errors.ts';
import { LATENCY_STAGES, type LatencyMeasurement } from '../latency/index.ts';
import type { JsonObject, JsonValue, MetricSettings, RunRecord, Store } from '../store/index.ts';
import { jsonPath } from './config.ts';
import { experimentEnvironment } from './environment.ts';
import type { LatencyRepository } from './latency-store.ts';
import type { ExperimentsRepository } from './repository.ts';
import { traceRun } from './trace.ts';

/**
 * A run bundle: one run's results and provenance in one gzip'd JSON file — config, environment, input
 * hashes, per-query rankings, per-query and aggregate metrics with their settings, latency profiles with
 * their raw samples, and the experiment config and job it came from. No embeddings, graphs or models: a
 * bundle made on a GPU server opens on a laptop. Scores travel as JSON numbers, which round-trip doubles
 * exactly.
 */

export const BUNDLE_FORMAT = 'hypencoder-workbench/run-bundle';
export const BUNDLE_VERSION = 1;

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);
const jsonObject = z.record(z.string(), json);

const BundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  exportedAt: z.string(),
  exportedBy: jsonObject,
  run: z.object({
    name: z.string().min(1),
    tag: z.string().nullable(),
    format: z.string().nullable(),
    source: z.string(),
    status: z.enum(['running', 'ready', 'failed']),
    createdAt: z.string(),
    config: jsonObject,
    environment: jsonObject,
    stats: jsonObject,
    dataset: z.object({ name: z.string(), contentHash: z.string() }).nullable(),
  }),
  rankings: z.array(
    z.object({
      queryId: z.string().min(1),
      queryText: z.string().nullable(),
      docnos: z.array(z.string()),
      scores: z.array(z.number()),
    }),
  ),
  metrics: z.array(
    z.object({
      queryId: z.string().nullable(),
      measure: z.string(),
      value: z.number(),
      settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    }),
  ),
  latency: z.array(
    z.object({
      settings: jsonObject,
      summary: jsonObject,
      samples: z.record(z.string(), z.array(z.number())),
    }),
  ),
  experiment: z.object({ name: z.string(), config: jsonObject.nullable(), job: jsonObject }).nullable(),
});

export type RunBundle = z.infer<typeof BundleSchema>;

interface Repos {
  experiments: Pick<ExperimentsRepository, 'jobOf' | 'getById'>;
  latency: Pick<LatencyRepository, 'list' | 'save'>;
}

export function buildRunBundle(
  store: Pick<Store, 'runs' | 'metrics' | 'datasets'>,
  repos: Repos,
  name: string,
): RunBundle {
  const trace = traceRun(store, repos.experiments, repos.latency, name);
  const run = trace.run;
  const dataset = run.datasetId !== null ? store.datasets.getById(run.datasetId) : undefined;
  const job = repos.experiments.jobOf(run.id);
  const experiment = job ? repos.experiments.getById(job.experimentId) : undefined;
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: new Date().toISOString(),
    exportedBy: experimentEnvironment(),
    run: {
      name: run.name,
      tag: run.tag,
      format: run.format,
      source: run.source,
      status: run.status,
      createdAt: run.createdAt,
      config: run.config,
      environment: run.environment,
      stats: run.stats,
      dataset: dataset ? { name: dataset.name, contentHash: dataset.contentHash } : null,
    },
    rankings: [...store.runs.iterateResults(run.id)].map((r) => ({
      queryId: r.queryId,
      queryText: r.queryText,
      docnos: r.docnos,
      scores: Array.from(r.scores),
    })),
    metrics: store.metrics.list(run.id),
    latency: repos.latency.list(run.id).map((p) => ({
      settings: p.settings as unknown as JsonObject,
      summary: p.summary as unknown as JsonObject,
      samples: Object.fromEntries(Object.entries(p.samples).map(([k, v]) => [k, Array.from(v)])),
    })),
    experiment: trace.experiment
      ? {
          name: trace.experiment.name,
          config: experiment?.config ?? null,
          job: trace.experiment.job as unknown as JsonObject,
        }
      : null,
  };
}

/** Writes the bundle gzip'd, through a temporary file renamed into place. */
export function exportRunBundle(
  store: Pick<Store, 'runs' | 'metrics' | 'datasets'>,
  repos: Repos,
  name: string,
  outPath: string,
): { path: string; bytes: number; queries: number; metrics: number } {
  const bundle = buildRunBundle(store, repos, name);
  const path = resolve(outPath);
  const bytes = gzipSync(Buffer.from(`${JSON.stringify(bundle)}\n`, 'utf8'));
  const tmp = `${path}.partial-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { path, bytes: bytes.length, queries: bundle.rankings.length, metrics: bundle.metrics.length };
}

export function readRunBundle(path: string): RunBundle {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch {
    throw inputError('NOT_FOUND', { file: path }, 'cannot read the bundle file', 'Check the path');
  }
  let text: string;
  try {
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  } catch (err) {
    throw inputError(
      'INPUT_INVALID',
      { file: path },
      `not a gzip file (${(err as Error).message})`,
      'Export the run again with `runs bundle-export`',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw inputError(
      'INPUT_INVALID',
      { file: path, line: 1 },
      `not JSON (${(err as Error).message})`,
      'Export the run again with `runs bundle-export`',
    );
  }
  const result = BundleSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw inputError(
      'INPUT_INVALID',
      { file: path, field: jsonPath(issue.path) },
      `not a run bundle of this workbench: ${issue.message}`,
      `A bundle has format "${BUNDLE_FORMAT}" version ${BUNDLE_VERSION}; export it with \`runs bundle-export\``,
    );
  }
  const bundle = result.data;
  bundle.rankings.forEach((r, i) => {
    if (r.docnos.length !== r.scores.length)
      throw inputError(
        'INPUT_INVALID',
        { file: path, field: `rankings[${i}].scores` },
        `${r.docnos.length} docnos but ${r.scores.length} scores`,
        'The bundle is damaged: export it again',
      );
  });
  return bundle;
}

export interface BundleImportResult {
  run: RunRecord;
  /** Why the run is not linked to a dataset of this data folder, when it is not. */
  warnings: string[];
}

/**
 * Stores a bundle's run under its name (or `name`), all or nothing. It is linked to the dataset of the same
 * name when that dataset's content hash matches the one the run was made on; otherwise it is kept unlinked
 * and the reason is returned (metrics stay as stored; they name their qrels hash).
 */
export function importRunBundle(
  store: Pick<Store, 'runs' | 'metrics' | 'datasets' | 'transaction'>,
  repos: Repos,
  path: string,
  options: { name?: string } = {},
): BundleImportResult {
  const bundle = readRunBundle(path);
  const name = options.name ?? bundle.run.name;
  if (/\s/.test(name) || name.length === 0)
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `run name ${JSON.stringify(name)} must be non-empty without white space`,
      { field: 'name' },
    );
  if (store.runs.get(name)) {
    throw new WorkbenchError(
      'CONFLICT',
      `a run named "${name}" exists already; import under another name with --name, or delete it with \`runs delete ${name}\``,
      { field: 'name', name },
    );
  }
  const warnings: string[] = [];
  let datasetId: number | null = null;
  const wanted = bundle.run.dataset;
  if (wanted) {
    const local = store.datasets.get(wanted.name);
    if (!local)
      warnings.push(`dataset "${wanted.name}" is not in this data folder: the run is stored without one`);
    else if (local.contentHash !== wanted.contentHash)
      warnings.push(
        `dataset "${wanted.name}" here has other content (sha256 ${local.contentHash.slice(0, 12)}…, the run was made on ${wanted.contentHash.slice(0, 12)}…): the run is stored without a dataset`,
      );
    else datasetId = local.id;
  }
  const stats: JsonObject = {
    ...bundle.run.stats,
    bundle: {
      importedFrom: resolve(path),
      exportedAt: bundle.exportedAt,
      exportedBy: bundle.exportedBy,
      originalName: bundle.run.name,
      originalCreatedAt: bundle.run.createdAt,
      dataset: wanted,
      experiment: bundle.experiment as unknown as JsonValue,
    },
  };
  const runId = store.transaction(() => {
    const id = store.runs.create({
      name,
      datasetId,
      tag: bundle.run.tag,
      format: bundle.run.format,
      source: bundle.run.source,
      config: bundle.run.config,
      environment: bundle.run.environment,
    });
    for (const r of bundle.rankings)
      store.runs.addRanking(id, r.queryId, r.queryText, {
        docnos: r.docnos,
        scores: Float64Array.from(r.scores),
      });
    store.metrics.save(
      id,
      bundle.metrics.map((m) => ({ ...m, settings: m.settings as MetricSettings })),
    );
    repos.latency.save(
      id,
      bundle.latency.map((l) => ({
        settings: l.settings as unknown as LatencyMeasurement['settings'],
        summary: l.summary as unknown as LatencyMeasurement['summary'],
        samples: Object.fromEntries(
          LATENCY_STAGES.map((s) => [s, Float64Array.from(l.samples[s] ?? [])]),
        ) as LatencyMeasurement['samples'],
      })),
    );
    store.runs.finish(id, bundle.run.status === 'running' ? 'failed' : bundle.run.status, stats);
    return id;
  });
  return { run: store.runs.getById(runId)!, warnings };
}
