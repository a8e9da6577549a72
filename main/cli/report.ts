import type { Command } from 'commander';
import { WorkbenchError } from '../engine/errors.ts';
import { exportReport, parseReportFormats, type SignificanceTest } from '../engine/reports/index.ts';
import type { CliContext } from './context.ts';

/**
 * `report EXPERIMENT --format html,pdf,md,tex,csv,trec,json --out DIR [--force]` (or `--runs A B …` for a
 * selection of stored runs): writes the report files into DIR and lists them.
 */

interface ReportOpts {
  format: string;
  out?: string;
  force?: boolean;
  runs?: string[];
  baseline?: string;
  test: string;
  alpha: string;
  title?: string;
  json?: boolean;
}

const TESTS: Record<string, SignificanceTest> = {
  t: 'tTest',
  ttest: 'tTest',
  wilcoxon: 'wilcoxon',
  randomization: 'randomization',
};

export function registerReportCommands(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .argument('[experiment]', 'experiment name (or give --runs)')
    .description(
      'export a report of an experiment or of stored runs: self-contained HTML, PDF, Markdown, LaTeX tables, CSV, TREC runs, JSON',
    )
    .option(
      '-f, --format <list>',
      'comma-separated: html, pdf, md, tex, csv, trec, json, or all',
      'html,md,tex,csv,json',
    )
    .option('-o, --out <dir>', 'output folder (created if missing)')
    .option('--force', 'replace files the folder already holds')
    .option('--runs <name...>', 'report these stored runs instead of an experiment')
    .option('--baseline <run>', 'with --runs: the run the others are compared with (default: the first)')
    .option('--test <name>', 'significance test for the markers: t, wilcoxon, randomization', 't')
    .option('--alpha <p>', 'significance level for the markers', '0.05')
    .option('--title <text>', 'report title')
    .option('--json', 'print the written files as JSON')
    .action(async (experiment: string | undefined, opts: ReportOpts) => {
      if (!opts.out)
        throw new WorkbenchError('INVALID_ARGUMENT', 'no output folder: pass --out DIR', { field: 'out' });
      if ((experiment === undefined) === (opts.runs === undefined))
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          'name an experiment (`report NAME`) or runs (`report --runs A B`), not both',
          { field: 'experiment' },
        );
      const test = TESTS[opts.test.toLowerCase()];
      if (!test)
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `--test "${opts.test}": use t, wilcoxon or randomization`,
          {
            field: 'test',
          },
        );
      const alpha = Number(opts.alpha);
      if (!(alpha > 0 && alpha < 1))
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `--alpha "${opts.alpha}": give a number between 0 and 1`,
          {
            field: 'alpha',
          },
        );
      const result = await exportReport({
        store: ctx.store(),
        experiment,
        runs: opts.runs,
        baseline: opts.baseline,
        formats: parseReportFormats(opts.format),
        outDir: opts.out,
        force: opts.force === true,
        title: opts.title,
        significance: { test, alpha },
      });
      if (opts.json) {
        ctx.out(JSON.stringify({ outDir: result.outDir, files: result.files }, null, 2));
        return;
      }
      ctx.out(
        `report of ${result.model.source.kind} ${result.model.source.name} written to ${result.outDir}:`,
      );
      for (const f of result.files) ctx.out(`  ${f.format.padEnd(4)}  ${f.path}  (${f.bytes} bytes)`);
    });
}
