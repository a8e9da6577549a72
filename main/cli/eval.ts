import type { Command } from 'commander';
import { inputError } from '../engine/errors.ts';
import {
  adjustPValues,
  cFixed,
  compareRuns,
  type EvalSettings,
  type Evaluation,
  evaluate,
  formatTrecEval,
  loadQrels,
  loadRun,
  type MeasureColumn,
  type PairedComparison,
  perQueryValues,
  pMRR,
} from '../engine/eval/index.ts';
import type { CliContext } from './context.ts';

interface TrecOptions {
  measure?: string[];
  perQuery?: boolean;
  complete?: boolean;
  level?: string;
  maxDocs?: string;
  judgedOnly?: boolean;
  numDocs?: string;
  float64?: boolean;
  summary: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options shared by `eval` and `eval compare`, named after trec_eval's flags. */
function trecOptions(cmd: Command): Command {
  return cmd
    .option(
      '-m, --measure <measure>',
      'measure to compute, repeatable: trec_eval names (map, P.5,10, ndcg_cut.10, recip_rank, official, ' +
        'all_trec) or ir_measures names (nDCG@10, RR(rel=2)@10, AP, R@1000, Judged@10); default: official',
      collect,
    )
    .option(
      '-c, --complete',
      'average over all qrels queries; queries missing from the run count 0 (trec_eval -c)',
    )
    .option('-l, --level <n>', 'minimum label counted relevant by binary measures (trec_eval -l; default 1)')
    .option('-M, --max-docs <n>', 'evaluate only the first N documents of each ranking (trec_eval -M)')
    .option('-J, --judged-only', 'drop unjudged documents from rankings before measuring (trec_eval -J)')
    .option('-N, --num-docs <n>', 'collection size, for utility (trec_eval -N)')
    .option('--float64', 'read scores as doubles like trec_eval 10.0 (default: 32-bit floats like 9.0.x)');
}

export function registerEvalCommands(program: Command, ctx: CliContext): void {
  const evalCmd = trecOptions(
    program
      .command('eval')
      .description(
        "evaluate a TREC run against qrels with trec_eval 9.0.x semantics, in trec_eval's output format " +
          '(subcommands: compare, pmrr)',
      )
      .argument('[qrels]', 'TREC qrels file (qid iter docno rel), plain or .gz')
      .argument('[run]', 'TREC run file (qid iter docno rank score tag), plain or .gz'),
  )
    .option('-q, --per-query', 'print per-query values before the summary (trec_eval -q)')
    .option('-n, --no-summary', 'omit the summary lines (trec_eval -n)')
    .option('--json', 'print JSON: every value with the settings that produced it')
    .action(async (qrelsPath: string | undefined, runPath: string | undefined, opts: TrecOptions) => {
      if (!qrelsPath || !runPath) {
        throw inputError(
          'INVALID_ARGUMENT',
          { field: 'arguments' },
          'eval needs a qrels file and a run file',
          'Usage: workbench eval [options] QRELS RUN',
        );
      }
      const settings = parseSettings(opts);
      const [qrels, run] = await Promise.all([loadQrels(qrelsPath), loadRun(runPath)]);
      const evaluation = evaluate(qrels, run, opts.measure ?? [], settings);
      if (opts.json) {
        ctx.out(JSON.stringify(evaluationJson(evaluation, Boolean(opts.perQuery)), null, 2));
        return;
      }
      const text = formatTrecEval(evaluation, { perQuery: opts.perQuery, noSummary: !opts.summary });
      if (text) ctx.io.stdout.write(text);
      ctx.err(settingsNote(evaluation));
    });

  trecOptions(
    evalCmd
      .command('compare')
      .description(
        'compare runs with a baseline query by query: mean difference, paired t-test, Wilcoxon signed-rank, ' +
          'randomization test, win/tie/loss and a bootstrap 95% interval',
      )
      .argument('<qrels>', 'TREC qrels file')
      .argument('<baseline>', 'baseline run')
      .argument('<runs...>', 'runs compared with the baseline'),
  )
    .option(
      '--correction <method>',
      'multiple-comparison correction over the runs: holm, bonferroni or none',
      'holm',
    )
    .option('--seed <n>', 'seed of the bootstrap and randomization test', '42')
    .option('--resamples <n>', 'bootstrap resamples and randomization permutations', '10000')
    .option('--json', 'print JSON')
    .action(
      async (
        qrelsPath: string,
        baselinePath: string,
        runPaths: string[],
        _local: unknown,
        command: Command,
      ) => {
        // The parent `eval` declares the same flags and, unless the program uses positional options, parses
        // them wherever they appear; reading with the globals works either way.
        const opts = command.optsWithGlobals<
          TrecOptions & { correction: string; seed: string; resamples: string }
        >();
        const settings = parseSettings(opts);
        const correction = opts.correction;
        if (correction !== 'holm' && correction !== 'bonferroni' && correction !== 'none') {
          throw inputError(
            'INVALID_ARGUMENT',
            { field: 'correction' },
            `unknown correction "${correction}"`,
            'Use holm, bonferroni or none',
          );
        }
        const seed = integerOption(opts.seed, 'seed', Number.MIN_SAFE_INTEGER);
        const resamples = integerOption(opts.resamples, 'resamples', 1);
        const qrels = await loadQrels(qrelsPath);
        const paths = [baselinePath, ...runPaths];
        const evaluations: Evaluation[] = [];
        for (const path of paths)
          evaluations.push(evaluate(qrels, await loadRun(path), opts.measure ?? [], settings));
        const [base, ...others] = evaluations;
        const columns = base.columns.filter((c) => c.aggregate === 'mean');
        const report = columns.map((col) => {
          const a = perQueryValues(base, col.name, { includeMissing: settings.complete });
          const rows = others.map((ev) =>
            compareRuns(a, perQueryValues(ev, col.name, { includeMissing: settings.complete }), {
              seed,
              resamples,
              permutations: resamples,
            }),
          );
          const adjust = (ps: Array<number | undefined>) =>
            correction === 'none'
              ? ps
              : adjustPValues(
                  ps.map((p) => p ?? 1),
                  correction,
                );
          return {
            column: col,
            baseline: base.summary[base.columns.indexOf(col)],
            rows,
            tTest: adjust(rows.map((r) => r.tTest?.pValue)),
            wilcoxon: adjust(rows.map((r) => r.wilcoxon?.pValue)),
            randomization: adjust(rows.map((r) => r.randomization?.pValue)),
          };
        });
        if (opts.json) {
          ctx.out(
            JSON.stringify(
              { settings, correction, baseline: baselinePath, runs: runPaths, measures: report },
              null,
              2,
            ),
          );
          return;
        }
        ctx.out(compareTable(report, paths, correction, evaluations));
      },
    );

  evalCmd
    .command('pmrr')
    .description(
      "FollowIR p-MRR: does a run's ranking follow a changed instruction? (×100; positive is better)",
    )
    .requiredOption('--og-qrels <file>', 'qrels under the original instruction')
    .requiredOption('--changed-qrels <file>', 'qrels under the changed instruction')
    .requiredOption('--og-run <file>', 'run for the original instruction')
    .requiredOption('--changed-run <file>', 'run for the changed instruction')
    .option('-q, --per-query', "also print each query's p-MRR")
    .option('--json', "print JSON with every changed document's ranks")
    .action(async (_local: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{
        ogQrels: string;
        changedQrels: string;
        ogRun: string;
        changedRun: string;
        perQuery?: boolean;
        json?: boolean;
      }>();
      const [ogQrels, changedQrels, ogRun, changedRun] = await Promise.all([
        loadQrels(opts.ogQrels),
        loadQrels(opts.changedQrels),
        loadRun(opts.ogRun),
        loadRun(opts.changedRun),
      ]);
      const result = pMRR({ ogQrels, changedQrels, ogRun, changedRun });
      if (opts.json) {
        ctx.out(
          JSON.stringify(
            {
              pmrr: result.pmrr,
              skippedQueries: result.skippedQueries,
              perQuery: Object.fromEntries(result.perQuery),
            },
            null,
            2,
          ),
        );
        return;
      }
      const lines: string[] = [];
      if (opts.perQuery)
        for (const [qid, q] of result.perQuery) lines.push(`p-MRR\t${qid}\t${cFixed(100 * q.pmrr, 4)}`);
      lines.push(`p-MRR\tall\t${cFixed(result.pmrr, 4)}`);
      ctx.out(lines.join('\n'));
      ctx.err(
        `# p-MRR over ${result.perQuery.size} queries with changed judgments` +
          (result.skippedQueries.length
            ? `; skipped (missing from a run): ${result.skippedQueries.join(', ')}`
            : ''),
      );
    });
}

function parseSettings(opts: TrecOptions): Partial<EvalSettings> {
  return {
    relevanceLevel:
      opts.level === undefined ? 1 : integerOption(opts.level, 'level', Number.MIN_SAFE_INTEGER),
    complete: Boolean(opts.complete),
    maxDocsPerQuery: opts.maxDocs === undefined ? null : integerOption(opts.maxDocs, 'max-docs', 0),
    judgedOnly: Boolean(opts.judgedOnly),
    numDocsInCollection: opts.numDocs === undefined ? 0 : integerOption(opts.numDocs, 'num-docs', 0),
    scorePrecision: opts.float64 ? 'float64' : 'float32',
  };
}

function integerOption(text: string, field: string, min: number): number {
  const v = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || v < min) {
    throw inputError(
      'INVALID_ARGUMENT',
      { field },
      `--${field} "${text}" is not an integer${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ''}`,
      'Give a whole number',
    );
  }
  return v;
}

