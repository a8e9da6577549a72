import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { JobSnapshot } from '../../../preload/contract.ts';
import { useApi } from '../injection.ts';

/**
 * The job queue as pushed by the engine (IPC or SSE): snapshots replace each other by id, newest first.
 * `onEnded` lets the other stores refresh when a job that changes their data finishes.
 */
export const useJobsStore = defineStore('jobs', () => {
  const api = useApi();
  const items = shallowRef<JobSnapshot[]>([]);
  const error = shallowRef<string | undefined>();
  const endedListeners = new Set<(job: JobSnapshot) => void>();

  function apply(snapshot: JobSnapshot): void {
    const list = items.value;
    const i = list.findIndex((j) => j.id === snapshot.id);
    const before = i === -1 ? undefined : list[i];
    // Events may arrive out of order with a refresh: never go back from an ended state.
    if (before && before.endedAt !== null && snapshot.endedAt === null) return;
    items.value = i === -1 ? [snapshot, ...list] : list.map((j, k) => (k === i ? snapshot : j));
    if (snapshot.endedAt !== null && before?.endedAt == null) for (const l of endedListeners) l(snapshot);
  }

  async function refresh(): Promise<void> {
    try {
      const fresh = await api.jobs.list();
      for (const s of [...fresh].reverse()) apply(s);
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  async function cancel(id: string): Promise<void> {
    try {
      await api.jobs.cancel({ id });
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /** Adds a job the UI just started (its first events may already be on their way). */
  async function track(id: string): Promise<void> {
    apply(await api.jobs.get({ id }));
  }

  function onEnded(listener: (job: JobSnapshot) => void): () => void {
    endedListeners.add(listener);
    return () => endedListeners.delete(listener);
  }

  const running = () => items.value.filter((j) => j.endedAt === null).length;

  return { items, error, apply, refresh, cancel, track, onEnded, running };
});
