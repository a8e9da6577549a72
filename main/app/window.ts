import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import { lockDownContents } from './security.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';

/** The app page's address prefix: the dev server in development, the built renderer folder otherwise. */
export function appUrlPrefix(outDir: string): string {
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(outDir, 'renderer')).href;
}

export function createMainWindow(outDir: string, stateFile: string): BrowserWindow {
  const state = loadWindowState(stateFile);
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Hypencoder Workbench',
    webPreferences: {
      preload: join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, stateFile);
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const url = devUrl ?? pathToFileURL(join(outDir, 'renderer', 'index.html')).href;
  lockDownContents(win.webContents, appUrlPrefix(outDir));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(url);
  return win;
}
