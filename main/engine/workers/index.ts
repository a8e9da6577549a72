export { type EngineTasks, enginePool } from './engine.ts';
export { defaultWorkerEntry, type RunOptions, WorkerPool, type WorkerPoolOptions } from './pool.ts';
export {
  type TaskContext,
  type TaskHandler,
  type TaskInput,
  type TaskOutput,
  type TaskTable,
  withTransfer,
} from './protocol.ts';
export { poolWorkerData, serveTasks } from './serve.ts';
