import type { ErrorData } from '../errors.ts';

/** Context a task handler gets inside its worker thread. */
export interface TaskContext {
  /** Aborted when the caller cancels; check it between batches. */
  signal: AbortSignal;
}

/** A task: input → output, both structured-cloneable (typed arrays travel as transferables). */
// biome-ignore lint/suspicious/noExplicitAny: the constraint of a task table of any shape
export type TaskHandler = (input: any, ctx: TaskContext) => unknown;
export type TaskTable = Record<string, TaskHandler>;

export type TaskInput<H> = H extends (input: infer I, ctx: TaskContext) => unknown ? I : never;
export type TaskOutput<H> = H extends (input: never, ctx: TaskContext) => infer O ? Awaited<O> : never;

/** What a handler may return to have parts of its result transferred instead of copied. */
export interface WithTransfer<T> {
  value: T;
  transfer: ArrayBuffer[];
}

export type ToWorker =
  | { type: 'run'; id: number; task: string; input: unknown }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: number; output: unknown }
  | { type: 'failed'; id: number; error: ErrorData };

export function withTransfer<T>(value: T, transfer: ArrayBuffer[]): T {
  return { __withTransfer: true, value, transfer } as unknown as T;
}

export function isWithTransfer(x: unknown): x is WithTransfer<unknown> & { __withTransfer: true } {
  return typeof x === 'object' && x !== null && (x as { __withTransfer?: boolean }).__withTransfer === true;
}
