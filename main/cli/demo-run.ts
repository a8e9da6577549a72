import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { prepareDemo } from '../engine/demo/index.ts';
import { ExperimentRunner, parseExperimentConfig } from '../engine/experiments/index.ts';
import { ModelRegistry } from '../engine/models/index.ts';
import type { CliContext } from './context.ts';
import { executeExperiment } from './run.ts';
import { DEMO_DIR } from './serve.ts';

/**
 * `demo run` (`npm run demo`): builds and imports what the demo needs (WordNet dataset, the shipped tiny
 * packages), then runs native-models/demo/experiment.json and prints its results table. A finished demo is
 * shown again rather than recomputed; an interrupted one is resumed.
 */
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
    .action(async (opts: { name: string; fresh?: boolean; json?: boolean }) => {
      const store = ctx.store();
      const started = Date.now();
      const config = await prepareDemo({
        store,
        dataDir: ctx.dataDir,
        models: new ModelRegistry(ctx.dataDir),
        demoDir: existsSync(DEMO_DIR) ? DEMO_DIR : '',
        stage: (s) => ctx.err(`demo: ${s}`),
      });
      const runner = new ExperimentRunner({ store, dataDir: ctx.dataDir });
      let name = opts.name;
      if (opts.fresh) {
        let n = 2;
        while (runner.experiments.get(name)) name = `${opts.name}-${n++}`;
      }
      if (!runner.experiments.get(name))
        runner.prepare(parseExperimentConfig({ ...config, name }, 'demo/experiment.json'));
      else ctx.err(`demo: experiment "${name}" exists; finishing or showing it (--fresh runs it again)`);
      await executeExperiment(ctx, name, opts.json);
      ctx.err(`demo: done in ${((Date.now() - started) / 1000).toFixed(1)} s (data folder ${ctx.dataDir})`);
    });
}
