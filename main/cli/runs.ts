import { type Command, Option } from 'commander';
import {
  ExperimentsRepository,
  formatRunTrace,
  LatencyRepository,
  traceRun,
} from '../engine/experiments/index.ts';
import { exportRun, importRun, type RunFormat } from '../engine/runs/index.ts';
import type { RunRecord } from '../engine/store/index.ts';
import type { CliContext } from './context.ts';
import { formatTable, withInterrupt } from './datasets.ts';

const FORMATS: RunFormat[] = ['trec', 'jsonl'];
const n = (x: number) => x.toLocaleString('en-US');

function runJson(run: RunRecord, queries: number): Record<string, unknown> {
  return {
    name: run.name,
    dataset: run.datasetName,
    tag: run.tag,
    format: run.format,
    source: run.source,
    status: run.status,
    createdAt: run.createdAt,
    queries,
    stats: run.stats,
    config: run.config,
    environment: run.environment,
  };
}

function describe(run: RunRecord, queries: number): string {
  const s = run.stats as {
    lines?: number;
    minDepth?: number;
    maxDepth?: number;
    sha256?: string;
    unknownQueries?: number;
  };
  const lines = [
    `run ${run.name} (${run.format ?? 'unknown format'}, tag ${run.tag ?? '-'}, ${run.status})`,
    `  dataset     ${run.datasetName ?? '(none)'}`,
    `  source      ${run.source}`,
    `  queries     ${n(queries)}`,
  ];
  if (s.lines !== undefined)
    lines.push(`  ranked docs ${n(s.lines)} (depth ${s.minDepth}–${s.maxDepth} per query)`);
  if (s.sha256) lines.push(`  sha256      ${s.sha256}`);
  if (s.unknownQueries) lines.push(`  ${n(s.unknownQueries)} queries of the run are not in the dataset`);
  return lines.join('\n');
}

export function registerRunCommands(program: Command, ctx: CliContext): void {
  const runs = program.command('runs').description('import, export, list and show runs');

  runs
    .command('import')
    .argument('<file>', 'TREC run (qid Q0 docno rank score tag) or reference JSONL run; .gz accepted')
    .requiredOption('--dataset <name>', 'the dataset the run retrieves from')
    .option('--name <name>', 'run name (default: the file name)')
    .addOption(
      new Option('--format <format>', 'run format (default: jsonl for *.jsonl, else trec)').choices(FORMATS),
    )
    .description(
      'import a run: ranked as trec_eval ranks it (score desc, ties by docno desc), all or nothing',
    )
    .action(async (file: string, opts: { dataset: string; name?: string; format?: RunFormat }) => {
      const store = ctx.store();
      const r = await withInterrupt((signal) => importRun(store, { path: file, ...opts, signal }));
      ctx.out(
        `imported run "${r.run.name}" in ${(r.elapsedMs / 1000).toFixed(1)} s: ${n(r.queries)} queries, ${n(r.lines)} ranked documents`,
      );
      const unknown = Number(r.run.stats.unknownQueries ?? 0);
      if (unknown > 0) {
        ctx.err(
          `warning: ${n(unknown)} queries of the run are not in dataset "${opts.dataset}" (e.g. ${(r.run.stats.unknownQueryExamples as string[]).join(', ')})`,
        );
      }
    });

  runs
    .command('export')
    .argument('<run>', 'run name')
    .requiredOption('--out <file>', 'output file')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('trec'))
    .description('write a run as a TREC run file (ranks 1-based in trec_eval order) or as reference JSONL')
    .action((name: string, opts: { out: string; format: RunFormat }) => {
      const store = ctx.store();
      const run = store.runs.require(name);
      const r = exportRun(store, run, opts.out, opts.format);
      ctx.out(
        `wrote run "${run.name}" to ${r.path} (${opts.format}): ${n(r.queries)} queries, ${n(r.lines)} lines`,
      );
    });

  runs
    .command('list')
    .description('list the runs')
    .action(() => {
      const store = ctx.store();
      const all = store.runs.list();
      if (all.length === 0) {
        ctx.out('no runs yet: import one with `workbench runs import FILE --dataset NAME`');
        return;
      }
      ctx.out(
        formatTable(
          ['NAME', 'DATASET', 'FORMAT', 'QUERIES', 'RANKED', 'STATUS', 'CREATED'],
          all.map((r) => [
            r.name,
            r.datasetName ?? '-',
            r.format ?? '-',
            store.runs.queryCount(r.id),
            Number(r.stats.lines ?? 0),
            r.status,
            r.createdAt.slice(0, 19).replace('T', ' '),
          ]),
        ),
      );
    });

  runs
    .command('show')
    .argument('<run>', 'run name')
    .option('--json', 'print a JSON object')
    .description('show a run')
    .action((name: string, opts: { json?: boolean }) => {
      const store = ctx.store();
      const run = store.runs.require(name);
      const queries = store.runs.queryCount(run.id);
      // Every stored number with the settings, input hashes and environment that produced it.
      const trace = traceRun(store, new ExperimentsRepository(store), new LatencyRepository(store), name);
      ctx.out(
        opts.json
          ? JSON.stringify({ ...runJson(run, queries), trace }, null, 2)
          : `${describe(run, queries)}\n${formatRunTrace(trace)}`,
      );
    });
}
