import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { JobManager, type JobSnapshot } from '../../../../main/engine/jobs/index.ts';

function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('JobManager', () => {
  it('runs a job to succeeded with throttled progress, a rate and an ETA', async () => {
    const clock = manualClock();
    const events: JobSnapshot[] = [];
    const jobs = new JobManager({ clock: clock.now, onEvent: (s) => events.push(s), throttleMs: 100 });
    const { done } = jobs.start('import', 'import x', async (ctx) => {
      for (let i = 1; i <= 10; i++) {
        clock.advance(50);
        ctx.progress({ done: i * 100, total: 1000 });
      }
      return 42;
    });
    const final = await done;
    expect(final.state).toBe('succeeded');
    expect(final.result).toBe(42);
    const progressEvents = events.filter((e) => e.state === 'running' && e.progress.done > 0);
    // 10 updates 50 ms apart with a 100 ms throttle: every other one, plus the final 1000/1000
    expect(progressEvents.length).toBeLessThanOrEqual(6);
    expect(progressEvents.at(-1)?.progress.fraction).toBe(1);
    const mid = progressEvents.find((e) => e.progress.done === 400);
    expect(mid?.progress.ratePerSecond).toBeCloseTo(2000); // 400 items in 0.2 s
    expect(mid?.progress.etaSeconds).toBeCloseTo(0.3);
    expect(events.filter((e) => e.endedAt !== null)).toHaveLength(1);
  });

  it('ends cancelled exactly once when cancelled between batches', async () => {
    const events: JobSnapshot[] = [];
    const jobs = new JobManager({ onEvent: (s) => events.push(s) });
    let batches = 0;
    const { id, done } = jobs.start('encode', 'encode', async (ctx) => {
      for (let i = 0; i < 1000; i++) {
        ctx.throwIfCancelled();
        batches++;
        if (i === 3) jobs.cancel(id);
        await new Promise((r) => setImmediate(r));
      }
    });
    const final = await done;
    expect(final.state).toBe('cancelled');
    expect(final.error?.code).toBe('CANCELLED');
    expect(batches).toBe(4);
    expect(events.filter((e) => e.endedAt !== null)).toHaveLength(1);
    expect(jobs.cancel(id)).toBe(false);
  });

  it('keeps a failure as data with its code', async () => {
    const jobs = new JobManager();
    const { done } = jobs.start('import', 'import y', async () => {
      throw new WorkbenchError('INPUT_INVALID', 'a.jsonl:3: bad JSON', { file: 'a.jsonl', line: 3 });
    });
    const final = await done;
    expect(final.state).toBe('failed');
    expect(final.error).toEqual({
      code: 'INPUT_INVALID',
      message: 'a.jsonl:3: bad JSON',
      details: { file: 'a.jsonl', line: 3 },
    });
    expect(jobs.list().map((j) => j.state)).toEqual(['failed']);
  });
});
