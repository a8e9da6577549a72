import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { readLines } from '../../../../main/engine/io/lines.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, maxLineBytes?: number) {
  const out: { lineNo: number; text: string }[] = [];
  for await (const line of readLines(path, { maxLineBytes })) out.push(line);
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected an error');
}

describe('readLines', () => {
  it('numbers lines, strips CRLF and a BOM, keeps a last line without newline', async () => {
    const p = join(dir, 'a.txt');
    writeFileSync(p, '\ufefffirst\r\nsecond\n\nfourth');
    expect(await collect(p)).toEqual([
      { lineNo: 1, text: 'first' },
      { lineNo: 2, text: 'second' },
      { lineNo: 3, text: '' },
      { lineNo: 4, text: 'fourth' },
    ]);
  });

  it('reads gzip by content, whatever the name', async () => {
    const p = join(dir, 'b.data');
    writeFileSync(p, gzipSync('x\ny\n'));
    expect((await collect(p)).map((l) => l.text)).toEqual(['x', 'y']);
  });

  it('joins a line split across stream chunks, multibyte characters included', async () => {
    const p = join(dir, 'c.txt');
    const long = 'é'.repeat(700_000); // 1.4 MB of two-byte characters: crosses 1 MiB chunk boundaries
    writeFileSync(p, `a\n${long}\nb\n`);
    const lines = await collect(p);
    expect(lines.map((l) => l.text.length)).toEqual([1, 700_000, 1]);
    expect(lines[1].text).toBe(long);
  });

  it('rejects invalid UTF-8 naming file and line', async () => {
    const p = join(dir, 'bad.txt');
    writeFileSync(p, Buffer.concat([Buffer.from('ok\nfine\n'), Buffer.from([0x61, 0xff, 0xfe, 0x0a])]));
    const err = await errorOf(collect(p));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toContain(`${p}:3`);
    expect(err.message).toMatch(/UTF-8/);
    expect(err.details?.line).toBe(3);
  });

  it('rejects a line over the limit without buffering it whole', async () => {
    const p = join(dir, 'long.txt');
    writeFileSync(p, `short\n${'x'.repeat(3 * 1024 * 1024)}\n`);
    const err = await errorOf(collect(p, 1024 * 1024));
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.details?.line).toBe(2);
  });

  it('reports a truncated gzip file', async () => {
    const p = join(dir, 'trunc.gz');
    const gz = gzipSync(Buffer.from('line\n'.repeat(10_000)));
    writeFileSync(p, gz.subarray(0, gz.length - 20));
    const err = await errorOf(collect(p));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toMatch(/gzip/);
  });

  it('names a missing file', async () => {
    const err = await errorOf(collect(join(dir, 'nope.txt')));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('nope.txt');
  });
});
