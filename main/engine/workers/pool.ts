import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WorkbenchError } from '../errors.ts';
import type { FromWorker, TaskInput, TaskOutput, TaskTable, ToWorker } from './protocol.ts';

export interface WorkerPoolOptions {
  /** The worker module (it calls serveTasks); a `.ts` file runs through tsx. */
  entry: URL;
  /** Number of worker threads; default: the machine's logical cores. */
  size?: number;
  /** Data every worker receives as `workerData` (e.g. thread settings for its ONNX sessions). */
  workerData?: unknown;
}

export interface RunOptions {
  transfer?: ArrayBuffer[];
  signal?: AbortSignal;
}

interface Pending {
  id: number;
  task: string;
  input: unknown;
  transfer: ArrayBuffer[];
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
  ready: boolean;
}

/**
 * A fixed set of long-lived worker threads. Tasks queue FIFO and go to the first idle worker; a cancel removes a
 * queued task at once and reaches a running one through its AbortSignal (between batches). A worker that dies
 * fails its task with WORKER_CRASHED and is replaced, so the pool never hangs.
 */
export class WorkerPool<T extends TaskTable> {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** Deaths of workers that never became ready, in a row: a worker that cannot start is not respawned forever. */
  private startupFailures = 0;
  private readyWaiters: (() => void)[] = [];
  private static readonly MAX_STARTUP_FAILURES = 3;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  run<K extends keyof T & string>(
    task: K,
    input: TaskInput<T[K]>,
    options: RunOptions = {},
  ): Promise<TaskOutput<T[K]>> {
    if (this.closed) return Promise.reject(new WorkbenchError('UNAVAILABLE', 'the worker pool is closed'));
    if (options.signal?.aborted) return Promise.reject(new WorkbenchError('CANCELLED', `${task}: cancelled`));
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        id: this.nextId++,
        task,
        input,
        transfer: options.transfer ?? [],
        signal: options.signal,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (options.signal) {
        pending.onAbort = () => this.cancel(pending);
        options.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Resolves once every worker has started (its ONNX runtime loaded): call it before timing anything. */
  ready(): Promise<void> {
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Workers currently alive (for tests and diagnostics). */
  threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0))
      this.settle(p, new WorkbenchError('CANCELLED', `${p.task}: the pool was closed`));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    // A TypeScript entry (a checkout, tests) starts through a bootstrap that registers tsx in the new thread:
    // Node 20 does not apply `--import tsx` to a worker's own entry module.
    const isTs = fileURLToPath(this.options.entry).endsWith('.ts');
    const workerData = {
      data: this.options.workerData,
      __tsEntry: isTs ? this.options.entry.href : undefined,
    };
    const worker = new Worker(isTs ? new URL('./ts-bootstrap.mjs', import.meta.url) : this.options.entry, {
      workerData,
      execArgv: [],
    });
    const slot: Slot = { worker, busy: undefined, ready: false };
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onDeath(slot, err));
    worker.on('exit', (code) => this.onDeath(slot, new Error(`exited with code ${code}`)));
    return slot;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.startupFailures = 0;
      if (this.slots.every((s) => s.ready)) for (const wake of this.readyWaiters.splice(0)) wake();
    } else {
      const p = slot.busy;
      slot.busy = undefined;
      if (p && p.id === msg.id) {
        if (msg.type === 'done') this.settle(p, undefined, msg.output);
        else this.settle(p, new WorkbenchError(msg.error.code, msg.error.message, msg.error.details));
      }
    }
    this.dispatch();
  }

  private onDeath(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return; // already replaced (error is followed by exit)
    const p = slot.busy;
    slot.busy = undefined;
    if (p) {
      this.settle(
        p,
        new WorkbenchError(
          'WORKER_CRASHED',
          `worker thread crashed while running "${p.task}" (${err.message}); it was replaced, run the job again`,
          { task: p.task, reason: err.message },
        ),
      );
    }
    if (!slot.ready) this.startupFailures++;
    if (this.closed || this.startupFailures >= WorkerPool.MAX_STARTUP_FAILURES) {
      this.slots.splice(index, 1);
      if (!this.closed && this.slots.every((s) => !s.ready)) {
        this.closed = true;
        const why = `worker threads cannot start (${err.message})`;
        for (const q of this.queue.splice(0)) this.settle(q, new WorkbenchError('UNAVAILABLE', why));
        for (const wake of this.readyWaiters.splice(0)) wake(); // run() then reports why
      }
      return;
    }
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  private cancel(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      this.settle(p, new WorkbenchError('CANCELLED', `${p.task}: cancelled`));
      return;
    }
    const slot = this.slots.find((s) => s.busy === p);
    slot?.worker.postMessage({ type: 'cancel', id: p.id } satisfies ToWorker);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy || !slot.ready) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage(
        { type: 'run', id: p.id, task: p.task, input: p.input } satisfies ToWorker,
        p.transfer,
      );
    }
  }

  private settle(p: Pending, err: unknown, value?: unknown): void {
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (err) p.reject(err);
    else p.resolve(value);
  }
}

/** The production worker entry: the TypeScript source in a checkout, the bundled worker.js in a build. */
export function defaultWorkerEntry(): URL {
  const ts = new URL('./worker.ts', import.meta.url);
  return existsSync(fileURLToPath(ts)) ? ts : new URL('./worker.js', import.meta.url);
}
