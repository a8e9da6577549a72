import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import { PROVIDER_REQUESTS, type ProviderRequest } from '../onnx/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

export interface SettingsView {
  /** onnxruntime intra-op threads; null = every logical core. */
  threads: number | null;
  provider: ProviderRequest;
  logicalCores: number;
  /** The data folder in use. */
  dataDir: string;
  /** The folder the desktop app opens at its next start, when one was chosen. */
  nextDataDir: string | null;
  /** Why the data folder cannot be changed from here (browser mode), or null. */
  dataDirFixedReason: string | null;
}

/** The desktop app's pointer to the data folder of its next start: `{ "dataDir": "/abs/path" }`. */
export function readLocationFile(file: string): string | null {
  if (!existsSync(file)) return null;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { dataDir?: unknown };
    return typeof json.dataDir === 'string' && isAbsolute(json.dataDir) ? json.dataDir : null;
  } catch {
    return null;
  }
}

function writeLocationFile(file: string, dataDir: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ dataDir }, null, 2)}\n`);
  renameSync(tmp, file);
}

const SettingsUpdate = z
  .object({
    threads: z.number().int().min(1).max(1024).nullable().optional(),
    provider: z.enum(PROVIDER_REQUESTS).optional(),
    dataDir: z.string().min(1).max(4096).optional(),
  })
  .strict();

export function settingsHandlers(ctx: ApiContext) {
  const view = (): SettingsView => {
    const s = ctx.settings.read();
    const next = ctx.locationFile ? readLocationFile(ctx.locationFile) : null;
    return {
      threads: s.threads,
      provider: s.provider,
      logicalCores: cpus().length,
      dataDir: ctx.dataDir,
      nextDataDir: next && next !== ctx.dataDir ? next : null,
      dataDirFixedReason: ctx.locationFile
        ? null
        : 'browser mode serves the data folder it was started with: restart with `npm run serve -- --data DIR` (or WORKBENCH_DATA=DIR)',
    };
  };
  return {
    get: handler(noInput, view),
    /** Threads and provider apply to the next job; a new data folder applies at the next start of the app. */
    set: handler(SettingsUpdate, (update) => {
      const current = ctx.settings.read();
      ctx.settings.write({
        threads: update.threads !== undefined ? update.threads : current.threads,
        provider: update.provider ?? current.provider,
      });
      if (update.dataDir !== undefined) {
        if (!ctx.locationFile) {
          throw new WorkbenchError('UNAVAILABLE', view().dataDirFixedReason!, { field: 'dataDir' });
        }
        if (!isAbsolute(update.dataDir)) {
          throw new WorkbenchError(
            'INVALID_ARGUMENT',
            `data folder "${update.dataDir}" is not an absolute path: give the full path, e.g. /home/me/workbench-data`,
            { field: 'dataDir' },
          );
        }
        writeLocationFile(ctx.locationFile, update.dataDir);
      }
      return view();
    }),
  };
}
