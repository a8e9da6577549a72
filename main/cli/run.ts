import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AttackService } from '../engine/attacks/index.ts';
import { inputError, WorkbenchError } from '../engine/errors.ts';
import {
  type ExperimentOutcome,
  type ExperimentProgress,
  type ExperimentReport,
  ExperimentRunner,
  ExperimentsRepository,
  experimentReport,
  experimentRobustness,
  formatExperimentReport,
  formatExperimentRobustness,
  parseExperimentConfig,
  parseExperimentJson,
} from '../engine/experiments/index.ts';
import { JobManager } from '../engine/jobs/index.ts';
import type { CliContext } from './context.ts';
import { isTty } from './datasets.ts';

/**
 * `run CONFIG`: validates an experiment config against the data folder, records the experiment and runs
 * its jobs. Progress goes to stderr — a bar redrawn in place on a terminal, plain lines otherwise. Ctrl-C
 * cancels between batches: finished jobs stay, the running one is undone, and `experiments resume NAME`
 * carries on (exit code 130).
 */

const BAR = 24;

/** Renders the runner's one progress stream (overall and per job) on stderr. */
export class ProgressPrinter {
  private lastDraw = 0;
  private lastPlain = 0;
  private lastStage = '';
  private drawn = false;

  constructor(
    private readonly ctx: Pick<CliContext, 'io'>,
    private readonly tty = isTty(ctx.io.stderr),
    private readonly clock: () => number = Date.now,
  ) {}

  private write(text: string): void {
    this.ctx.io.stderr.write(text);
  }

  private clear(): void {
    if (this.drawn) this.write('\r\u001b[K');
    this.drawn = false;
  }

  private line(text: string): void {
    this.clear();
    this.write(`${text}\n`);
  }

