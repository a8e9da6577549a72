import { contextBridge, ipcRenderer } from 'electron';
import { type ApiResult, buildBridge } from './contract.ts';

// The renderer gets exactly the contract's methods, nothing of ipcRenderer itself.
const bridge = buildBridge(
  (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<ApiResult<unknown>>,
);
contextBridge.exposeInMainWorld('api', bridge);
