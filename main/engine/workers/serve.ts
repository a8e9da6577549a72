import { parentPort, workerData } from 'node:worker_threads';
import { toErrorData } from '../errors.ts';
import { type FromWorker, isWithTransfer, type TaskTable, type ToWorker } from './protocol.ts';

/**
 * The body of a worker thread: answers `run` messages with the named task's result and forwards `cancel`
 * to that task's AbortSignal. State a task keeps between calls (ONNX sessions) lives in its module, so a
 * long-lived worker creates each session once.
 */
export function serveTasks(tasks: TaskTable): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must run inside a worker thread');
  const running = new Map<number, AbortController>();
  const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'cancel') {
      running.get(msg.id)?.abort();
      return;
    }
    const handler = tasks[msg.task];
    if (!handler) {
      post({
        type: 'failed',
        id: msg.id,
        error: { code: 'INTERNAL', message: `unknown worker task "${msg.task}"` },
      });
      return;
    }
    const controller = new AbortController();
    running.set(msg.id, controller);
    Promise.resolve()
      .then(() => handler(msg.input, { signal: controller.signal }))
      .then(
        (output) => {
          if (isWithTransfer(output))
            post({ type: 'done', id: msg.id, output: output.value }, output.transfer);
          else post({ type: 'done', id: msg.id, output });
        },
        (err: unknown) => post({ type: 'failed', id: msg.id, error: toErrorData(err) }),
      )
      .finally(() => running.delete(msg.id));
  });
  post({ type: 'ready' });
}

/** The `workerData` the pool was created with, inside a worker thread. */
export function poolWorkerData<T>(): T {
  return (workerData as { data: T }).data;
}