  readonly onProgress = (p: ExperimentProgress): void => {
    const at = p.job ? `[${p.job.position + 1}/${p.jobsTotal}] ${p.job.runName}` : '';
    switch (p.event) {
      case 'start':
        this.line(
          `experiment ${p.experiment}: ${p.jobsTotal} jobs${p.jobsDone ? `, ${p.jobsDone} already done (skipped)` : ''}`,
        );
        return;
      case 'job-start':
        if (!this.tty) this.line(`start ${at}`);
        this.lastStage = '';
        break;
      case 'job-done':
        this.line(`done ${at}${p.message ? ` (${p.message})` : ''}`);
        break;
      case 'job-failed':
        this.line(`failed ${at}: ${p.message}`);
        break;
      case 'finish':
        this.clear();
        return;
      case 'job-progress':
        if (!this.tty && p.job) {
          const now = this.clock();
          if (p.job.stage !== this.lastStage || now - this.lastPlain >= 2000) {
            this.lastStage = p.job.stage;
            this.lastPlain = now;
            this.line(`  ${p.job.stage} ${p.job.done}${p.job.total ? `/${p.job.total}` : ''}`);
          }
        }
        break;
    }
    if (!this.tty || !p.job) return;
    const now = this.clock();
    if (p.event === 'job-progress' && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const filled = Math.round(p.fraction * BAR);
    const stage = `${p.job.stage}${p.job.total ? ` ${p.job.done}/${p.job.total}` : ''}`;
    this.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${(100 * p.fraction).toFixed(0).padStart(3)}% ` +
        `${p.jobsDone}/${p.jobsTotal} jobs · ${p.job.runName}: ${stage}\u001b[K`,
    );
    this.drawn = true;
  };
}

/** More to print after an experiment's report: text after the table, fields added to the JSON. */
export type ReportAddition = (report: ExperimentReport) => { text: string; json: Record<string, unknown> };

/**
 * The robustness tables of an experiment with query-variation sets (relative drop per family and system,
 * per dataset and measure, with the families it lacks); nothing for one without. Every command that prints
 * an experiment's report adds them: `run`, `experiments show|resume`, `demo run|robustness`.
 */
export function robustnessAddition(ctx: CliContext): ReportAddition {
  return (report) => {
    const store = ctx.store();
    const attacks = new AttackService(store);
    const tables = experimentRobustness(
      {
        store,
        experiments: new ExperimentsRepository(store),
        variations: attacks.repository,
        families: attacks.families(),
      },
      report.experiment.name,
    );
    if (tables.length === 0) return { text: '', json: {} };
    return {
      text: tables.map(formatExperimentRobustness).join('\n'),
      json: { robustnessTables: tables },
    };
  };
}

/** The report of a finished (or partly finished) experiment, as text or JSON, with its robustness tables. */
export function printExperimentReport(
  ctx: CliContext,
  report: ExperimentReport,
  json: boolean,
  addition: ReportAddition = robustnessAddition(ctx),
): void {
  const more = addition(report);
  if (json) ctx.out(JSON.stringify({ ...report, ...more.json }, null, 2));
  else
    ctx.out(more.text ? `${formatExperimentReport(report)}\n${more.text}` : formatExperimentReport(report));
}

/**
 * Executes (or resumes) an experiment as one job of the job system; Ctrl-C cancels it. Prints the report
 * (and `addition`'s, when given). Throws CANCELLED (exit 130) on a cancel, and an error when jobs failed.
 */
export async function executeExperiment(
  ctx: CliContext,
  name: string,
  json = false,
  addition?: ReportAddition,
): Promise<void> {
  const printer = new ProgressPrinter(ctx);
  const store = ctx.store();
  const runner = new ExperimentRunner({ store, dataDir: ctx.dataDir, onProgress: printer.onProgress });
  const jobs = new JobManager();
  const { id, done } = jobs.start('experiment', `experiment "${name}"`, (job) =>
    runner.execute(name, { signal: job.signal, progress: job.progress }),
  );
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ctx.io.stderr.write('\ncancelling after the current batch (Ctrl-C again to quit at once)…\n');
    jobs.cancel(id);
  };
  process.on('SIGINT', onSigint);
  let snapshot: Awaited<typeof done>;
  try {
    snapshot = await done;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (snapshot.state === 'cancelled') {
    throw new WorkbenchError(
      'CANCELLED',
      `experiment "${name}" was cancelled; finished jobs are kept, the interrupted one left no run. Resume with \`workbench experiments resume ${name}\``,
    );
  }
  if (snapshot.state === 'failed') {
    const e = snapshot.error!;
    throw new WorkbenchError(e.code, e.message, e.details);
  }
  const outcome = snapshot.result as ExperimentOutcome;
  const report = experimentReport(store, runner.experiments, runner.latency, name);
  printExperimentReport(ctx, report, json, addition);
  if (outcome.failed > 0) {
    throw new WorkbenchError(
      'INTERNAL',
      `${outcome.failed} of ${outcome.jobs.length} jobs of experiment "${name}" failed (errors above); fix the cause and run \`workbench experiments resume ${name}\` to redo them`,
      { field: 'jobs' },
    );
  }
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .argument('<config>', 'experiment config (JSON); see main/engine/experiments/README.md and examples/')
    .option('--name <name>', "experiment name (overrides the config's name)")
    .option('--check', 'validate the config against the data folder and stop (runs nothing, records nothing)')
    .option('--json', 'print the report as JSON')
    .description(
      'run an experiment: datasets × models × search modes × attacks, with metrics, latency and comparisons',
    )
    .action(async (file: string, opts: { name?: string; check?: boolean; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw inputError('NOT_FOUND', { file }, 'cannot read the experiment config', 'Check the path');
      }
      let config = parseExperimentJson(text, file);
      if (opts.name) config = parseExperimentConfig({ ...config, name: opts.name }, file);
      const store = ctx.store();
      const runner = new ExperimentRunner({ store, dataDir: ctx.dataDir });
      if (opts.check) {
        runner.check(config, file);
        ctx.out(`${file}: valid`);
        return;
      }
      runner.prepare(config, { file, sourcePath: resolve(file) });
      await executeExperiment(ctx, config.name, opts.json);
    });
}