/** One line on stderr, so stdout stays byte-identical to trec_eval: the settings behind the numbers. */
function settingsNote(ev: Evaluation): string {
  const s = ev.settings;
  const parts = [
    `relevance level ${s.relevanceLevel} for binary measures (nDCG uses raw labels)`,
    s.complete
      ? `averaged over all ${ev.numQ} qrels queries (-c; ${ev.missingQueries.length} missing from the run count 0)`
      : `averaged over ${ev.numQ} queries in both run and qrels` +
        (ev.missingQueries.length
          ? ` (${ev.missingQueries.length} qrels queries missing from the run are skipped; -c counts them 0)`
          : ''),
    s.maxDocsPerQuery === null ? 'all ranks' : `first ${s.maxDocsPerQuery} ranks (-M)`,
    s.judgedOnly ? 'judged documents only (-J)' : null,
    s.scorePrecision === 'float32'
      ? 'scores as 32-bit floats (trec_eval 9.0.x)'
      : 'scores as doubles (trec_eval 10.0)',
    ev.unjudgedQueries.length ? `${ev.unjudgedQueries.length} run queries without qrels ignored` : null,
  ];
  return `# ${parts.filter(Boolean).join('; ')}`;
}

function evaluationJson(ev: Evaluation, perQuery: boolean) {
  const values = (c: number, value: number) => ({ ...ev.columns[c], value });
  return {
    settings: ev.settings,
    runid: ev.runid,
    numQ: ev.numQ,
    missingQueries: ev.missingQueries,
    unjudgedQueries: ev.unjudgedQueries,
    measures: ev.columns
      .map((_, c) => values(c, ev.summary[c]))
      .filter((m) => m.aggregate !== 'none' && m.aggregate !== 'runid'),
    perQuery: perQuery
      ? Object.fromEntries(
          ev.queries.map((qid, i) => [
            qid,
            Object.fromEntries(
              ev.columns
                .map((col, c) => [col, ev.perQuery[c][i]] as const)
                .filter(([col]) => col.aggregate === 'mean' || col.aggregate === 'sum')
                .map(([col, v]) => [col.name, v]),
            ),
          ]),
        )
      : undefined,
  };
}

