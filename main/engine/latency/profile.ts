import { WorkbenchError } from '../errors.ts';
import { MemoryPeak, type MemoryPeakReport } from './memory.ts';
import { type SampleSummary, summariseSamples } from './stats.ts';

/**
 * Per-stage query latency (DESIGN.md §8): tokenize, query encode, search and their total, timed separately
 * for every query (batch size 1) or every batch, after a warm-up and over several repetitions; QPS is
 * measured directly as queries / wall time of the timed loop, not derived from the mean.
 */

export const LATENCY_STAGES = ['tokenize', 'encode', 'search', 'total'] as const;
export type LatencyStage = (typeof LATENCY_STAGES)[number];

/** One retrieval pipeline with its sessions open, split into the stages that are timed. */
export interface LatencyPipeline<Tokens = unknown, Encoded = unknown> {
  /** Execution provider actually used and intra-op threads (DESIGN.md §8: recorded with every number). */
  readonly provider: string;
  readonly threads: number;
  /** What the search stage covers, in words (stored with the measurement). */
  readonly description: string;
  tokenize(texts: readonly string[]): Tokens;
  encode(tokens: Tokens, count: number): Promise<Encoded>;
  /** Searches row `row` of the encoded batch, which is query `query` of the timed set. */
  search(encoded: Encoded, row: number, query: number): Promise<unknown>;
  dispose(): Promise<void>;
}

export interface LatencyOptions {
  /** Queries (batch size 1) or batches run and discarded before timing. */
  warmup: number;
  /** Passes over the timed queries. */
  repetitions: number;
  batchSizes: readonly number[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  clock?: () => number;
}

export interface LatencySettings {
  batchSize: number;
  threads: number;
  provider: string;
  /** 'query': one sample per query (batch size 1); 'batch': one sample per batch. */
  unit: 'query' | 'batch';
  queries: number;
  warmup: number;
  repetitions: number;
  description: string;
}

export interface LatencySummary {
  stages: Record<LatencyStage, SampleSummary>;
  /** Queries per second over the timed loop (repetitions included), measured directly. */
  qps: number;
  wallMs: number;
  memory: MemoryPeakReport;
}

export interface LatencyMeasurement {
  settings: LatencySettings;
  summary: LatencySummary;
  /** Milliseconds per query or batch, in timing order. */
  samples: Record<LatencyStage, Float64Array>;
}

function cancelled(): WorkbenchError {
  return new WorkbenchError('CANCELLED', 'latency measurement was cancelled');
}

export async function measureLatency(
  pipeline: LatencyPipeline,
  texts: readonly string[],
  options: LatencyOptions,
): Promise<LatencyMeasurement[]> {
  if (texts.length === 0) {
    throw new WorkbenchError('INVALID_ARGUMENT', 'latency needs at least one query', {
      field: 'latency.queries',
    });
  }
  const clock = options.clock ?? (() => performance.now());
  const out: LatencyMeasurement[] = [];
  const totalWork =
    options.batchSizes.reduce((a, b) => a + Math.ceil(texts.length / b), 0) * options.repetitions;
  let workDone = 0;
  for (const batchSize of options.batchSizes) {
    const starts: number[] = [];
    for (let s = 0; s < texts.length; s += batchSize) starts.push(s);
    const runBatch = async (start: number, times?: Float64Array[], at?: number) => {
      const end = Math.min(texts.length, start + batchSize);
      const t0 = clock();
      const tokens = pipeline.tokenize(texts.slice(start, end));
      const t1 = clock();
      const encoded = await pipeline.encode(tokens, end - start);
      const t2 = clock();
      for (let q = start; q < end; q++) await pipeline.search(encoded, q - start, q);
      const t3 = clock();
      if (times && at !== undefined) {
        times[0][at] = t1 - t0;
        times[1][at] = t2 - t1;
        times[2][at] = t3 - t2;
        times[3][at] = t3 - t0;
      }
    };
    for (let w = 0; w < options.warmup; w++) {
      if (options.signal?.aborted) throw cancelled();
      await runBatch(starts[w % starts.length]);
    }
    const n = starts.length * options.repetitions;
    const times = LATENCY_STAGES.map(() => new Float64Array(n));
    const memory = new MemoryPeak();
    let at = 0;
    let report: MemoryPeakReport;
    const started = clock();
    try {
      for (let r = 0; r < options.repetitions; r++) {
        for (const start of starts) {
          if (options.signal?.aborted) throw cancelled();
          await runBatch(start, times, at++);
          memory.sample();
          options.onProgress?.(++workDone, totalWork);
        }
      }
    } finally {
      report = memory.stop();
    }
    const wallMs = clock() - started;
    const samples = Object.fromEntries(LATENCY_STAGES.map((s, i) => [s, times[i]])) as Record<
      LatencyStage,
      Float64Array
    >;
    out.push({
      settings: {
        batchSize,
        threads: pipeline.threads,
        provider: pipeline.provider,
        unit: batchSize === 1 ? 'query' : 'batch',
        queries: texts.length,
        warmup: options.warmup,
        repetitions: options.repetitions,
        description: pipeline.description,
      },
      summary: {
        stages: Object.fromEntries(LATENCY_STAGES.map((s) => [s, summariseSamples(samples[s])])) as Record<
          LatencyStage,
          SampleSummary
        >,
        qps: Number(((texts.length * options.repetitions) / (wallMs / 1000)).toFixed(3)),
        wallMs: Number(wallMs.toFixed(3)),
        memory: report,
      },
      samples,
    });
  }
  return out;
}

/** Opens a pipeline per thread count (sessions are created with their thread settings), measures, closes. */
export async function profileLatency(
  open: (threads: number | undefined) => Promise<LatencyPipeline>,
  texts: readonly string[],
  options: LatencyOptions & { threads?: readonly number[] },
): Promise<LatencyMeasurement[]> {
  const out: LatencyMeasurement[] = [];
  for (const threads of options.threads ?? [undefined]) {
    if (options.signal?.aborted) throw cancelled();
    const pipeline = await open(threads);
    try {
      out.push(...(await measureLatency(pipeline, texts, options)));
    } finally {
      await pipeline.dispose();
    }
  }
  return out;
}
