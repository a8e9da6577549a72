import type { JobSnapshot } from '../jobs/index.ts';

export type JobListener = (snapshot: JobSnapshot) => void;

/**
 * Job state changes and progress, fanned out to whoever shows them: the desktop app's windows (IPC) and the
 * browser-mode server's event streams (SSE). A listener that throws is dropped from that one delivery only,
 * so one broken connection never stops the others' updates.
 */
export class JobEvents {
  private readonly listeners = new Set<JobListener>();

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(snapshot: JobSnapshot): void {
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch {
        // a closed window or stream; its own cleanup unsubscribes it
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
