import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { API_EVENTS, type ApiEventName, type ApiResult, buildBridge } from './contract.ts';

const EVENT_NAMES = new Set<string>(Object.values(API_EVENTS));

// The renderer gets exactly the contract's methods and event subscriptions, nothing of ipcRenderer itself:
// a listener receives the payload only, never the IPC event (whose `sender` would leak ipcRenderer).
const bridge = buildBridge(
  (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<ApiResult<unknown>>,
  {
    subscribe(event: ApiEventName, listener: (payload: never) => void) {
      if (!EVENT_NAMES.has(event)) throw new Error(`unknown event "${event}"`);
      const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
      ipcRenderer.on(event, wrapped);
      return () => {
        ipcRenderer.removeListener(event, wrapped);
      };
    },
  },
);
contextBridge.exposeInMainWorld('api', bridge);
