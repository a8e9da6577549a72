/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they use the DOM, not Node.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from '../../main/engine/reports/pdf.ts';

export const CHROMIUM = DEFAULT_CHROMIUM;
export const hasChromium = existsSync(CHROMIUM);
export const RESULTS_DIR = join(process.cwd(), 'test-results');
export const VIEWPORT = { width: 1280, height: 800 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--disable-quic'],
  });
}

/** Saves a screenshot of the 1280×800 viewport under test-results/ (one per view, and on failure). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Data points an ECharts chart holds once drawn, as its container reports them from the chart instance. */
export async function chartPoints(page: Page, testid: string): Promise<number> {
  const box = page.getByTestId(testid);
  await box.waitFor();
  await page.waitForFunction(
    (id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-rendered-points') !== '',
    testid,
  );
  return Number(await box.getAttribute('data-rendered-points'));
}
