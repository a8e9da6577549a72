import type { InjectionKey } from 'vue';
import type { WorkbenchApi } from '../../preload/contract.ts';

export const API_KEY: InjectionKey<WorkbenchApi> = Symbol('api');
