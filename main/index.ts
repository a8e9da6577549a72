import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, session } from 'electron';
import { registerIpcHandlers } from './app/ipc.ts';
import { applySessionPolicy, enforceSingleInstance } from './app/security.ts';
import { createMainWindow } from './app/window.ts';
import { createApi } from './engine/api/index.ts';
import { openStore } from './engine/store/index.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let mainWindow: BrowserWindow | undefined;

if (enforceSingleInstance(() => mainWindow?.focus())) {
  app.whenReady().then(() => {
    applySessionPolicy(session.defaultSession);
    const dataDir = process.env.WORKBENCH_DATA ?? app.getPath('userData');
    const store = openStore(dataDir);
    registerIpcHandlers(createApi({ store, dataDir, shell: 'electron' }));
    mainWindow = createMainWindow(outDir);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(outDir);
    });
    app.on('will-quit', () => store.close());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
} else {
  app.quit();
}
