import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Hypencoder Workbench';

/**
 * The per-user data folder, the same one Electron's `app.getPath('userData')` gives for this app, so the
 * CLI, the browser-mode server and the desktop app share one database unless told otherwise.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.WORKBENCH_DATA) return env.WORKBENCH_DATA;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}
