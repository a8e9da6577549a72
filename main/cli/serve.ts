import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createApi, JobEvents } from '../engine/api/index.ts';
import { JobManager } from '../engine/jobs/index.ts';
import { startServer } from '../server.ts';
import type { CliContext } from './context.ts';

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));
export const DEMO_DIR = fileURLToPath(new URL('../../native-models', import.meta.url));

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('browser mode: serve the app and its API on 127.0.0.1 with a random token')
    .option('--port <n>', 'port (default: a random free port)', (v) => Number.parseInt(v, 10))
    .option('--static <dir>', 'the built renderer folder', DEFAULT_STATIC_DIR)
    .action(async (opts: { port?: number; static: string }) => {
      const store = ctx.store();
      const events = new JobEvents();
      const jobs = new JobManager({ onEvent: (s) => events.emit(s), throttleMs: 200 });
      const server = await startServer({
        handlers: createApi({
          store,
          dataDir: ctx.dataDir,
          shell: 'browser',
          jobs,
          events,
          demoDir: existsSync(DEMO_DIR) ? DEMO_DIR : undefined,
        }),
        events,
        staticDir: opts.static,
        port: opts.port,
      });
      ctx.out(`Hypencoder Workbench (browser mode), data folder ${ctx.dataDir}`);
      ctx.out(`Open: ${server.openUrl}`);
      ctx.out('Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          // Running jobs stop between batches; an import's transaction rolls back.
          for (const job of jobs.list()) jobs.cancel(job.id);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
