import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import { createApi } from '../../main/engine/api/index.ts';
import { openStore, type Store } from '../../main/engine/store/index.ts';
import { type RunningServer, startServer } from '../../main/server.ts';
import { hasChromium, launchChromium, screenshot } from './browser.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const staticDir = join(root, 'out', 'renderer');
const fixture = join(root, 'test', 'fixtures', 'e2e-beir');

if (!hasChromium)
  console.warn('SKIPPED browser-mode end-to-end tests: no Chromium (apt-get install chromium)');

describe.skipIf(!hasChromium)('browser mode in Chromium', () => {
  let dataDir: string;
  let store: Store;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(join(staticDir, 'index.html'))) {
      throw new Error(`${staticDir} is not built: run npm run build first (npm test does)`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'wb-e2e-'));
    const sink = { write: () => true };
    const code = await main(['--data', dataDir, 'datasets', 'import', fixture, '--name', 'tiny'], {
      stdout: sink,
      stderr: process.stderr,
    });
    expect(code).toBe(0);
    store = openStore(dataDir);
    server = await startServer({ handlers: createApi({ store, dataDir, shell: 'browser' }), staticDir });
    browser = await launchChromium();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await screenshot(page, `failure-${ctx.task.name.replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the imported dataset through the API, with its counts', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.openUrl);
    const row = page.getByTestId('dataset-row-tiny');
    await row.waitFor();
    expect(await row.locator('td').allInnerTexts()).toEqual(['tiny', 'beir', '3', '2', '2', '3']);
    // the token leaves the address bar once read
    expect(page.url()).not.toContain('token=');
    await screenshot(page, 'view-datasets');
  });

  it('gives the page no Node globals and no window.api in browser mode', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      ipcRenderer: typeof (globalThis as Record<string, unknown>).ipcRenderer,
      api: typeof (globalThis as Record<string, unknown>).api,
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
      api: 'undefined',
    });
  });

  it('refuses API calls without the token, with a wrong token, or from another origin', async () => {
    const url = `${server.url}/api/datasets/list`;
    const noToken = await fetch(url, { method: 'POST' });
    expect(noToken.status).toBe(401);
    const wrong = await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const foreign = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const ok = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { ok: boolean; value: { name: string }[] };
    expect(body.ok).toBe(true);
    expect(body.value.map((d) => d.name)).toEqual(['tiny']);
  });

  it('answers a malformed payload with an error envelope and keeps serving', async () => {
    const url = `${server.url}/api/datasets/show`;
    const headers = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
    for (const body of ['{"name": 42}', '[1,2]', '"x"', '{"name":"tiny","extra":1}', '{not json']) {
      const res = await fetch(url, { method: 'POST', headers, body });
      const parsed = (await res.json()) as { ok: boolean; error?: { code: string } };
      expect(parsed.ok).toBe(false);
      expect(parsed.error?.code).toBe('INVALID_ARGUMENT');
    }
    const good = await fetch(url, { method: 'POST', headers, body: '{"name":"tiny"}' });
    expect(((await good.json()) as { ok: boolean }).ok).toBe(true);
  });
});
