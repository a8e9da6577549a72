import { defaultWorkerEntry, WorkerPool, type WorkerPoolOptions } from './pool.ts';
import type { engineTasks } from './worker.ts';

/** Every task a production worker serves (worker.ts): search and encode. */
export type EngineTasks = typeof engineTasks;

/** A pool of production workers (the bundled worker.js in a build, worker.ts in a checkout). */
export function enginePool(options: Partial<WorkerPoolOptions> = {}): WorkerPool<EngineTasks> {
  return new WorkerPool<EngineTasks>({ ...options, entry: options.entry ?? defaultWorkerEntry() });
}
