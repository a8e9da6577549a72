import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

/** The shipped demo: an experiment config beside the demo model packages (native-models/). */
export const DEMO_CONFIG = join('demo', 'experiment.json');

export interface DemoStatus {
  available: boolean;
  /** Why the demo cannot run here, in words that say what is missing. */
  reason: string | null;
  configPath: string | null;
}

export function demoStatus(ctx: Pick<ApiContext, 'demoDir'>, runnerAvailable: boolean): DemoStatus {
  if (!ctx.demoDir) return { available: false, reason: 'this build ships no demo folder (native-models/)', configPath: null };
  const configPath = join(ctx.demoDir, DEMO_CONFIG);
  if (!existsSync(configPath))
    return {
      available: false,
      reason: `the demo is not built yet: ${configPath} is missing (the demo models and their experiment come with native-models/)`,
      configPath: null,
    };
  if (!runnerAvailable)
    return { available: false, reason: 'the experiment runner is not part of this build yet', configPath };
  return { available: true, reason: null, configPath };
}

export function demoHandlers(ctx: ApiContext) {
  return {
    status: handler(noInput, () => demoStatus(ctx, false)),
  };
}
