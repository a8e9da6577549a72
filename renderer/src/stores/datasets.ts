import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { WorkbenchApi } from '../../../preload/contract.ts';
import { useApi } from '../injection.ts';

export type DatasetSummary = Awaited<ReturnType<WorkbenchApi['datasets']['list']>>[number];
export type DatasetDetails = Awaited<ReturnType<WorkbenchApi['datasets']['show']>>;

export const useDatasetsStore = defineStore('datasets', () => {
  const api = useApi();
  const items = shallowRef<DatasetSummary[]>([]);
  const loading = shallowRef(false);
  const loaded = shallowRef(false);
  const error = shallowRef<string | undefined>();

  async function refresh(): Promise<void> {
    loading.value = true;
    error.value = undefined;
    try {
      items.value = await api.datasets.list();
      loaded.value = true;
    } catch (err) {
      error.value = (err as Error).message;
    } finally {
      loading.value = false;
    }
  }

  return { items, loading, loaded, error, refresh };
});
