import { open, stat } from 'node:fs/promises';

export type ImportStage = 'corpus' | 'queries' | 'qrels' | 'finish' | 'index';

export interface ImportProgress {
  stage: ImportStage;
  /**
   * 0..1 over the (decompressed) bytes of all input files, up to the commit (stage `finish`); in stage
   * `index`, which follows the commit, over the passages to index.
   */
  fraction: number;
  bytesRead: number;
  totalBytes: number;
  documents: number;
  /** Passages in the full-text index so far (stage `index`, after the import committed). */
  indexed: number;
  queries: number;
  judgments: number;
}

export type ProgressListener = (progress: ImportProgress) => void;

/**
 * Bytes a file will yield once decompressed: the size on disk, or for gzip the ISIZE trailer (uncompressed
 * length mod 2^32, RFC 1952 §2.3.1) — exact for the usual single-member files under 4 GiB.
 */
export async function decompressedSize(path: string): Promise<number> {
  const { size } = await stat(path);
  if (size < 18) return size;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return size;
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    const isize = tail.readUInt32LE(0);
    // A member bigger than 4 GiB wraps around; fall back to a typical text compression ratio.
    return isize >= size ? isize : size * 4;
  } finally {
    await fh.close();
  }
}

/** Counts and throttles progress: at most one call per `intervalMs`, plus one at every stage change. */
export class ProgressTracker {
  readonly state: ImportProgress;
  private last = 0;

  constructor(
    totalBytes: number,
    private readonly listener: ProgressListener | undefined,
    private readonly clock: () => number = Date.now,
    private readonly intervalMs = 100,
  ) {
    this.state = {
      stage: 'corpus',
      fraction: 0,
      bytesRead: 0,
      totalBytes,
      documents: 0,
      indexed: 0,
      queries: 0,
      judgments: 0,
    };
  }

  addBytes(n: number): void {
    this.state.bytesRead += n;
  }

  stage(stage: ImportStage): void {
    this.state.stage = stage;
    // bytes are counted per line as UTF-16 length + 1, which undercounts multi-byte text: all read now
    if (stage === 'finish') this.state.bytesRead = this.state.totalBytes;
    this.emit(true);
  }

  /** Cheap enough to call per record: reads the clock only every 256 calls. */
  tick(count: number): void {
    if ((count & 255) === 0) this.emit(false);
  }

  emit(force: boolean): void {
    if (!this.listener) return;
    const now = this.clock();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    const s = this.state;
    if (s.stage === 'index') s.fraction = s.documents > 0 ? Math.min(1, s.indexed / s.documents) : 1;
    else s.fraction = s.totalBytes > 0 ? Math.min(1, s.bytesRead / s.totalBytes) : 1;
    this.listener({ ...s });
  }
}
