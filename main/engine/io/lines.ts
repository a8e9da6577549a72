import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { inputError, WorkbenchError } from '../errors.ts';

export interface LineReaderOptions {
  /** Longest accepted line in bytes; a longer one is an error, never a silent truncation. */
  maxLineBytes?: number;
  signal?: AbortSignal;
  /** Name shown in errors; defaults to the path. */
  displayName?: string;
}

export interface Line {
  /** 1-based line number in the (decompressed) file. */
  lineNo: number;
  text: string;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/**
 * Streams the lines of a text file (plain or gzip, detected by content), strictly UTF-8: invalid bytes,
 * over-long lines and a truncated gzip member are errors that name the file and line. `\r\n` endings and a
 * leading BOM are accepted. Memory stays bounded by the longest line.
 */
export async function* readLines(path: string, options: LineReaderOptions = {}): AsyncGenerator<Line> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const name = options.displayName ?? path;
  let gz: boolean;
  try {
    gz = await isGzip(path);
  } catch (err) {
    throw new WorkbenchError(
      'NOT_FOUND',
      `${name}: cannot open (${(err as Error).message}). Check the path.`,
      {
        file: name,
      },
    );
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lineNo = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const decode = (bytes: Uint8Array): string => {
    try {
      let text = decoder.decode(bytes);
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      return text;
    } catch {
      throw inputError(
        'INPUT_INVALID',
        { file: name, line: lineNo },
        'invalid UTF-8',
        'Re-encode the file as UTF-8',
      );
    }
  };
  const tooLong = () =>
    inputError(
      'INPUT_TOO_LARGE',
      { file: name, line: lineNo + 1 },
      `line longer than ${maxLineBytes} bytes`,
      'Is this really a line-oriented file? Split the record or raise the limit',
    );

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new WorkbenchError('CANCELLED', `${name}: reading cancelled`);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl === -1) break;
        const piece = chunk.subarray(start, nl);
        lineNo++;
        if (pendingBytes > 0) {
          if (pendingBytes + piece.length > maxLineBytes) {
            lineNo--;
            throw tooLong();
          }
          pending.push(piece);
          const joined = Buffer.concat(pending, pendingBytes + piece.length);
          pending = [];
          pendingBytes = 0;
          yield { lineNo, text: decode(joined) };
        } else {
          if (piece.length > maxLineBytes) {
            lineNo--;
            throw tooLong();
          }
          yield { lineNo, text: decode(piece) };
        }
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        pendingBytes += rest.length;
        if (pendingBytes > maxLineBytes) throw tooLong();
        // copy: the stream may reuse its chunk buffers
        pending.push(Buffer.from(rest));
      }
    }
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (
      code === 'Z_BUF_ERROR' ||
      code === 'Z_DATA_ERROR' ||
      /unexpected end|incorrect header/i.test(String(err))
    ) {
      throw inputError(
        'INPUT_INVALID',
        { file: name, line: lineNo + 1 },
        `corrupt or truncated gzip data (${(err as Error).message})`,
        'Re-download or re-compress the file',
      );
    }
    throw err;
  } finally {
    raw.destroy();
  }
  if (pendingBytes > 0) {
    lineNo++;
    yield { lineNo, text: decode(Buffer.concat(pending, pendingBytes)) };
  }
}

/** Whitespace split that tolerates runs of spaces and tabs, as trec_eval's reader does. */
export function splitFields(text: string): string[] {
  return text.trim().split(/\s+/);
}
