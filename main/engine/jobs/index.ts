import { type ErrorData, toErrorData, WorkbenchError } from '../errors.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  /** 0..1 when the total is known. */
  fraction: number | null;
  stage: string;
  done: number;
  total: number | null;
  /** Items per second since the job started. */
  ratePerSecond: number | null;
  etaSeconds: number | null;
}

export interface JobSnapshot {
  id: string;
  kind: string;
  label: string;
  state: JobState;
  progress: JobProgress;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  error?: ErrorData;
  result?: unknown;
}

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress; throttled, so call it as often as convenient. */
  progress(update: { done: number; total?: number | null; stage?: string }): void;
  /** Throws the job's CANCELLED error when a cancel was requested: call it between batches. */
  throwIfCancelled(): void;
}

export interface JobManagerOptions {
  clock?: () => number;
  /** Receives every state change and (throttled) progress update. */
  onEvent?: (snapshot: JobSnapshot) => void;
  throttleMs?: number;
}

interface Entry {
  snapshot: JobSnapshot;
  controller: AbortController;
  lastEmit: number;
}

/**
 * Long work is a job: it gets an id, an AbortSignal and a throttled progress callback, and ends in exactly one
 * of succeeded | failed | cancelled. A job that throws after a cancel request ends `cancelled`, whatever it threw.
 */
export class JobManager {
  private readonly jobs = new Map<string, Entry>();
  private readonly clock: () => number;
  private readonly throttleMs: number;
  private counter = 0;

  constructor(private readonly options: JobManagerOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.throttleMs = options.throttleMs ?? 100;
  }

  start<T>(
    kind: string,
    label: string,
    fn: (ctx: JobContext) => Promise<T>,
  ): { id: string; done: Promise<JobSnapshot> } {
    const id = `job-${this.clock().toString(36)}-${(++this.counter).toString(36)}`;
    const controller = new AbortController();
    const entry: Entry = {
      controller,
      lastEmit: 0,
      snapshot: {
        id,
        kind,
        label,
        state: 'queued',
        progress: {
          fraction: null,
          stage: 'queued',
          done: 0,
          total: null,
          ratePerSecond: null,
          etaSeconds: null,
        },
        createdAt: this.clock(),
        startedAt: null,
        endedAt: null,
      },
    };
    this.jobs.set(id, entry);
    this.emit(entry);
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (update) => this.progress(entry, update),
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new WorkbenchError('CANCELLED', `${label}: cancelled`);
      },
    };
    const done = (async () => {
      await Promise.resolve();
      entry.snapshot = { ...entry.snapshot, state: 'running', startedAt: this.clock() };
      entry.snapshot.progress = { ...entry.snapshot.progress, stage: 'running' };
      this.emit(entry);
      try {
        if (controller.signal.aborted) throw new WorkbenchError('CANCELLED', `${label}: cancelled`);
        const result = await fn(ctx);
        if (controller.signal.aborted) throw new WorkbenchError('CANCELLED', `${label}: cancelled`);
        this.finish(entry, 'succeeded', { result });
      } catch (err) {
        if (controller.signal.aborted)
          this.finish(entry, 'cancelled', { error: { code: 'CANCELLED', message: `${label}: cancelled` } });
        else this.finish(entry, 'failed', { error: toErrorData(err) });
      }
      return entry.snapshot;
    })();
    return { id, done };
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry || entry.snapshot.endedAt !== null) return false;
    entry.controller.abort();
    return true;
  }

  get(id: string): JobSnapshot | undefined {
    return this.jobs.get(id)?.snapshot;
  }

  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((e) => e.snapshot);
  }

  private progress(entry: Entry, update: { done: number; total?: number | null; stage?: string }): void {
    if (entry.snapshot.endedAt !== null) return;
    const now = this.clock();
    const total = update.total === undefined ? entry.snapshot.progress.total : update.total;
    const elapsed = (now - (entry.snapshot.startedAt ?? now)) / 1000;
    const rate = elapsed > 0 ? update.done / elapsed : null;
    entry.snapshot = {
      ...entry.snapshot,
      progress: {
        fraction: total ? Math.min(1, update.done / total) : null,
        stage: update.stage ?? entry.snapshot.progress.stage,
        done: update.done,
        total,
        ratePerSecond: rate,
        etaSeconds: total !== null && rate ? Math.max(0, (total - update.done) / rate) : null,
      },
    };
    const stageChanged = update.stage !== undefined;
    if (stageChanged || now - entry.lastEmit >= this.throttleMs || (total !== null && update.done >= total))
      this.emit(entry);
  }

  private finish(
    entry: Entry,
    state: 'succeeded' | 'failed' | 'cancelled',
    extra: { result?: unknown; error?: ErrorData },
  ): void {
    entry.snapshot = { ...entry.snapshot, ...extra, state, endedAt: this.clock() };
    this.emit(entry);
  }

  private emit(entry: Entry): void {
    entry.lastEmit = this.clock();
    this.options.onEvent?.(entry.snapshot);
  }
}
