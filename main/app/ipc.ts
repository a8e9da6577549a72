import { ipcMain } from 'electron';
import { API_METHODS, channelOf } from '../../preload/contract.ts';
import type { HandlerTable } from '../engine/api/index.ts';

/** One `capability:verb` channel per contract method; each handler validates its own payload. */
export function registerIpcHandlers(handlers: HandlerTable): () => void {
  const channels: string[] = [];
  for (const [capability, verbs] of Object.entries(API_METHODS)) {
    for (const verb of verbs) {
      const channel = channelOf(capability, verb);
      const h = handlers[capability][verb];
      ipcMain.handle(channel, (_event, payload: unknown) => h.run(payload));
      channels.push(channel);
    }
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
