/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// page.evaluate callbacks run in the page: they use the DOM, not Node.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import { createApi, JobEvents } from '../../main/engine/api/index.ts';
import { JobManager } from '../../main/engine/jobs/index.ts';
import { openStore, type Store } from '../../main/engine/store/index.ts';
import { type RunningServer, startServer } from '../../main/server.ts';
import { bridgeShape } from '../../preload/contract.ts';
import { chartPoints, hasChromium, launchChromium, screenshot, VIEWPORT } from './browser.ts';
import { type E2eInputs, makeInputs } from './fixtures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const staticDir = join(root, 'out', 'renderer');

if (!hasChromium)
  console.warn('SKIPPED browser-mode end-to-end tests: no Chromium (apt-get install chromium)');

/**
 * The whole app in Debian's Chromium against browser mode, on a fresh data folder: a person's first session,
 * from the welcome card to a drill-down, each step waiting on visible state (data-testid), never on sleeps.
 * Tests run in order and share the page.
 */
describe.skipIf(!hasChromium)('browser mode in Chromium', () => {
  let work: string;
  let dataDir: string;
  let inputs: E2eInputs;
  let store: Store;
  let jobs: JobManager;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(staticDir, 'index.html'))) {
      throw new Error(`${staticDir} is not built: run npm run build first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'wb-e2e-'));
    dataDir = join(work, 'data');
    inputs = await makeInputs(work);
    store = openStore(dataDir);
    const events = new JobEvents();
    jobs = new JobManager({ onEvent: (s) => events.emit(s), throttleMs: 100 });
    server = await startServer({
      handlers: createApi({
        store,
        dataDir,
        shell: 'browser',
        jobs,
        events,
        demoDir: join(root, 'native-models'),
      }),
      events,
      staticDir,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page)
      await screenshot(page, `failure-${ctx.task.name.replace(/\W+/g, '-')}`, true);
  });

  afterAll(async () => {
    await browser?.close();
    for (const job of jobs?.list() ?? []) jobs.cancel(job.id);
    await server?.close();
    store?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const nav = async (view: string) => {
    await page.getByTestId(`nav-${view}`).click();
    await page.locator(`main[data-view="${view}"]`).waitFor();
  };

  it('opens on a fresh data folder with the demo offered, and takes the token out of the address bar', async () => {
    await page.goto(server.openUrl);
    await page.getByTestId('demo-card').waitFor();
    await page.getByTestId('datasets-empty').waitFor();
    expect(page.url()).not.toContain('token=');
    const run = page.getByTestId('demo-run');
    // The demo ships with the repository (native-models/packages and demo/experiment.json): offered and ready.
    const demo = (await (
      await fetch(`${server.url}/api/demo/status`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}` },
      })
    ).json()) as { value: { available: boolean; reason: string | null } };
    expect(demo.value).toMatchObject({ available: true, reason: null });
    expect(await run.isEnabled()).toBe(true);
    expect(await page.getByTestId('demo-unavailable').count()).toBe(0);
    await screenshot(page, 'view-welcome');
  });

  it('gives the page no Node globals, and the bridge exactly the contract', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      ipcRenderer: typeof (globalThis as Record<string, unknown>).ipcRenderer,
      module: typeof (globalThis as Record<string, unknown>).module,
      api: typeof (globalThis as Record<string, unknown>).api,
    }));
    // browser mode has no preload: the client lives inside the app's module scope, not on window
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
      module: 'undefined',
      api: 'undefined',
    });
    // every method of the contract answers over HTTP, and nothing else does
    for (const [capability, verbs] of Object.entries(bridgeShape())) {
      if (capability === 'events') continue;
      for (const verb of verbs) {
        const res = await fetch(`${server.url}/api/${capability}/${verb}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
          body: '{"__probe__":1}',
        });
        expect(res.status, `${capability}/${verb}`).toBe(200);
      }
    }
    const other = await fetch(`${server.url}/api/store/db`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
    });
    expect(other.status).toBe(404);
  });

  it('refuses requests without the token, with a wrong one, or from another origin, events included', async () => {
    const url = `${server.url}/api/datasets/list`;
    expect((await fetch(url, { method: 'POST' })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer nope' } })).status).toBe(
      401,
    );
    const foreign = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${server.url}/api/events`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/events?token=nope`)).status).toBe(401);
    // DNS rebinding: a page of another site whose name now points at 127.0.0.1 sends its own Host
    const rebinding = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/datasets/list',
          method: 'POST',
          headers: { Host: `attacker.example:${server.port}`, Authorization: `Bearer ${server.token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(rebinding).toBe(421);
  });

  it('imports a dataset through the wizard: detection, preview, progress', async () => {
    await nav('datasets');
    await page.getByTestId('open-import').click();
    await page.getByTestId('wizard-path').fill(inputs.beir);
    await page.getByTestId('wizard-detect').click();
    await page.getByTestId('wizard-preview').waitFor();
    expect(await page.getByTestId('wizard-format').textContent()).toBe('beir');
    expect(await page.getByTestId('wizard-file-qrels').textContent()).toContain('test');
    expect(await page.getByTestId('wizard-preview').textContent()).toContain('query-id\tcorpus-id\tscore');
    await page.getByTestId('wizard-name').fill('tiny');
    await screenshot(page, 'view-import-wizard', true);
    await page.getByTestId('wizard-import').click();
    await page.getByTestId('wizard-done').waitFor();
    const row = page.getByTestId('dataset-row-tiny');
    await row.waitFor();
    expect((await row.locator('td').allInnerTexts()).slice(0, 6)).toEqual([
      'tiny',
      'beir',
      '200',
      '10',
      '10',
      '30',
    ]);
    await row.click();
    await page.getByTestId('dataset-details').waitFor();
    // The folder's DATASET_CARD.md, kept with the dataset and rendered as Markdown.
    const card = page.getByTestId('dataset-card');
    expect(await card.locator('h3').textContent()).toBe('Tiny synthetic collection');
    expect(await card.locator('td').allInnerTexts()).toEqual(['test', '10', '30']);
    await screenshot(page, 'view-datasets', true);
  });

  it('imports two model packages, validated, with their manifests', async () => {
    await nav('models');
    for (const [path, name] of [
      [inputs.hypencoder, 'hyp'],
      [inputs.biencoder, 'be'],
    ]) {
      await page.getByTestId('model-path').fill(path);
      await page.getByTestId('model-name').fill(name);
      await page.getByTestId('model-import').click();
      await page.getByTestId(`model-row-${name}`).waitFor();
    }
    await page.getByTestId('model-row-hyp').click();
    expect(await page.getByTestId('model-qnet').textContent()).toContain('dims [16, 16, 16, 1]');
    expect(await page.getByTestId('provider-cpu').textContent()).toContain('available');
    await screenshot(page, 'view-models');
  });

  it('builds an experiment validated as typed, runs it and watches its progress', async () => {
    // variation sets made in a terminal show up in the builder
    const quiet = { write: () => true };
    const code = await main(
      ['--data', dataDir, 'attacks', 'generate', '--dataset', 'tiny', '--family', 'ordering', '--seed', '1'],
      {
        stdout: quiet,
        stderr: process.stderr,
      },
    );
    expect(code).toBe(0);
    await nav('experiment');
    await page.getByTestId('exp-name').fill('e2e');
    await page.getByTestId('exp-split').fill('test');
    await page.getByTestId('exp-use-hyp').check();
    await page.getByTestId('exp-graph-hyp').check();
    await page.getByTestId('exp-ncand-hyp').fill('2, 8');
    await page.getByTestId('exp-entry-hyp').fill('8');
    await page.getByTestId('exp-use-be').check();
    await page.getByTestId('exp-bm25').check();
    await page.getByTestId('exp-topk').fill('20');
    await page.getByTestId('exp-baseline').selectOption('be/flat');
    await page.getByTestId('exp-latency').check();
    await page.getByTestId('exp-latency-queries').fill('4');
    await page.getByTestId('exp-warmup').fill('1');
    await page.getByTestId('exp-repetitions').fill('1');
    await page.getByTestId('exp-attack-tiny/ordering-shuffle/seed1').check();
    await page.getByTestId('exp-valid').waitFor();

    // a mistake typed into the JSON is named by its path at once, and fixing it clears it
    const json = page.getByTestId('exp-json');
    const good = await json.inputValue();
    await json.fill(good.replace('"topK": 20', '"topK": 0'));
    await page.getByTestId('exp-issues').waitFor();
    expect(await page.getByTestId('exp-issues').textContent()).toContain('topK');
    await json.fill(good);
    await page.getByTestId('exp-valid').waitFor();
    await screenshot(page, 'view-experiment');

    // record every stage text the job shows while it runs
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { stages: string[] }).stages = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="job-stage"]')) {
          const t = el.textContent ?? '';
          if (!seen.includes(t)) seen.push(t);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('exp-run').click();
    await page.getByTestId('exp-results').waitFor({ timeout: 120_000 });
    const stages = await page.evaluate(() => (window as unknown as { stages: string[] }).stages);
    expect(stages.some((s) => /^job \d+\/10 e2e\/tiny\//.test(s))).toBe(true);
    await nav('jobs');
    await page.getByTestId('jobs-ended').waitFor();
    expect(await page.getByTestId('jobs-ended').textContent()).toContain('experiment e2e');
  });

  it('shows metrics with their settings and every chart holding data', async () => {
    await nav('results');
    await page.getByTestId('results-dataset').selectOption('tiny');
    await page.getByTestId('results-baseline').selectOption('e2e/tiny/be/flat');
    await page.getByTestId('results-row-e2e/tiny/hyp/exhaustive').waitFor();
    expect(await page.locator('[data-testid^="results-row-"]').count()).toBe(10);
    const header = await page.getByTestId('results-table').locator('thead').textContent();
    expect(header).toContain('nDCG@10');
    expect(header).toContain('graded gain · cutoff 10');
    expect(header).toContain('rel ≥ 1 · depth 10'); // RR@10
    expect(await page.getByTestId('results-common-settings').textContent()).toContain(
      'mean of 10 queries (run ∩ qrels) · qrels tiny/test',
    );
    // Pareto: four profiled runs of the original queries (BM25 has no model to profile)
    expect(await chartPoints(page, 'chart-pareto')).toBeGreaterThanOrEqual(5);
    expect(await chartPoints(page, 'chart-stages')).toBeGreaterThanOrEqual(4 * 3);
    expect(await chartPoints(page, 'chart-sweep')).toBe(2);
    expect(await chartPoints(page, 'chart-robustness')).toBeGreaterThanOrEqual(1);
    expect(await chartPoints(page, 'chart-deltas')).toBeGreaterThan(0);
    await screenshot(page, 'view-results', true);

    // the same runs as a self-contained HTML report and CSV tables
    const out = join(work, 'report');
    await page.getByTestId('report-dir').fill(out);
    await page.getByTestId('report-export-button').click();
    await page.getByTestId('report-files').waitFor();
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('e2e/tiny/hyp/exhaustive');
    expect(existsSync(join(out, 'metrics.csv'))).toBe(true);
  });

  it('sorts and filters runs, compares two with only differing parameters, and drills into a query', async () => {
    await nav('runs');
    await page.getByTestId('runs-filter').fill('nCandidates=8');
    await page.getByTestId('run-row-e2e/tiny/hyp/graph[nCandidates=8]').waitFor();
    // the grid point on the original queries and on the variation set
    expect(
      await page
        .locator('[data-testid^="run-row-"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid'))),
    ).toEqual([
      'run-row-e2e/tiny/hyp/graph[nCandidates=8]',
      'run-row-e2e/tiny/hyp/graph[nCandidates=8]@ordering-shuffle/seed1',
    ]);
    await page.getByTestId('runs-filter').fill('');
    await page.getByTestId('sort-name').click();
    await page.getByTestId('run-pick-e2e/tiny/hyp/graph[nCandidates=2]').check();
    await page.getByTestId('run-pick-e2e/tiny/hyp/graph[nCandidates=8]').check();
    await page.getByTestId('runs-compare').click();
    const params = page.getByTestId('compare-params');
    await params.waitFor();
    // the two grid points differ in nCandidates and in nothing else
    expect(await params.locator('tbody tr td:first-child').allTextContents()).toEqual([
      'graphSearch.nCandidates',
    ]);
    await page.getByTestId('compare-nDCG@10').waitFor();
    expect(await chartPoints(page, 'chart-compare-deltas')).toBeGreaterThan(0);

    // the q-net against BM25: a comparison whose rankings differ, to drill into
    await page.getByTestId('run-pick-e2e/tiny/hyp/graph[nCandidates=2]').uncheck();
    await page.getByTestId('run-pick-e2e/tiny/hyp/graph[nCandidates=8]').uncheck();
    await page.getByTestId('run-pick-e2e/tiny/hyp/exhaustive').check();
    await page.getByTestId('run-pick-e2e/tiny/bm25').check();
    await page.getByTestId('runs-compare').click();
    await page.locator('[data-testid="run-compare"] h3', { hasText: 'e2e/tiny/bm25' }).waitFor();
    await page.getByTestId('compare-nDCG@10').waitFor();
    const differing = await page
      .getByTestId('compare-params')
      .locator('tbody tr td:first-child')
      .allTextContents();
    expect(differing).toContain('mode');
    expect(differing).not.toContain('topK');
    await screenshot(page, 'view-runs', true);

    await page.locator('[data-testid^="compare-query-"]').first().click();
    const drill = page.getByTestId('drilldown');
    await drill.waitFor();
    await page.locator('[data-testid="drill-entry"]').first().waitFor();
    expect(await page.getByTestId('drill-query-text').textContent()).toMatch(/^what /);
    expect(await drill.locator('[data-testid^="drill-run-"]').count()).toBe(2);
    const labels = await drill.getByTestId('drill-label').allInnerTexts();
    expect(labels.some((l) => /^rel [12]$/.test(l))).toBe(true);
    expect(labels).toContain('unjudged');
    await drill.scrollIntoViewIfNeeded();
    await screenshot(page, 'view-drilldown');
  });

  it('cancels a running import: the job ends cancelled and the dataset never appears', async () => {
    await nav('datasets');
    await page.getByTestId('open-import').click();
    await page.getByTestId('wizard-path').fill(inputs.bigCorpus);
    await page.getByTestId('wizard-detect').click();
    await page.getByTestId('wizard-preview').waitFor();
    expect(await page.getByTestId('wizard-format').textContent()).toBe('jsonl');
    await page.getByTestId('wizard-name').fill('big');
    await page.getByTestId('wizard-import').click();
    await page.getByTestId('wizard-job').locator('[data-state="running"]').waitFor();
    // watched and cancelled from the Jobs view: a progress bar with its ETA, updated by pushed events
    await nav('jobs');
    const running = page.locator('[data-testid="jobs-active"] [data-state="running"]');
    await running.getByTestId('job-eta').waitFor();
    expect(await running.getByTestId('job-eta').textContent()).toMatch(/^ETA \d/);
    // cancel first: on a busy machine a full-page screenshot could outlast the import
    await running.getByTestId('job-cancel').click();
    await page.locator('[data-testid="jobs-ended"] [data-state="cancelled"]').waitFor();
    await screenshot(page, 'view-jobs');
    await nav('datasets');
    expect(await page.locator('[data-testid^="dataset-row-"]').count()).toBe(1);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('keeps settings, and says how to change the data folder in browser mode', async () => {
    await nav('settings');
    await page.getByTestId('settings-threads').fill('2');
    await page.getByTestId('settings-provider').selectOption('cpu');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    expect(await page.getByTestId('settings-datadir-fixed').textContent()).toContain('--data');
    await screenshot(page, 'view-settings');
    expect(pageErrors).toEqual([]);
  });
});
