import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';

/**
 * Crash-safe bookkeeping of an encode in progress. `progress.log` starts with a JSON header naming the
 * batch plan, then one completed batch index per line. Batches are committed in groups: their rows are
 * written and fdatasync'd before their lines are appended and fsync'd, so after a kill at any instant every
 * listed batch is on disk; a torn last line (no newline) is ignored, and a batch encoded but not yet listed
 * is simply encoded again, with the same result.
 */

export const PROGRESS_FILE = 'progress.log';
export const LOCK_FILE = 'lock';

export class ProgressLog {
  private constructor(
    private readonly fd: number,
    readonly done: Uint8Array,
    /** True when no earlier progress was usable and the data file must start over. */
    readonly fresh: boolean,
  ) {}

  get completed(): number {
    let n = 0;
    for (const d of this.done) n += d;
    return n;
  }

  /** Opens the log of `dir`, keeping earlier progress only if it was made under the same plan. */
  static open(dir: string, planHash: string, totalBatches: number): ProgressLog {
    const path = join(dir, PROGRESS_FILE);
    const done = new Uint8Array(totalBatches);
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      // The last element is '' after a complete line, or a torn fragment: neither counts.
      lines.pop();
      let header: { planHash?: string; totalBatches?: number } = {};
      try {
        header = JSON.parse(lines[0] ?? '{}');
      } catch {
        header = {};
      }
      let usable = header.planHash === planHash && header.totalBatches === totalBatches;
      for (let i = 1; usable && i < lines.length; i++) {
        const batch = /^\d+$/.test(lines[i]) ? Number(lines[i]) : -1;
        if (batch < 0 || batch >= totalBatches) usable = false;
        else done[batch] = 1;
      }
      if (usable) {
        const fd = openSync(path, 'a');
        return new ProgressLog(fd, done, false);
      }
      done.fill(0);
    }
    const fd = openSync(path, 'w');
    writeSync(fd, `${JSON.stringify({ planHash, totalBatches })}\n`);
    fsyncSync(fd);
    return new ProgressLog(fd, done, true);
  }

  /** Records batches whose rows are already durable (one fsync for the group). */
  markDone(batches: readonly number[]): void {
    if (batches.length === 0) return;
    writeSync(this.fd, batches.map((b) => `${b}\n`).join(''));
    fsyncSync(this.fd);
    for (const b of batches) this.done[b] = 1;
  }

  close(): void {
    closeSync(this.fd);
  }

  static remove(dir: string): void {
    rmSync(join(dir, PROGRESS_FILE), { force: true });
  }
}

/** Keys being encoded by this process: a second encode of the same artifact must wait for the first. */
const active = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per artifact folder, across processes: `lock` holds the owner's pid. A lock left by a
 * process that no longer runs (killed, crashed) is taken over, which is what makes a resume after a kill
 * possible without manual clean-up.
 */
export class ArtifactLock {
  private constructor(private readonly path: string) {}

  static acquire(dir: string): ArtifactLock {
    const path = join(dir, LOCK_FILE);
    if (active.has(path)) {
      throw new WorkbenchError(
        'CONFLICT',
        `${dir} is already being encoded in this process. Wait for that encode or cancel it`,
        { file: path },
      );
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(
          fd,
          JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
        );
        closeSync(fd);
        active.add(path);
        return new ArtifactLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let owner: { pid?: number; host?: string } = {};
        try {
          owner = JSON.parse(readFileSync(path, 'utf8'));
        } catch {
          owner = {};
        }
        const stale =
          typeof owner.pid !== 'number' ||
          (owner.host === hostname() && (owner.pid === process.pid || !alive(owner.pid)));
        if (!stale) {
          throw new WorkbenchError(
            'CONFLICT',
            `${dir} is being encoded by process ${owner.pid} on ${owner.host}. Wait for it to finish, or stop it and run again to resume`,
            { file: path },
          );
        }
        unlinkSync(path);
      }
    }
    throw new WorkbenchError('CONFLICT', `${path}: could not take the lock. Try again`, { file: path });
  }

  release(): void {
    active.delete(this.path);
    rmSync(this.path, { force: true });
  }
}
