import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { WorkbenchApi } from '../../../preload/contract.ts';
import { useApi } from '../injection.ts';

export type RunSummary = Awaited<ReturnType<WorkbenchApi['runs']['list']>>[number];

export const useRunsStore = defineStore('runs', () => {
  const api = useApi();
  const items = shallowRef<RunSummary[]>([]);
  const error = shallowRef<string | undefined>();

  async function refresh(): Promise<void> {
    error.value = undefined;
    try {
      items.value = await api.runs.list();
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  return { items, error, refresh };
});
