import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';
import { lockDownContents } from './security.ts';

export function createMainWindow(outDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Hypencoder Workbench',
    webPreferences: {
      preload: join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const url = devUrl ?? pathToFileURL(join(outDir, 'renderer', 'index.html')).href;
  lockDownContents(win.webContents, devUrl ?? pathToFileURL(join(outDir, 'renderer')).href);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(url);
  return win;
}
