import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { MANIFEST_FILE, MODEL_NAME_PATTERN, type ModelManifest, manifestToJson } from './manifest.ts';
import {
  type ModelPackage,
  readManifest,
  readPackage,
  type SessionOptions,
  type ValidationReport,
  validatePackage,
} from './package.ts';

/**
 * The models a data folder holds, kept as files: `<dataDir>/models/<name>/` is a verified copy of the
 * package plus `registration.json`. An import copies into a hidden temporary folder, validates the copy
 * (hashes, sessions, probe) and renames it into place, so a failed or killed import never leaves a
 * half-registered model behind.
 */

export const MODELS_DIR = 'models';
export const REGISTRATION_FILE = 'registration.json';

export interface Registration {
  name: string;
  importedAt: string;
  /** Absolute path of the folder it was imported from. */
  importedFrom: string;
  packageHash: string;
  documentEncoderHash: string;
  /** Providers and probe shapes seen when the copy was validated. */
  validation: Pick<ValidationReport, 'files' | 'graphs' | 'tokenizer'>;
}

export interface RegisteredModel extends Registration {
  dir: string;
  manifest: ModelManifest;
}

export interface ImportOptions extends SessionOptions {
  /** Register under this name instead of the manifest's; the copy's model.json is rewritten to match. */
  name?: string;
  signal?: AbortSignal;
}

export function checkModelName(name: string): string {
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `"${name}" is not a usable model name: use 1–100 letters, digits, . _ + - starting with a letter or digit`,
      { field: 'name' },
    );
  }
  return name;
}

export class ModelRegistry {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.root = join(dataDir, MODELS_DIR);
  }

  private dirOf(name: string): string {
    return join(this.root, checkModelName(name));
  }

  has(name: string): boolean {
    return existsSync(join(this.dirOf(name), REGISTRATION_FILE));
  }

  get(name: string): RegisteredModel {
    const dir = this.dirOf(name);
    const regPath = join(dir, REGISTRATION_FILE);
    if (!existsSync(regPath)) {
      const known = this.list().map((m) => m.name);
      throw new WorkbenchError(
        'NOT_FOUND',
        `No model named "${name}" in ${this.root}. ${known.length ? `Known: ${known.join(', ')}` : 'Import one with `models import DIR`'}`,
        { field: 'name' },
      );
    }
    const registration = JSON.parse(readFileSync(regPath, 'utf8')) as Registration;
    return { ...registration, dir, manifest: readManifest(dir) };
  }

  /** The package of a registered model, ready for `openModel`. */
  package(name: string): ModelPackage {
    return readPackage(this.get(name).dir);
  }

  /** Registered models by name; folders that are not complete registrations (temporary, foreign) are skipped. */
  list(): RegisteredModel[] {
    if (!existsSync(this.root)) return [];
    const out: RegisteredModel[] = [];
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || !MODEL_NAME_PATTERN.test(entry.name))
        continue;
      if (!existsSync(join(this.root, entry.name, REGISTRATION_FILE))) continue;
      out.push(this.get(entry.name));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async import(sourceDir: string, options: ImportOptions = {}): Promise<RegisteredModel> {
    const source = resolve(sourceDir);
    const pkg = readPackage(source);
    const name = checkModelName(options.name ?? pkg.manifest.name);
    const target = this.dirOf(name);
    if (existsSync(target)) {
      throw new WorkbenchError(
        'CONFLICT',
        `A model named "${name}" is already registered (${target}). Import under another name with --name, or delete it first`,
        { field: 'name' },
      );
    }
    mkdirSync(this.root, { recursive: true });
    const staging = join(this.root, `.import-${randomBytes(6).toString('hex')}`);
    mkdirSync(staging);
    try {
      for (const file of Object.keys(pkg.manifest.provenance.files))
        copyFileSync(join(source, file), join(staging, file));
      const manifest = { ...pkg.manifest, name };
      writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifestToJson(manifest), null, 2)}\n`);
      // Validating the copy, not the source, catches a file that changed or broke while being copied.
      const report = await validatePackage(staging, options);
      const registration: Registration = {
        name,
        importedAt: this.clock().toISOString(),
        importedFrom: source,
        packageHash: report.packageHash,
        documentEncoderHash: pkg.documentEncoderHash,
        validation: { files: report.files, graphs: report.graphs, tokenizer: report.tokenizer },
      };
      writeFileSync(join(staging, REGISTRATION_FILE), `${JSON.stringify(registration, null, 2)}\n`);
      try {
        renameSync(staging, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') {
          throw new WorkbenchError(
            'CONFLICT',
            `A model named "${name}" was registered meanwhile (${target}). Choose another name with --name`,
            {
              field: 'name',
            },
          );
        }
        throw err;
      }
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw err;
    }
    return this.get(name);
  }

  /** Validates a registered model's files and graphs again (e.g. after a disk problem). */
  validate(name: string, options: SessionOptions & { signal?: AbortSignal } = {}): Promise<ValidationReport> {
    return validatePackage(this.get(name).dir, options);
  }

  /**
   * Unregisters and deletes the copy. The folder is renamed out of the way first so that a crash halfway
   * through the removal leaves no partly deleted model that still looks registered. Embedding artifacts
   * are content-addressed and may serve another package with the same document encoder, so they stay.
   */
  delete(name: string): void {
    // Only the registration is required: a model whose files were damaged must still be deletable.
    if (!this.has(name)) this.get(name);
    const dir = this.dirOf(name);
    const trash = join(this.root, `.delete-${randomBytes(6).toString('hex')}`);
    renameSync(dir, trash);
    rmSync(trash, { recursive: true, force: true });
  }
}

/** Imports a package into `<dataDir>/models/` (see ModelRegistry.import). */
export function importPackage(
  dir: string,
  options: ImportOptions & { dataDir: string },
): Promise<RegisteredModel> {
  const { dataDir, ...rest } = options;
  return new ModelRegistry(dataDir).import(dir, rest);
}
