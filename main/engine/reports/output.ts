import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WorkbenchError } from '../errors.ts';

/**
 * The folder a report is written into. Every path is resolved and checked to lie inside it (names built
 * from run names such as `../x` or `a/b` cannot escape), existing files are never replaced unless the
 * caller forces it, and each file is written to an exclusive temporary name and renamed into place, so a
 * symbolic link planted at a target is replaced rather than followed.
 */

/** A file name from any text (a run name): path separators and other unsafe characters become `_`. */
export function safeFileName(text: string, extension: string): string {
  let base = text
    .normalize('NFC')
    .replace(/[^A-Za-z0-9._+=@,[\]-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 150);
  if (base === '' || base === '_') base = 'run';
  return `${base}${extension}`;
}

export class OutputFolder {
  readonly root: string;
  private readonly planned = new Set<string>();

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /** The absolute path of `relativePath` inside the folder, or an error when it would leave the folder. */
  inside(relativePath: string): string {
    const target = resolve(this.root, relativePath);
    const rel = relative(this.root, target);
    if (rel === '' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`))
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `refusing to write "${relativePath}": it resolves outside the output folder ${this.root}`,
        { field: 'out', file: target },
      );
    return target;
  }

  /**
   * Reserves a path (made unique with -2, -3… when two names map to the same file) and returns it relative
   * to the folder.
   */
  plan(folder: string, name: string): string {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    let candidate = folder ? join(folder, name) : name;
    for (let i = 2; this.planned.has(candidate); i++)
      candidate = folder ? join(folder, `${stem}-${i}${ext}`) : `${stem}-${i}${ext}`;
    this.inside(candidate);
    this.planned.add(candidate);
    return candidate;
  }

  /** Files among `paths` that exist already (a symbolic link counts, whatever it points to). */
  existing(paths: readonly string[]): string[] {
    return paths.filter((p) => {
      try {
        lstatSync(this.inside(p));
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Fails, naming the files, when any exists and `force` is not set. Writes nothing. */
  checkOverwrite(paths: readonly string[], force: boolean): void {
    if (force) return;
    const taken = this.existing(paths);
    if (taken.length)
      throw new WorkbenchError(
        'CONFLICT',
        `${this.root} already holds ${taken.length} of the report's files (${taken.slice(0, 5).join(', ')}${taken.length > 5 ? ', …' : ''}); nothing was written. Choose another folder or pass --force to replace them`,
        { field: 'out', file: this.root, files: taken },
      );
  }

  write(relativePath: string, content: string | Uint8Array): string {
    const target = this.inside(relativePath);
    mkdirSync(dirname(target), { recursive: true });
    // A folder on the way may be a link planted to lead elsewhere: the real parent must be inside too.
    const realParent = relative(realpathSync(this.root), realpathSync(dirname(target)));
    if (isAbsolute(realParent) || realParent === '..' || realParent.startsWith(`..${sep}`))
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `refusing to write "${relativePath}": its folder links outside the output folder ${this.root}`,
        { field: 'out', file: target },
      );
    if (existsSync(target) && lstatSync(target).isDirectory())
      throw new WorkbenchError(
        'CONFLICT',
        `${target} is a folder; remove it or choose another output folder`,
        {
          field: 'out',
          file: target,
        },
      );
    const tmp = `${target}.partial-${process.pid}`;
    const fd = openSync(tmp, 'wx');
    try {
      try {
        writeFileSync(fd, content);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    return target;
  }
}
