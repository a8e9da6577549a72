/**
 * The PDF report is the HTML printed by headless Chromium: its text holds the same key numbers, chart titles
 * and tables, and its pages render (poppler's pdftotext and pdftoppm). Without Chromium the export fails with
 * UNAVAILABLE naming what to install, and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../main/engine/errors.ts';
import { cFixed } from '../../main/engine/eval/index.ts';
import {
  chromiumPdfRenderer,
  DEFAULT_CHROMIUM,
  exportReport,
  type ReportModel,
} from '../../main/engine/reports/index.ts';
import { type ReportFixture, reportFixture } from '../unit/engine/reports/fixture.ts';

const hasChromium = existsSync(DEFAULT_CHROMIUM);
const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0;
if (!hasChromium) console.warn(`report-pdf: PDF rendering skipped, no Chromium at ${DEFAULT_CHROMIUM}`);
if (!hasPoppler)
  console.warn('report-pdf: PDF text checks skipped, pdftotext missing (apt-get install poppler-utils)');

let f: ReportFixture;
beforeAll(async () => {
  f = await reportFixture('wb-report-pdf-');
});
afterAll(() => f?.close());

describe('PDF report', () => {
  it('without Chromium: UNAVAILABLE, naming what to install, and nothing written', async () => {
    const out = join(f.root, 'no-chromium');
    const err = await exportReport({
      store: f.store,
      experiment: f.experiment,
      formats: ['html', 'pdf'],
      outDir: out,
      renderPdf: chromiumPdfRenderer(join(f.root, 'no-such-chromium')),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('UNAVAILABLE');
    expect((err as WorkbenchError).message).toMatch(/apt-get install chromium.*CHROMIUM_PATH/);
    expect(existsSync(out)).toBe(false);
  });

  describe.skipIf(!hasChromium)('with Chromium', () => {
    let pdf: string;
    let model: ReportModel;
    beforeAll(async () => {
      const out = join(f.root, 'report');
      ({ model } = await exportReport({
        store: f.store,
        experiment: f.experiment,
        formats: ['pdf'],
        outDir: out,
      }));
      pdf = join(out, 'report.pdf');
    });

    it('is a PDF', () => {
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    });

    it.skipIf(!hasPoppler)('holds the same key numbers, tables and charts as the HTML', () => {
      const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout;
      expect(text).toContain('Experiment rep');
      for (const heading of [
        'Setup',
        'Effectiveness',
        'Efficiency',
        'Robustness',
        'Queries with the largest differences',
      ])
        expect(text).toContain(heading);
      // Every effectiveness value and every Pareto point, as stored, printed to 4 decimals.
      const numbers = new Set<string>();
      for (const g of model.effectiveness)
        for (const r of g.rows) for (const c of r.cells) numbers.add(cFixed(c.value!, 4));
      for (const p of model.pareto[0].points) numbers.add(cFixed(p.quality, 4));
      for (const n of numbers) expect(text, n).toContain(n);
      // Chart titles are drawn as SVG text, so they come through too.
      expect(text).toContain('nDCG@10 vs latency on tiny (Pareto front)');
      expect(text).toContain('p50 latency per query by stage (batch 1)');
    });

    it.skipIf(!hasPoppler)('renders every page', () => {
      const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' }).stdout;
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
      expect(pages).toBeGreaterThan(1);
      const dir = join(f.root, 'pages');
      mkdirSync(dir);
      const r = spawnSync('pdftoppm', ['-png', '-r', '40', pdf, join(dir, 'page')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const images = readdirSync(dir).sort();
      expect(images).toHaveLength(pages);
      for (const png of images) expect(statSync(join(dir, png)).size).toBeGreaterThan(2000);
      mkdirSync('test-results', { recursive: true });
      copyFileSync(join(dir, images[0]), join('test-results', 'report-pdf-page1.png'));
    });
  });
});
