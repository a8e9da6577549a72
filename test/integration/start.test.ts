import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const electronInstalled = existsSync(join(dirname(require.resolve('electron/package.json')), 'path.txt'));
const built = existsSync(join(root, 'out', 'renderer', 'index.html'));

if (electronInstalled) console.warn('SKIPPED npm start fallback test: the Electron binary is installed here');

/** Reads a child's stdout until a line matches, or fails after the timeout with everything it printed. */
function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<{ match: RegExpMatchArray; all: string }> {
  return new Promise((resolve, reject) => {
    let all = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output:\n${all}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      all += chunk.toString();
      const match = all.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ match, all });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      all += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}; output:\n${all}`));
    });
  });
}

describe.skipIf(electronInstalled || !built)('npm start without the Electron binary', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-start-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says what is missing and serves the app in browser mode', async () => {
    child = spawn(process.execPath, [join(root, 'main', 'bin', 'start.mjs')], {
      cwd: root,
      env: { ...process.env, WORKBENCH_DATA: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { match, all } = await waitForLine(child, /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/, 60_000);
    expect(all).toContain('Desktop app unavailable: the Electron binary is not installed');
    expect(all).toContain('npm run electron:fetch');
    expect(all).toContain('browser mode');
    const page = await fetch(match[1]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const token = new URL(match[1]).searchParams.get('token');
    const api = await fetch(new URL('/api/datasets/list', match[1]), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(await api.json()).toEqual({ ok: true, value: [] });
  });
});
