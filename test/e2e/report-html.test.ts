/**
 * The exported HTML report opens offline in Chromium with every chart drawn and loads nothing: requests are
 * intercepted (and refused) and must be none but the file itself. A screenshot goes to test-results/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReport, type ReportModel, reportCharts } from '../../main/engine/reports/index.ts';
import { type ReportFixture, reportFixture } from '../unit/engine/reports/fixture.ts';
import { hasChromium, launchChromium, screenshot } from './browser.ts';

if (!hasChromium) console.warn('report-html: skipped, no Chromium at /usr/bin/chromium (set CHROMIUM_PATH)');

let f: ReportFixture;
let file: string;
let model: ReportModel;

describe.skipIf(!hasChromium)('HTML report in Chromium', () => {
  beforeAll(async () => {
    f = await reportFixture('wb-report-e2e-');
    const out = join(f.root, 'report');
    ({ model } = await exportReport({
      store: f.store,
      experiment: f.experiment,
      formats: ['html'],
      outDir: out,
    }));
    file = join(out, 'report.html');
  });
  afterAll(() => f?.close());

  it('has no script, link or URL in its source', () => {
    const html = readFileSync(file, 'utf8');
    // url(#id) references a clip path inside the same SVG; any other url() would be a fetch.
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\((?!#)/i);
    expect(html).not.toMatch(/\b(?:src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/|file:|data:/i);
  });

  it('loads nothing and draws every chart', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const url = pathToFileURL(file).href;
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.request().url() === url ? route.continue() : route.abort();
      });
      page.on('requestfailed', (r) => requests.push(`failed ${r.url()}`));
      await page.goto(url, { waitUntil: 'load' });
      try {
        const expected = [...reportCharts(model).keys()];
        expect(expected.sort()).toEqual(
          ['effectiveness-tiny-original', 'latency-stages', 'pareto-tiny', 'robustness-families'].sort(),
        );
        for (const id of expected) {
          const svg = page.locator(`figure[data-figure="${id}"] svg[data-chart="${id}"]`);
          await expect.poll(() => svg.count()).toBe(1);
          expect(await svg.isVisible(), id).toBe(true);
          const box = (await svg.boundingBox())!;
          expect(box.width, id).toBeGreaterThan(300);
          expect(box.height, id).toBeGreaterThan(150);
          // Drawn marks, not an empty frame: bars, points or lines.
          expect(await svg.locator('path').count(), id).toBeGreaterThan(5);
        }
        await expect.poll(() => page.locator('table[data-table^="effectiveness-"]').count()).toBe(2);
        expect(requests).toEqual([url]);
        await screenshot(page, 'report-html');
      } catch (err) {
        await screenshot(page, 'report-html-failure');
        throw err;
      }
    } finally {
      await browser.close();
    }
  });
});
