import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  type LatencyPipeline,
  measureLatency,
  paretoFront,
  profileLatency,
  summariseSamples,
} from '../../../../main/engine/latency/index.ts';

/**
 * A pipeline on a fake clock: every stage advances the clock by a known amount that depends on the query,
 * so each sample, percentile and the QPS can be checked exactly.
 */
function fakePipeline(clock: { t: number }, log: string[], threads = 2): LatencyPipeline<string[], string[]> {
  return {
    provider: 'cpu',
    threads,
    description: 'fake',
    tokenize: (texts) => {
      clock.t += 1 * texts.length;
      log.push(`tok ${texts.join(',')}`);
      return [...texts];
    },
    encode: async (tokens, count) => {
      clock.t += 10 * count;
      return tokens;
    },
    search: async (encoded, row, query) => {
      clock.t += 100 + query;
      log.push(`search ${encoded[row]}#${query}`);
      return null;
    },
    dispose: async () => {
      log.push('dispose');
    },
  };
}

describe('summariseSamples', () => {
  it('gives nearest-rank percentiles, mean, min and max', () => {
    const s = summariseSamples(Float64Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(s).toEqual({ n: 100, mean: 50.5, p50: 50, p95: 95, p99: 99, min: 1, max: 100 });
    expect(summariseSamples([7]).p99).toBe(7);
  });
});

describe('measureLatency', () => {
  it('times each stage per query after the warm-up, over the repetitions, with QPS from wall time', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const [m] = await measureLatency(fakePipeline(clock, log), ['a', 'b', 'c'], {
      warmup: 2,
      repetitions: 2,
      batchSizes: [1],
      clock: () => clock.t,
    });
    // Warm-up ran queries 0 and 1 and is not in the samples.
    expect(log.slice(0, 4)).toEqual(['tok a', 'search a#0', 'tok b', 'search b#1']);
    expect(m.settings).toMatchObject({
      batchSize: 1,
      unit: 'query',
      queries: 3,
      warmup: 2,
      repetitions: 2,
      threads: 2,
    });
    expect(Array.from(m.samples.tokenize)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(m.samples.encode)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(Array.from(m.samples.search)).toEqual([100, 101, 102, 100, 101, 102]);
    expect(Array.from(m.samples.total)).toEqual([111, 112, 113, 111, 112, 113]);
    expect(m.summary.stages.total).toMatchObject({ p50: 112, p95: 113, mean: 112 });
    // 6 queries in 672 fake milliseconds.
    expect(m.summary.wallMs).toBe(672);
    expect(m.summary.qps).toBeCloseTo(6 / 0.672, 3);
  });

  it('takes one sample per batch for batch sizes above 1 (the last batch may be smaller)', async () => {
    const clock = { t: 0 };
    const [one, three] = await measureLatency(fakePipeline(clock, []), ['a', 'b', 'c', 'd'], {
      warmup: 0,
      repetitions: 1,
      batchSizes: [1, 3],
      clock: () => clock.t,
    });
    expect(one.samples.total.length).toBe(4);
    expect(three.settings.unit).toBe('batch');
    expect(Array.from(three.samples.tokenize)).toEqual([3, 1]);
    expect(Array.from(three.samples.encode)).toEqual([30, 10]);
    expect(Array.from(three.samples.search)).toEqual([100 + 101 + 102, 103]);
    expect(three.summary.qps).toBeCloseTo(4 / ((3 + 30 + 303 + 1 + 10 + 103) / 1000), 3);
  });

  it('stops on a cancel and closes the pipeline of every thread count it opened', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const controller = new AbortController();
    const opened: (number | undefined)[] = [];
    const open = async (threads: number | undefined) => {
      opened.push(threads);
      const p = fakePipeline(clock, log, threads ?? 0);
      return {
        ...p,
        search: async (e: string[], row: number, q: number) => {
          if (threads === 2 && q === 1) controller.abort();
          return p.search(e, row, q);
        },
      };
    };
    const err = await profileLatency(open, ['a', 'b', 'c'], {
      warmup: 0,
      repetitions: 1,
      batchSizes: [1],
      threads: [1, 2, 4],
      signal: controller.signal,
      clock: () => clock.t,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(opened).toEqual([1, 2]);
    expect(log.filter((l) => l === 'dispose')).toHaveLength(2);
  });
});

describe('paretoFront', () => {
  it('keeps exactly the points no other point beats on both quality and latency', () => {
    const pts = [
      { id: 'exhaustive', quality: 0.74, latencyMs: 1770 },
      { id: 'eff1', quality: 0.7, latencyMs: 60 },
      { id: 'eff2', quality: 0.72, latencyMs: 231 },
      { id: 'slow-bad', quality: 0.69, latencyMs: 300 },
      { id: 'flat', quality: 0.71, latencyMs: 20 },
      { id: 'flat-twin', quality: 0.71, latencyMs: 20 },
      { id: 'tie-slower', quality: 0.71, latencyMs: 25 },
      { id: 'nan', quality: Number.NaN, latencyMs: 1 },
    ];
    const front = paretoFront(pts).map((p) => p.id);
    expect(front).toEqual(['flat', 'flat-twin', 'eff2', 'exhaustive']);
    // Brute force: a point is on the front iff nobody dominates it.
    const dominated = (p: (typeof pts)[number]) =>
      pts.some(
        (q) =>
          q !== p &&
          Number.isFinite(q.quality) &&
          q.quality >= p.quality &&
          q.latencyMs <= p.latencyMs &&
          (q.quality > p.quality || q.latencyMs < p.latencyMs),
      );
    expect(new Set(front)).toEqual(
      new Set(pts.filter((p) => Number.isFinite(p.quality) && !dominated(p)).map((p) => p.id)),
    );
  });
});
