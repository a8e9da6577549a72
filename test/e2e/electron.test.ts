/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they use the DOM, not Node.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeShape } from '../../preload/contract.ts';
import { screenshot } from './browser.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

/** The Electron binary, when its download was done (`npm run electron:fetch`); undefined otherwise. */
function electronBinary(): string | undefined {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const built = existsSync(join(root, 'out', 'main', 'index.js'));
if (!binary)
  console.warn(
    'SKIPPED the Electron end-to-end test: the Electron binary is not installed here (its download is skipped at install). ' +
      'On a machine that can reach github.com: npm run electron:fetch && npm run electron:rebuild',
  );

describe.skipIf(!binary || !built)('the desktop app (Electron)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-electron-'));
  let app: ElectronApplication | undefined;
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a sandboxed window whose window.api is exactly the contract, and nothing of Node', async () => {
    app = await _electron.launch({
      executablePath: binary,
      args: [root],
      env: { ...process.env, WORKBENCH_DATA: dataDir, ELECTRON_ENABLE_LOGGING: '0' },
    });
    const page = await app.firstWindow();
    await page.getByTestId('nav-datasets').waitFor();
    const seen = await page.evaluate(() => {
      const g = globalThis as Record<string, unknown>;
      const api = g.api as Record<string, Record<string, unknown>>;
      const shape: Record<string, string[]> = {};
      for (const k of Object.keys(api)) shape[k] = Object.keys(api[k]).sort();
      return {
        require: typeof g.require,
        process: typeof g.process,
        ipcRenderer: typeof g.ipcRenderer,
        shape,
      };
    });
    expect(seen).toEqual({
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
      shape: bridgeShape(),
    });
    const info = await page.evaluate(async () => {
      const api = (globalThis as unknown as { api: { system: { info(): Promise<unknown> } } }).api;
      return api.system.info();
    });
    expect(info).toMatchObject({ ok: true, value: { shell: 'electron', dataDir } });
    const bad = await page.evaluate(async () => {
      const api = (globalThis as unknown as { api: { datasets: { show(x: unknown): Promise<unknown> } } })
        .api;
      return api.datasets.show({ name: 42 });
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    // navigation away from the app is refused
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toBe(before);
    await screenshot(page, 'electron-window');
  });
});
