import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { inputError } from '../engine/errors.ts';
import { evaluate, loadQrels, loadRun } from '../engine/eval/index.ts';
import {
  type Correction,
  compareMeasureSets,
  compareStoredRuns,
  ExperimentsRepository,
  exportRunBundle,
  formatComparison,
  formatRunTrace,
  importRunBundle,
  LatencyRepository,
  measuresOf,
  metricValues,
  qrelsHash,
  type RunsComparison,
  traceRun,
} from '../engine/experiments/index.ts';
import type { CliContext } from './context.ts';

/**
 * `compare RUN_A RUN_B` and the `runs` sub-commands this module adds: compare, trace, delete, bundle-export,
 * bundle-import. Stored runs are compared on their stored per-query metrics; run files with `--qrels` are
 * evaluated first (trec_eval semantics) and compared the same way.
 */

interface CompareOpts {
  measure?: string[];
  qrels?: string;
  level: string;
  correction: string;
  seed: string;
  resamples: string;
  perQuery?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function integer(text: string, field: string, min: number): number {
  if (!/^[+-]?\d+$/.test(text.trim()) || Number(text) < min)
    throw inputError(
      'INVALID_ARGUMENT',
      { field },
      `--${field} "${text}" is not a whole number ≥ ${min}`,
      'Give a whole number',
    );
  return Number(text);
}

function compareOptions(cmd: Command): Command {
  return cmd
    .option(
      '-m, --measure <measure>',
      'measure to compare, repeatable (as stored, e.g. nDCG@10, ndcg_cut_10); default: all shared',
      collect,
    )
    .option('--qrels <file>', 'compare run FILES: evaluate them against these qrels first')
    .option('-l, --level <n>', 'relevance level for measures evaluated here (trec_eval -l)', '1')
    .option(
      '--correction <method>',
      'holm, bonferroni or none, over the runs compared with the baseline',
      'holm',
    )
    .option('--seed <n>', 'seed of the bootstrap and randomization test', '42')
    .option('--resamples <n>', 'bootstrap resamples and randomization permutations', '10000')
    .option('--per-query', 'print the per-query deltas')
    .option('--json', 'print JSON');
}

async function runCompare(
  ctx: CliContext,
  baseline: string,
  others: string[],
  opts: CompareOpts,
): Promise<void> {
  const correction = opts.correction as Correction;
  if (!['holm', 'bonferroni', 'none'].includes(correction))
    throw inputError(
      'INVALID_ARGUMENT',
      { field: 'correction' },
      `unknown correction "${opts.correction}"`,
      'Use holm, bonferroni or none',
    );
  const relevanceLevel = integer(opts.level, 'level', 1);
  const stats = {
    correction,
    seed: integer(opts.seed, 'seed', 0),
    resamples: integer(opts.resamples, 'resamples', 1),
  };
  let result: RunsComparison;
  if (opts.qrels) {
    const qrels = await loadQrels(opts.qrels);
    const hash = qrelsHash(qrels);
    const measures = opts.measure?.length ? opts.measure : ['nDCG@10', 'RR@10', 'AP', 'R@1000'];
    const load = async (path: string) => {
      if (!existsSync(path))
        throw inputError('NOT_FOUND', { file: path }, 'run file not found', 'With --qrels, give run files');
      const ev = evaluate(qrels, await loadRun(path), measures, { relevanceLevel });
      return { name: path, measures: measuresOf(metricValues(ev, hash, measures)) };
    };
    const base = await load(baseline);
    const rest = [];
    for (const o of others) rest.push(await load(o));
    result = { ...compareMeasureSets(base, rest, stats), parameters: [] };
  } else {
    const store = ctx.store();
    const experiments = new ExperimentsRepository(store);
    result = compareStoredRuns(
      store,
      store.runs.require(baseline),
      others.map((n) => store.runs.require(n)),
      {
        ...stats,
        measures: opts.measure,
        qrelsFor: (run) => {
          if (run.datasetId === null) return undefined;
          const split = (experiments.jobOf(run.id)?.inputs.qrels as { split?: string | null } | undefined)
            ?.split;
          return { qrels: store.qrels.load(run.datasetId, split ?? undefined), relevanceLevel };
        },
      },
    );
  }
  ctx.out(
    opts.json ? JSON.stringify(result, null, 2) : formatComparison(result, { perQuery: opts.perQuery }),
  );
}

export function registerCompareCommands(program: Command, ctx: CliContext): void {
  compareOptions(
    program
      .command('compare')
      .argument('<baseline>', 'baseline run (stored run name, or a run file with --qrels)')
      .argument('<run>', 'run compared with it')
      .description(
        'compare two runs query by query: mean difference, paired t-test, Wilcoxon, randomization test, ' +
          'bootstrap interval, win/tie/loss, per-query deltas and the parameters that differ',
      ),
  ).action((a: string, b: string, opts: CompareOpts) => runCompare(ctx, a, [b], opts));

  const runs =
    program.commands.find((c) => c.name() === 'runs') ?? program.command('runs').description('stored runs');

  compareOptions(
    runs
      .command('compare')
      .argument('<baseline>', 'baseline run')
      .argument('<runs...>', 'runs compared with the baseline')
      .description('compare runs with a baseline on their stored per-query metrics (see `compare`)'),
  ).action((a: string, rest: string[], opts: CompareOpts) => runCompare(ctx, a, rest, opts));

  runs
    .command('trace')
    .argument('<run>', 'run name')
    .option('--json', 'print JSON')
    .description('every stored number of a run with its settings, input hashes and environment')
    .action((name: string, opts: { json?: boolean }) => {
      const store = ctx.store();
      const trace = traceRun(store, new ExperimentsRepository(store), new LatencyRepository(store), name);
      ctx.out(opts.json ? JSON.stringify(trace, null, 2) : formatRunTrace(trace));
    });

  runs
    .command('delete')
    .argument('<run>', 'run name')
    .description('delete a run with its rankings, metrics and latency samples')
    .action((name: string) => {
      const store = ctx.store();
      const run = store.runs.require(name);
      const job = new ExperimentsRepository(store).jobOf(run.id);
      store.runs.delete(name);
      ctx.out(
        `deleted run "${name}"${job ? ` (a job of an experiment: \`experiments resume\` would make it again)` : ''}`,
      );
    });

  runs
    .command('bundle-export')
    .argument('<run>', 'run name')
    .requiredOption('--out <file>', 'bundle file to write (gzip’d JSON, e.g. run.bundle.json.gz)')
    .description(
      'write a run bundle: config, rankings, metrics, latency samples, environment, input hashes (no artifacts)',
    )
    .action((name: string, opts: { out: string }) => {
      const store = ctx.store();
      const r = exportRunBundle(
        store,
        { experiments: new ExperimentsRepository(store), latency: new LatencyRepository(store) },
        name,
        opts.out,
      );
      ctx.out(
        `wrote run "${name}" to ${r.path}: ${r.queries} queries, ${r.metrics} metric values, ${(r.bytes / 1024).toFixed(1)} KiB`,
      );
    });

  runs
    .command('bundle-import')
    .argument('<file>', 'run bundle written by `runs bundle-export`')
    .option('--name <name>', "store it under this name (default: the bundle's)")
    .description('import a run bundle (made on another machine) with its metrics, latency and provenance')
    .action((file: string, opts: { name?: string }) => {
      const store = ctx.store();
      const r = importRunBundle(
        store,
        { experiments: new ExperimentsRepository(store), latency: new LatencyRepository(store) },
        file,
        opts,
      );
      for (const w of r.warnings) ctx.err(`warning: ${w}`);
      ctx.out(
        `imported run "${r.run.name}" (${r.run.source}) from ${file}${r.run.datasetName ? `, dataset ${r.run.datasetName}` : ''}`,
      );
    });
}
