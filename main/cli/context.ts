import type { Writable } from 'node:stream';
import { openStore, type Store } from '../engine/store/index.ts';

export interface CliIo {
  stdout: Pick<Writable, 'write'>;
  stderr: Pick<Writable, 'write'>;
}

/** What every command gets: where to write, and the store of the chosen data folder, opened on first use. */
export class CliContext {
  private opened: Store | undefined;

  constructor(
    readonly io: CliIo,
    private readonly resolveDataDir: () => string,
  ) {}

  get dataDir(): string {
    return this.resolveDataDir();
  }

  store(): Store {
    this.opened ??= openStore(this.dataDir);
    return this.opened;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}
