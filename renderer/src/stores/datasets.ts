import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { WorkbenchApi } from '../../../preload/contract.ts';

export type DatasetSummary = Awaited<ReturnType<WorkbenchApi['datasets']['list']>>[number];

export const useDatasetsStore = defineStore('datasets', () => {
  const items = shallowRef<DatasetSummary[]>([]);
  const loading = shallowRef(false);
  const error = shallowRef<string | undefined>();

  async function refresh(api: WorkbenchApi): Promise<void> {
    loading.value = true;
    error.value = undefined;
    try {
      items.value = await api.datasets.list();
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      loading.value = false;
    }
  }

  return { items, loading, error, refresh };
});
