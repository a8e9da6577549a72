import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { type ClientOf, handler } from './handler.ts';
import { systemInfo } from './system.ts';

export type { ApiResult, Handler, HandlerTable } from './handler.ts';
export { type ClientOf, handler } from './handler.ts';
export { systemInfo } from './system.ts';

export interface ApiDeps {
  store: Store;
  dataDir: string;
  /** Which shell serves the API: the desktop app, or the browser-mode server. */
  shell: 'electron' | 'browser';
}

const datasetName = z.object({ name: z.string().min(1).max(200) }).strict();

/**
 * The whole API the renderer may call, grouped by capability. The preload and the HTTP server expose exactly
 * these methods (channel `capability:verb`); the renderer's type is derived from this object.
 */
export function createApi(deps: ApiDeps) {
  const { store } = deps;
  return {
    system: {
      info: handler(z.undefined().or(z.object({}).strict()), () => systemInfo(deps)),
    },
    datasets: {
      list: handler(z.undefined().or(z.object({}).strict()), () => store.datasets.list()),
      show: handler(datasetName, ({ name }) => {
        const ds = store.datasets.get(name);
        if (!ds) throw new WorkbenchError('NOT_FOUND', `no dataset named "${name}"; see the Datasets list`);
        return ds;
      }),
    },
  };
}

export type WorkbenchHandlers = ReturnType<typeof createApi>;
export type WorkbenchApi = ClientOf<WorkbenchHandlers>;
