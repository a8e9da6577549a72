import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { WorkbenchApi } from '../../../preload/contract.ts';
import { useApi } from '../injection.ts';

export type ModelInfo = Awaited<ReturnType<WorkbenchApi['models']['list']>>[number];
export type ProviderAvailability = Awaited<ReturnType<WorkbenchApi['models']['providers']>>[number];

export const useModelsStore = defineStore('models', () => {
  const api = useApi();
  const items = shallowRef<ModelInfo[]>([]);
  const providers = shallowRef<ProviderAvailability[]>([]);
  const error = shallowRef<string | undefined>();

  async function refresh(): Promise<void> {
    error.value = undefined;
    try {
      [items.value, providers.value] = await Promise.all([api.models.list(), api.models.providers()]);
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  return { items, providers, error, refresh };
});
