import { type InjectionKey, inject } from 'vue';
import type { WorkbenchClient } from '../../preload/contract.ts';

export const API_KEY: InjectionKey<WorkbenchClient> = Symbol('api');

export function useApi(): WorkbenchClient {
  const api = inject(API_KEY);
  if (!api) throw new Error('the API client was not provided');
  return api;
}
