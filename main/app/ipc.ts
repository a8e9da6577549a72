import { BrowserWindow, ipcMain } from 'electron';
import { API_EVENTS, API_METHODS, channelOf } from '../../preload/contract.ts';
import type { HandlerTable, JobEvents } from '../engine/api/index.ts';

/**
 * One `capability:verb` channel per contract method; each handler validates its own payload. A call from any
 * frame other than the app's own page (an injected iframe, a navigated-away window) is refused before the
 * handler runs. Job events go to every window.
 */
export function registerIpcHandlers(
  handlers: HandlerTable,
  events: JobEvents,
  isAppUrl: (url: string) => boolean,
): () => void {
  const channels: string[] = [];
  for (const [capability, verbs] of Object.entries(API_METHODS)) {
    for (const verb of verbs) {
      const channel = channelOf(capability, verb);
      const h = handlers[capability][verb];
      ipcMain.handle(channel, (event, payload: unknown) => {
        const url = event.senderFrame?.url ?? '';
        if (!isAppUrl(url)) {
          return {
            ok: false,
            error: {
              code: 'UNAUTHORIZED',
              message: `API calls are answered for the app's own page only, not ${url}`,
            },
          };
        }
        return h.run(payload);
      });
      channels.push(channel);
    }
  }
  const unsubscribe = events.subscribe((snapshot) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(API_EVENTS.jobsProgress, snapshot);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
