import { Command, CommanderError } from 'commander';
import { registerAttackCommands } from './cli/attacks.ts';
import { registerCompareCommands } from './cli/compare.ts';
import { CliContext, type CliIo } from './cli/context.ts';
import { registerDatasetCommands } from './cli/datasets.ts';
import { registerDemoCommands } from './cli/demo.ts';
import { registerDemoRunCommand } from './cli/demo-run.ts';
import { registerEvalCommands } from './cli/eval.ts';
import { registerExperimentCommands } from './cli/experiments.ts';
import { registerModelCommands } from './cli/models.ts';
import { registerReportCommands } from './cli/report.ts';
import { registerRunCommand } from './cli/run.ts';
import { registerRunCommands } from './cli/runs.ts';
import { registerSearchCommands } from './cli/search.ts';
import { registerServeCommand } from './cli/serve.ts';
import { registerVerifyCommands } from './cli/verify.ts';
import { WorkbenchError } from './engine/errors.ts';
import { defaultDataDir } from './engine/paths.ts';

/** Builds the command tree; exported so tests run the real CLI in-process with their own I/O. */
export function buildProgram(ctx: CliContext, dataDirRef: { value?: string }): Command {
  const program = new Command('workbench')
    .description('Hypencoder Workbench: benchmark q-net (Hypencoder) retrieval against bi-encoders, offline')
    .option('--data <dir>', 'data folder (default: $WORKBENCH_DATA or the per-user application data folder)')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride();
  program.hook('preAction', (cmd) => {
    const opts = cmd.optsWithGlobals() as { data?: string };
    if (opts.data) dataDirRef.value = opts.data;
  });
  registerDatasetCommands(program, ctx);
  registerModelCommands(program, ctx);
  registerRunCommands(program, ctx);
  registerEvalCommands(program, ctx);
  registerSearchCommands(program, ctx);
  registerAttackCommands(program, ctx);
  registerServeCommand(program, ctx);
  registerVerifyCommands(program, ctx);
  registerDemoCommands(program, ctx);
  registerDemoRunCommand(program, ctx);
  registerRunCommand(program, ctx);
  registerExperimentCommands(program, ctx);
  registerCompareCommands(program, ctx);
  registerReportCommands(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code: 0 success, 1 a reported error, 2 a usage error, 130 cancelled. */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const dataDirRef: { value?: string } = {};
  const ctx = new CliContext(io, () => dataDirRef.value ?? defaultDataDir());
  const program = buildProgram(ctx, dataDirRef);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof WorkbenchError) {
      ctx.err(`error [${err.code}]: ${err.message}`);
      return err.code === 'CANCELLED' ? 130 : 1;
    }
    ctx.err(`internal error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    ctx.close();
  }
}
