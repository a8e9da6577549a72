import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import type { ApiContext } from './context.ts';
import type { StartExperiment } from './experiments.ts';
import { handler, noInput } from './handler.ts';

/** The shipped demo: an experiment config beside the demo model packages (native-models/). */
export const DEMO_CONFIG = join('demo', 'experiment.json');

export interface DemoStatus {
  available: boolean;
  /** Why the demo cannot run here, in words that say what is missing. */
  reason: string | null;
  configPath: string | null;
}

export function demoStatus(ctx: Pick<ApiContext, 'demoDir'>): DemoStatus {
  if (!ctx.demoDir)
    return { available: false, reason: 'this build ships no demo folder (native-models/)', configPath: null };
  const configPath = join(ctx.demoDir, DEMO_CONFIG);
  if (!existsSync(configPath))
    return {
      available: false,
      reason: `the demo is not built yet: ${configPath} is missing (the demo models and their experiment come with native-models/)`,
      configPath: null,
    };
  return { available: true, reason: null, configPath };
}

export function demoHandlers(ctx: ApiContext, start: StartExperiment) {
  return {
    status: handler(noInput, () => demoStatus(ctx)),
    /** Runs the demo's experiment config as a job (validated like any other config). */
    run: handler(noInput, () => {
      const status = demoStatus(ctx);
      if (!status.available || !status.configPath)
        throw new WorkbenchError('UNAVAILABLE', `the demo cannot run here: ${status.reason}`);
      let config: unknown;
      try {
        config = JSON.parse(readFileSync(status.configPath, 'utf8'));
      } catch (err) {
        throw new WorkbenchError(
          'INPUT_INVALID',
          `${status.configPath}: not valid JSON (${(err as Error).message})`,
          {
            file: status.configPath,
          },
        );
      }
      return start(config, 'the demo experiment');
    }),
  };
}
