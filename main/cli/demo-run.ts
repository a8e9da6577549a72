import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { type DemoExperiment, prepareDemo } from '../engine/demo/index.ts';
import { WorkbenchError } from '../engine/errors.ts';
import { ExperimentRunner, parseExperimentConfig } from '../engine/experiments/index.ts';
import { ModelRegistry } from '../engine/models/index.ts';
import type { CliContext } from './context.ts';
import { executeExperiment, type ReportAddition } from './run.ts';
import { DEMO_DIR } from './serve.ts';

/**
 * `demo run` (`npm run demo`): builds and imports what the demo needs (WordNet dataset, the shipped tiny
 * packages), then runs native-models/demo/experiment.json and prints its results table. `demo robustness`
 * (`npm run demo:robustness`) does the same with native-models/demo/robustness.json — every query-variation
 * family that can be generated — and prints the robustness table after the results. A finished demo is
 * shown again rather than recomputed; an interrupted one is resumed.
 */

interface DemoRunOptions {
  name: string;
  fresh?: boolean;
  json?: boolean;
  maxQueries?: number;
}

async function runDemo(
  ctx: CliContext,
  experiment: DemoExperiment,
  opts: DemoRunOptions,
  addition?: ReportAddition,
): Promise<void> {
  const store = ctx.store();
  const started = Date.now();
  const config = await prepareDemo({
    store,
    dataDir: ctx.dataDir,
    models: new ModelRegistry(ctx.dataDir),
    demoDir: existsSync(DEMO_DIR) ? DEMO_DIR : '',
    stage: (s) => ctx.err(`demo: ${s}`),
    experiment,
  });
  const runner = new ExperimentRunner({ store, dataDir: ctx.dataDir });
  let name = opts.name;
  if (opts.fresh) {
    let n = 2;
    while (runner.experiments.get(name)) name = `${opts.name}-${n++}`;
  }
  if (!runner.experiments.get(name)) {
    const datasets = config.datasets as Record<string, unknown>[];
    const sized =
      opts.maxQueries === undefined
        ? config
        : { ...config, datasets: datasets.map((d) => ({ ...d, maxQueries: opts.maxQueries })) };
    runner.prepare(parseExperimentConfig({ ...sized, name }, `demo/${experiment}.json`));
  } else ctx.err(`demo: experiment "${name}" exists; finishing or showing it (--fresh runs it again)`);
  await executeExperiment(ctx, name, opts.json, addition);
  ctx.err(`demo: done in ${((Date.now() - started) / 1000).toFixed(1)} s (data folder ${ctx.dataDir})`);
}

const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new WorkbenchError('INVALID_ARGUMENT', `${flag} must be a whole number ≥ 1 (got "${v}")`, {
      field: flag,
    });
  return n;
};

export function registerDemoRunCommand(program: Command, ctx: CliContext): void {
  const demo =
    program.commands.find((c) => c.name() === 'demo') ??
    program.command('demo').description('the bundled demo');
  demo
    .command('run')
    .description('run the bundled demo experiment headless and print its results (npm run demo)')
    .option('--name <name>', 'experiment name', 'demo')
    .option('--fresh', 'run it again under a new name even when a finished demo exists')
    .option('--json', 'print the report as JSON')
    .action((opts: DemoRunOptions) => runDemo(ctx, 'demo', opts));
  demo
    .command('robustness')
    .description(
      'run every query-variation family that can be generated against the demo systems and print the robustness table (npm run demo:robustness)',
    )
    .option('--name <name>', 'experiment name', 'demo-robustness')
    .option('--fresh', 'run it again under a new name even when a finished one exists')
    .option('--json', 'print the report and the robustness tables as JSON')
    .option(
      '--max-queries <n>',
      'evaluate a seeded sample of this many test queries instead of the config’s (a new experiment only)',
      positive('--max-queries'),
    )
    .action((opts: DemoRunOptions) => runDemo(ctx, 'robustness', opts));
}
