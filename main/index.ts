import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, session } from 'electron';
import { registerIpcHandlers } from './app/ipc.ts';
import { installMenu } from './app/menu.ts';
import { applySessionPolicy, enforceSingleInstance } from './app/security.ts';
import { appUrlPrefix, createMainWindow } from './app/window.ts';
import { createApi, JobEvents, readLocationFile } from './engine/api/index.ts';
import { JobManager } from './engine/jobs/index.ts';
import { APP_NAME } from './engine/paths.ts';
import { openStore, type Store } from './engine/store/index.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(outDir, '..');
// The same per-user folder as the CLI's default (engine/paths.ts), whatever package.json calls the app.
app.setPath('userData', join(app.getPath('appData'), APP_NAME));
const userData = app.getPath('userData');
const locationFile = join(userData, 'data-location.json');
const windowStateFile = join(userData, 'window-state.json');
let mainWindow: BrowserWindow | undefined;

function focusMain(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (enforceSingleInstance(focusMain)) {
  app.whenReady().then(() => {
    applySessionPolicy(session.defaultSession);
    // WORKBENCH_DATA wins (tests, scripts); else the folder chosen in Settings; else the user-data folder.
    const dataDir = process.env.WORKBENCH_DATA ?? readLocationFile(locationFile) ?? userData;
    let store: Store;
    try {
      store = openStore(dataDir);
    } catch (err) {
      dialog.showErrorBox(APP_NAME, `Cannot open the data folder ${dataDir}:\n${(err as Error).message}`);
      app.exit(1);
      return;
    }
    const events = new JobEvents();
    const jobs = new JobManager({ onEvent: (s) => events.emit(s), throttleMs: 200 });
    const demoDir = join(repoRoot, 'native-models');
    const handlers = createApi({
      store,
      dataDir,
      shell: 'electron',
      jobs,
      events,
      locationFile,
      demoDir: existsSync(demoDir) ? demoDir : undefined,
    });
    const prefix = appUrlPrefix(outDir);
    registerIpcHandlers(handlers, events, (url) => url.startsWith(prefix));
    installMenu(dataDir);
    mainWindow = createMainWindow(outDir, windowStateFile);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(outDir, windowStateFile);
    });
    app.on('will-quit', () => {
      // Long work stops between batches; an import's transaction rolls back, leaving the database as it was.
      for (const job of jobs.list()) jobs.cancel(job.id);
      store.close();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
} else {
  app.quit();
}
