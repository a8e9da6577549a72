import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../../../main/engine/api/index.ts';
import { API_METHODS } from '../../../preload/contract.ts';
import { E2E_BEIR, finished, type Harness, harness } from './helpers.ts';

/** The closed set of error codes (engine/errors.ts): the UI branches on these and nothing else. */
const CODES = new Set([
  'INPUT_INVALID',
  'INPUT_DUPLICATE',
  'INPUT_EMPTY',
  'INPUT_TOO_LARGE',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_ARGUMENT',
  'CANCELLED',
  'UNAUTHORIZED',
  'UNAVAILABLE',
  'WORKER_CRASHED',
  'INTERNAL',
]);

/** mulberry32: a seeded generator, so that a failing payload can be reproduced from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Field names the handlers really take, so that random payloads get past the first check now and then.
const KEYS = [
  'name',
  'path',
  'id',
  'runs',
  'a',
  'b',
  'measure',
  'measures',
  'config',
  'dataset',
  'threads',
  'provider',
  'dataDir',
  'queryId',
  'depth',
  'split',
  'relevanceLevel',
  'format',
  'baseline',
  'topics',
  'qrels',
  'fullText',
  'unknown',
  'attachTo',
  '__proto__',
  'constructor',
  'toString',
  '',
];
const STRINGS = [
  '',
  'tiny',
  'x',
  '.',
  '/',
  '..',
  'nDCG@10',
  'job-1',
  'cpu',
  'beir',
  'q1',
  '\u0000',
  '🙂',
  'a'.repeat(5000),
  '{"a":1}',
];
const NUMBERS = [0, -1, 1, 2, 1e308, -1e308, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0];

function value(r: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return pick(KEYS);
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) o[pick(KEYS)] = value(r, depth + 1);
      if (r() < 0.05) Object.defineProperty(o, '__proto__', { value: { polluted: true }, enumerable: true });
      return o;
    }
  }
}

function deep(n: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = i % 2 ? { name: v } : [v];
  return v;
}

function checkEnvelope(result: ApiResult<unknown>, where: string): void {
  expect(typeof result, where).toBe('object');
  if (result.ok) return;
  expect(CODES.has(result.error.code), `${where}: code ${result.error.code}`).toBe(true);
  expect(typeof result.error.message, where).toBe('string');
  expect(result.error.message.length, where).toBeGreaterThan(0);
}

describe('every handler against random and malformed payloads', () => {
  let h: Harness;
  const table = () =>
    h.handlers as unknown as Record<string, Record<string, { run(p: unknown): Promise<ApiResult<unknown>> }>>;
  beforeAll(async () => {
    h = harness();
    expect(
      (await finished(h.api, (await h.api.datasets.import({ path: E2E_BEIR, name: 'tiny' })).jobId)).state,
    ).toBe('succeeded');
  });
  afterAll(async () => {
    for (const job of await h.api.jobs.list()) if (job.endedAt === null) await finished(h.api, job.id);
    h.close();
  });

  it('rejects payloads of the wrong shape with INVALID_ARGUMENT and the field', async () => {
    for (const [capability, verbs] of Object.entries(API_METHODS)) {
      for (const verb of verbs) {
        for (const bad of [42, 'x', [], [1, 2], true, { __fuzz__: 1 }, deep(200)]) {
          const result = await table()[capability][verb].run(bad);
          const where = `${capability}:${verb}(${JSON.stringify(bad)?.slice(0, 40)})`;
          expect(result.ok, where).toBe(false);
          if (!result.ok) {
            expect(result.error.code, where).toBe('INVALID_ARGUMENT');
            expect(result.error.details?.field, where).toBeTypeOf('string');
          }
        }
      }
    }
  });

  it('answers 200 random payloads per method with envelopes and keeps the store sound', async () => {
    const r = rng(20260);
    let answered = 0;
    let reachedEngine = 0;
    for (let i = 0; i < 200; i++) {
      for (const [capability, verbs] of Object.entries(API_METHODS)) {
        for (const verb of verbs) {
          const payload = value(r, 0);
          if (process.env.FUZZ_TRACE)
            console.error(capability, verb, i, JSON.stringify(payload)?.slice(0, 200));
          const result = await table()[capability][verb].run(payload);
          checkEnvelope(result, `${capability}:${verb} #${i}`);
          answered++;
          if (result.ok || result.error.code !== 'INVALID_ARGUMENT') reachedEngine++;
        }
      }
    }
    expect(answered).toBe(200 * Object.values(API_METHODS).reduce((n, v) => n + v.length, 0));
    // some payloads pass validation and reach the engine (not only the schema is exercised)
    expect(reachedEngine).toBeGreaterThan(100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(h.store.integrityCheck()).toEqual(['ok']);
    // the API still works normally afterwards
    const info = await h.api.system.info();
    expect(info.shell).toBe('browser');
  });
});