interface MeasureReport {
  column: MeasureColumn;
  baseline: number;
  rows: PairedComparison[];
  tTest: Array<number | undefined>;
  wilcoxon: Array<number | undefined>;
  randomization: Array<number | undefined>;
}

function compareTable(
  report: MeasureReport[],
  paths: string[],
  correction: string,
  evaluations: Evaluation[],
): string {
  const s = evaluations[0].settings;
  const p = (v: number | undefined) => (v === undefined ? '-' : v < 0.0001 ? '<0.0001' : cFixed(v, 4));
  const lines = [
    `# baseline: ${paths[0]}; p-values two-sided, ${correction === 'none' ? 'uncorrected' : `${correction}-corrected over ${paths.length - 1} run(s)`}`,
    `# relevance level ${s.relevanceLevel}; ${s.complete ? 'all qrels queries (-c, missing = 0)' : 'queries in both run and qrels'}; ` +
      `${s.maxDocsPerQuery === null ? 'all ranks' : `depth ${s.maxDocsPerQuery}`}${s.judgedOnly ? '; judged only' : ''}; ` +
      `scores ${s.scorePrecision}`,
    ['measure', 'run', 'mean', 'delta', '95% CI', 't-test p', 'Wilcoxon p', 'random. p', 'W/T/L', 'n'].join(
      '\t',
    ),
  ];
  for (const m of report) {
    lines.push(
      [
        m.column.name,
        paths[0],
        cFixed(m.baseline, 4),
        '',
        '',
        '',
        '',
        '',
        '',
        String(evaluations[0].numQ),
      ].join('\t'),
    );
    m.rows.forEach((r, i) => {
      const ci = r.bootstrap ? `[${cFixed(r.bootstrap.low, 4)}, ${cFixed(r.bootstrap.high, 4)}]` : '-';
      lines.push(
        [
          m.column.name,
          paths[i + 1],
          cFixed(
            evaluations[i + 1].summary[evaluations[i + 1].columns.findIndex((c) => c.name === m.column.name)],
            4,
          ),
          (r.meanDifference >= 0 ? '+' : '') + cFixed(r.meanDifference, 4),
          ci,
          p(m.tTest[i]),
          p(m.wilcoxon[i]),
          p(m.randomization[i]),
          `${r.wins}/${r.ties}/${r.losses}`,
          String(r.n),
        ].join('\t'),
      );
    });
  }
  return lines.join('\n');
}
