import { AttackService } from '../attacks/index.ts';
import { JobManager } from '../jobs/index.ts';
import { ModelRegistry } from '../models/index.ts';
import type { Store } from '../store/index.ts';
import { JobEvents } from './events.ts';
import { SettingsFile } from './settings-file.ts';

export interface ApiDeps {
  store: Store;
  dataDir: string;
  /** Which shell serves the API: the desktop app, or the browser-mode server. */
  shell: 'electron' | 'browser';
  /** Shared with the shell so that it can cancel running jobs when it quits; created when absent. */
  jobs?: JobManager;
  /** Where job progress goes (IPC, SSE); created when absent. */
  events?: JobEvents;
  /**
   * The desktop app's record of the data folder to open at the next start (outside every data folder).
   * Absent in browser mode, where the folder is chosen with --data or WORKBENCH_DATA.
   */
  locationFile?: string;
  /** The folder of the shipped demo (native-models/); its config decides whether the demo is offered. */
  demoDir?: string;
}

/** What every capability's handlers share. */
export interface ApiContext {
  store: Store;
  dataDir: string;
  shell: 'electron' | 'browser';
  jobs: JobManager;
  events: JobEvents;
  models: ModelRegistry;
  attacks: AttackService;
  settings: SettingsFile;
  locationFile: string | undefined;
  demoDir: string | undefined;
}

export function apiContext(deps: ApiDeps): ApiContext {
  const events = deps.events ?? new JobEvents();
  return {
    store: deps.store,
    dataDir: deps.dataDir,
    shell: deps.shell,
    events,
    jobs: deps.jobs ?? new JobManager({ onEvent: (s) => events.emit(s), throttleMs: 200 }),
    models: new ModelRegistry(deps.dataDir),
    attacks: new AttackService(deps.store),
    settings: new SettingsFile(deps.dataDir),
    locationFile: deps.locationFile,
    demoDir: deps.demoDir,
  };
}
