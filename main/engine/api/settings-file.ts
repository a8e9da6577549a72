import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import { PROVIDER_REQUESTS } from '../onnx/index.ts';

export const SETTINGS_FILE = 'settings.json';

/**
 * Preferences kept with the data they apply to (`<dataDir>/settings.json`), so the desktop app, browser mode
 * and the CLI on one data folder agree. `threads: null` lets onnxruntime use every logical core.
 */
export const StoredSettingsSchema = z
  .object({
    threads: z.number().int().min(1).max(1024).nullable(),
    provider: z.enum(PROVIDER_REQUESTS),
  })
  .strict();

export type StoredSettings = z.output<typeof StoredSettingsSchema>;

export const DEFAULT_SETTINGS: StoredSettings = { threads: null, provider: 'auto' };

export class SettingsFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, SETTINGS_FILE);
  }

  read(): StoredSettings {
    if (!existsSync(this.path)) return { ...DEFAULT_SETTINGS };
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new WorkbenchError(
        'INPUT_INVALID',
        `${this.path}: not valid JSON (${(err as Error).message}). Fix or delete the file to return to the defaults`,
        { file: this.path },
      );
    }
    const parsed = StoredSettingsSchema.partial().safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || '(root)';
      throw new WorkbenchError(
        'INPUT_INVALID',
        `${this.path}: ${field}: ${issue?.message ?? 'invalid'}. Fix or delete the file to return to the defaults`,
        { file: this.path, field },
      );
    }
    return { ...DEFAULT_SETTINGS, ...parsed.data };
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a settings file. */
  write(settings: StoredSettings): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}
