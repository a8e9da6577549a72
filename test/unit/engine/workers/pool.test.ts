import { afterEach, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { WorkerPool } from '../../../../main/engine/workers/index.ts';
import type { testTasks } from '../../../fixtures/workers/test-worker.ts';

const entry = new URL('../../../fixtures/workers/test-worker.ts', import.meta.url);
let pool: WorkerPool<typeof testTasks> | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

async function rejection(p: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected a rejection');
}

describe('WorkerPool', () => {
  it('runs tasks on long-lived workers, in parallel, with transferred buffers', async () => {
    pool = new WorkerPool<typeof testTasks>({ entry, size: 2 });
    await pool.ready();
    const values = new Float32Array(1000).fill(0.5);
    const [a, b] = await Promise.all([
      pool.run('batches', { n: 3, msPerBatch: 20 }),
      pool.run('batches', { n: 3, msPerBatch: 20 }),
    ]);
    expect(new Set([a.threadId, b.threadId]).size).toBe(2);
    const copy = values.slice();
    const r = await pool.run('double', { values: copy }, { transfer: [copy.buffer] });
    expect(copy.length).toBe(0); // transferred, not copied
    expect(r.out[999]).toBe(1);
    const first = await pool.run('sum', { values });
    const again = await pool.run('sum', { values });
    expect(first.sum).toBe(500);
    expect(pool.threadIds()).toContain(first.threadId);
    expect(pool.threadIds()).toContain(again.threadId);
  });

  it('cancels a queued task at once and a running one between batches', async () => {
    pool = new WorkerPool<typeof testTasks>({ entry, size: 1 });
    await pool.run('sum', { values: new Float32Array(1) }); // the worker is up
    const controller = new AbortController();
    const running = pool.run('batches', { n: 1000, msPerBatch: 5 }, { signal: controller.signal });
    const queued = pool.run('batches', { n: 1, msPerBatch: 1 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 60);
    const [r, q] = await Promise.all([rejection(running), rejection(queued)]);
    expect(r.code).toBe('CANCELLED');
    expect(r.message).toMatch(/cancelled after \d+ batches/);
    expect(q.code).toBe('CANCELLED');
    // the worker is free again afterwards
    expect((await pool.run('batches', { n: 1, msPerBatch: 1 })).done).toBe(1);
  });

  it('fails the task of a crashed worker clearly and replaces the worker', async () => {
    pool = new WorkerPool<typeof testTasks>({ entry, size: 1 });
    const before = pool.threadIds();
    const err = await rejection(pool.run('crash', {}));
    expect(err.code).toBe('WORKER_CRASHED');
    expect(err.message).toContain('"crash"');
    expect(err.details).toEqual({ task: 'crash', reason: 'exited with code 3' });
    const after = await pool.run('sum', { values: new Float32Array([1, 2]) });
    expect(after.sum).toBe(3);
    expect(pool.threadIds()).not.toEqual(before);
  });

  it('returns a task error as data with its code and details', async () => {
    pool = new WorkerPool<typeof testTasks>({ entry, size: 1 });
    const err = await rejection(pool.run('fail', {}));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.details).toEqual({ line: 7 });
  });

  it('gives up with UNAVAILABLE when workers cannot start', async () => {
    const broken = new WorkerPool<typeof testTasks>({
      entry: new URL('./does-not-exist.mjs', import.meta.url),
      size: 1,
    });
    const err = await rejection(broken.run('sum', { values: new Float32Array(1) }));
    expect(err.code).toBe('UNAVAILABLE');
    await broken.close();
  });
});
