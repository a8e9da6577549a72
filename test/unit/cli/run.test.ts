import { describe, expect, it } from 'vitest';
import { ProgressPrinter } from '../../../main/cli/run.ts';
import type { ExperimentProgress } from '../../../main/engine/experiments/index.ts';

function capture(isTTY: boolean) {
  let text = '';
  const stderr = {
    isTTY,
    write: (s: string) => {
      text += s;
      return true;
    },
  };
  return { io: { stdout: { write: () => true }, stderr }, text: () => text };
}

const job = (position: number, stage: string, done: number, total: number | null) => ({
  position,
  runName: `exp/tiny/run${position}`,
  stage,
  done,
  total,
});

const events: ExperimentProgress[] = [
  { experiment: 'exp', event: 'start', jobsTotal: 2, jobsDone: 0, jobsFailed: 0, fraction: 0 },
  {
    experiment: 'exp',
    event: 'job-start',
    jobsTotal: 2,
    jobsDone: 0,
    jobsFailed: 0,
    fraction: 0,
    job: job(0, 'starting', 0, null),
  },
  {
    experiment: 'exp',
    event: 'job-progress',
    jobsTotal: 2,
    jobsDone: 0,
    jobsFailed: 0,
    fraction: 0.25,
    job: job(0, 'searching', 6, 12),
  },
  {
    experiment: 'exp',
    event: 'job-done',
    jobsTotal: 2,
    jobsDone: 1,
    jobsFailed: 0,
    fraction: 0.5,
    job: job(0, 'done', 12, 12),
    message: 'nDCG@10 0.4000',
  },
  {
    experiment: 'exp',
    event: 'job-start',
    jobsTotal: 2,
    jobsDone: 1,
    jobsFailed: 0,
    fraction: 0.5,
    job: job(1, 'starting', 0, null),
  },
  {
    experiment: 'exp',
    event: 'job-failed',
    jobsTotal: 2,
    jobsDone: 1,
    jobsFailed: 1,
    fraction: 1,
    job: job(1, 'searching', 0, 12),
    message: 'boom',
  },
  { experiment: 'exp', event: 'finish', jobsTotal: 2, jobsDone: 1, jobsFailed: 1, fraction: 1 },
];

describe('run progress on stderr', () => {
  it('prints plain lines when stderr is not a terminal', () => {
    const out = capture(false);
    const printer = new ProgressPrinter(out);
    for (const e of events) printer.onProgress(e);
    expect(out.text()).toBe(
      [
        'experiment exp: 2 jobs',
        'start [1/2] exp/tiny/run0',
        '  searching 6/12',
        'done [1/2] exp/tiny/run0 (nDCG@10 0.4000)',
        'start [2/2] exp/tiny/run1',
        'failed [2/2] exp/tiny/run1: boom',
        '',
      ].join('\n'),
    );
  });

  it('redraws one bar in place on a terminal, keeping finished jobs as lines above it', () => {
    const out = capture(true);
    let now = 0;
    const printer = new ProgressPrinter(out, true, () => (now += 1000));
    for (const e of events) printer.onProgress(e);
    const text = out.text();
    expect(text).toContain(
      '\r[######------------------]  25% 0/2 jobs · exp/tiny/run0: searching 6/12\u001b[K',
    );
    // The bar is cleared before a job's result line is printed, and after the last event.
    expect(text).toContain('\r\u001b[Kdone [1/2] exp/tiny/run0 (nDCG@10 0.4000)\n');
    expect(text).not.toContain('start [1/2]');
    expect(text.endsWith('\r\u001b[K')).toBe(true);
  });
});
