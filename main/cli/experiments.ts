import type { Command } from 'commander';
import {
  ExperimentRunner,
  ExperimentsRepository,
  experimentReport,
  LatencyRepository,
} from '../engine/experiments/index.ts';
import type { CliContext } from './context.ts';
import { formatTable } from './datasets.ts';
import { executeExperiment, printExperimentReport } from './run.ts';

/** `experiments list | show | resume | delete`: the experiments recorded in the data folder. */
export function registerExperimentCommands(program: Command, ctx: CliContext): void {
  const experiments = program
    .command('experiments')
    .description('list, show, resume and delete experiments (start one with `run CONFIG`)');

  experiments
    .command('list')
    .description('list the experiments with their status and jobs')
    .action(() => {
      const store = ctx.store();
      const repo = new ExperimentsRepository(store);
      const all = repo.list();
      if (all.length === 0) {
        ctx.out('no experiments yet: run one with `workbench run CONFIG`');
        return;
      }
      ctx.out(
        formatTable(
          ['NAME', 'STATUS', 'JOBS DONE', 'FAILED', 'CREATED', 'FINISHED'],
          all.map((e) => {
            const jobs = repo.jobs(e.id);
            return [
              e.name,
              e.status,
              `${jobs.filter((j) => j.status === 'succeeded' && j.runId !== null).length}/${jobs.length}`,
              jobs.filter((j) => j.status === 'failed').length,
              e.createdAt.slice(0, 19).replace('T', ' '),
              e.finishedAt ? e.finishedAt.slice(0, 19).replace('T', ' ') : '-',
            ];
          }),
        ),
      );
    });

  experiments
    .command('show')
    .argument('<name>', 'experiment name')
    .option('--json', 'print JSON: jobs, comparisons with the baseline, robustness and Pareto fronts')
    .option('--config', 'print the stored config (defaults filled in)')
    .description(
      'show an experiment: every run with its metrics and latency, comparisons and the Pareto front',
    )
    .action((name: string, opts: { json?: boolean; config?: boolean }) => {
      const store = ctx.store();
      const repo = new ExperimentsRepository(store);
      if (opts.config) {
        ctx.out(JSON.stringify(repo.require(name).config, null, 2));
        return;
      }
      const report = experimentReport(store, repo, new LatencyRepository(store), name);
      printExperimentReport(ctx, report, opts.json ?? false);
    });

  experiments
    .command('resume')
    .argument('<name>', 'experiment name')
    .option('--json', 'print the report as JSON')
    .description('finish an interrupted experiment: succeeded jobs are kept, the others are (re)done')
    .action(async (name: string, opts: { json?: boolean }) => {
      new ExperimentRunner({ store: ctx.store(), dataDir: ctx.dataDir }).experiments.require(name);
      await executeExperiment(ctx, name, opts.json);
    });

  experiments
    .command('delete')
    .argument('<name>', 'experiment name')
    .option('--runs', 'delete its runs too')
    .description('delete an experiment record (its runs stay unless --runs)')
    .action((name: string, opts: { runs?: boolean }) => {
      const store = ctx.store();
      const repo = new ExperimentsRepository(store);
      const exp = repo.require(name);
      let runs = 0;
      store.transaction(() => {
        if (opts.runs) {
          for (const j of repo.jobs(exp.id)) {
            if (j.runId !== null && store.runs.getById(j.runId)) {
              store.runs.delete(j.runName);
              runs++;
            }
          }
        }
        repo.delete(name);
      });
      ctx.out(`deleted experiment "${name}"${opts.runs ? ` and ${runs} runs` : ' (its runs are kept)'}`);
    });
}
