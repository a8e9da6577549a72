import { existsSync } from 'node:fs';
import { WorkbenchError } from '../errors.ts';

/**
 * PDF from the HTML report. In the app the caller passes Electron's `webContents.printToPDF` as the renderer;
 * in browser and CLI modes headless Chromium prints it (playwright-core driving the system's Chromium). The
 * page gets the HTML as its content with every request refused, so printing fetches nothing either.
 */

export type PdfRenderer = (html: string) => Promise<Uint8Array>;

export const DEFAULT_CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with nothing fetched from the network; the end-to-end tests launch it the same way. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function unavailable(why: string): WorkbenchError {
  return new WorkbenchError(
    'UNAVAILABLE',
    `PDF export needs headless Chromium: ${why}. Install Chromium (Debian/Ubuntu: apt-get install chromium) or point CHROMIUM_PATH at a Chromium or Chrome binary; the other formats (html, md, tex, csv, trec, json) need nothing`,
    { field: 'format' },
  );
}

/** Headless Chromium's `page.pdf()` at `executablePath` (A4, backgrounds printed). */
export function chromiumPdfRenderer(executablePath: string = DEFAULT_CHROMIUM): PdfRenderer {
  return async (html: string) => {
    if (!existsSync(executablePath)) throw unavailable(`no Chromium at ${executablePath}`);
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch {
      throw unavailable('the playwright-core package is not installed');
    }
    const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        landscape: true,
        printBackground: true,
        margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
      });
    } finally {
      await browser.close();
    }
  };
}
