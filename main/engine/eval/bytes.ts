import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { inputError, WorkbenchError } from '../errors.ts';

// Byte-level helpers of the run reader: chunked (and gunzipped) reading, whitespace and number scanning.

/**
 * Byte length of the Unicode space separator starting at b[i] (0 if none): the non-ASCII members of
 * JavaScript's `\s` in UTF-8 — U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
 */
export function wideSpace(b: Buffer, i: number): number {
  const c = b[i];
  if (c === 0xc2) return b[i + 1] === 0xa0 ? 2 : 0;
  if (c === 0xe1) return b[i + 1] === 0x9a && b[i + 2] === 0x80 ? 3 : 0;
  if (c === 0xe2) {
    const c1 = b[i + 1];
    const c2 = b[i + 2];
    if (c1 === 0x80) return c2 <= 0x8a || c2 === 0xa8 || c2 === 0xa9 || c2 === 0xaf ? 3 : 0;
    return c1 === 0x81 && c2 === 0x9f ? 3 : 0;
  }
  if (c === 0xe3) return b[i + 1] === 0x80 && b[i + 2] === 0x80 ? 3 : 0;
  if (c === 0xef) return b[i + 1] === 0xbb && b[i + 2] === 0xbf ? 3 : 0;
  return 0;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses `[+-]digits[.digits]` with at most 15 significant digits without making a string. An integer of
 * ≤ 15 digits and a power of ten ≤ 1e15 are both exact doubles, so one IEEE division rounds correctly and the
 * result equals Number(text) bit for bit. Returns NaN for anything else (the caller falls back to Number).
 */
export function parseSimpleDecimal(b: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = b[i];
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let seenDot = false;
  let any = false;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) {
      any = true;
      if (seenDot) fraction++;
      if (mantissa === 0 && c === 48) continue;
      if (++digits > 15) return Number.NaN;
      mantissa = mantissa * 10 + (c - 48);
    } else if (c === 46 /* . */ && !seenDot) {
      seenDot = true;
    } else {
      return Number.NaN;
    }
  }
  if (!any || fraction > 15) return Number.NaN;
  const value = mantissa / POW10[fraction];
  return negative ? -value : value;
}

/** Yields the file's bytes in large chunks, gunzipping when the content starts with the gzip magic. */
export async function* openChunks(path: string, file: string): AsyncGenerator<Buffer> {
  let gzip: boolean;
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new WorkbenchError(
      'NOT_FOUND',
      `${file}: cannot open (${(err as Error).message}). Check the path.`,
      {
        file,
      },
    );
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 22 });
  const stream = gzip ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gzip) raw.on('error', (e) => stream.destroy(e));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
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
        { file },
        `corrupt or truncated gzip data (${(err as Error).message})`,
        'Re-download or re-compress the file',
      );
    }
    throw err;
  } finally {
    raw.destroy();
  }
}
