import { type Command, Option } from 'commander';
import {
  buildFullTextIndex,
  describeFullTextIndex,
  FORMATS,
  fullTextIndexState,
  type ImportParams,
  type ImportProgress,
  type IndexProgress,
  type IndexResult,
  importDataset,
  planImport,
  UNKNOWN_POLICIES,
} from '../engine/datasets/index.ts';
import { WorkbenchError } from '../engine/errors.ts';
import type { DatasetFormat, DatasetRecord, Store, UnknownQrelsPolicy } from '../engine/store/index.ts';
import { FTS_TOKENIZE } from '../engine/store/index.ts';
import type { CliContext } from './context.ts';

/** Left-aligned text columns, right-aligned numbers, two spaces apart. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [
    header,
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c))),
  ];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function isTty(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Runs `fn` with an AbortSignal that Ctrl-C fires (the import then rolls back and the CLI exits 130). */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

const n = (x: number) => x.toLocaleString('en-US');

/** The stable JSON shape of `datasets show --json`. */
export function datasetJson(store: Store, d: DatasetRecord): Record<string, unknown> {
  const s = d.stats;
  return {
    name: d.name,
    format: d.format,
    sourcePath: d.sourcePath,
    contentHash: d.contentHash,
    hasCorpus: d.hasCorpus,
    fullTextIndex: fullTextIndexState(store, d),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    stats: {
      documents: s.documents,
      queries: s.queries,
      judgedQueries: s.judgedQueries,
      judgments: s.judgments,
      judgmentsPerLabel: s.judgmentsPerLabel,
      unjudgedEntries: s.unjudgedEntries,
      meanDocLength: s.meanDocLength,
      meanQueryLength: s.meanQueryLength,
      splits: s.splits,
      unknownQrels: s.unknownQrels,
      ...(s.keys ? { keys: s.keys } : {}),
    },
    files: store.datasets.files(d.id),
    card: cardJson(store, d),
  };
}

function cardJson(store: Store, d: DatasetRecord): { file: string; sha256: string; lines: number } | null {
  const card = store.datasets.card(d.id);
  return card ? { file: card.file, sha256: card.sha256, lines: card.text.split('\n').length } : null;
}

function describe(store: Store, d: DatasetRecord): string {
  const s = d.stats;
  const u = s.unknownQrels;
  const labels = Object.entries(s.judgmentsPerLabel)
    .map(([label, count]) => `${label}: ${n(count)}`)
    .join(', ');
  const lines = [
    `dataset ${d.name} (${d.format}) from ${d.sourcePath}`,
    `  content sha256    ${d.contentHash}`,
    `  documents         ${n(s.documents)}${d.hasCorpus ? `, mean length ${s.meanDocLength.toFixed(1)} words (title + text)` : ' (no corpus)'}`,
    `  queries           ${n(s.queries)}, mean length ${s.meanQueryLength.toFixed(1)} words`,
    `  judged queries    ${n(s.judgedQueries)} (queries with at least one judgment, label >= 0)`,
    `  judgments         ${n(s.judgments)}${labels ? ` (per label: ${labels})` : ''}`,
  ];
  if (d.hasCorpus) {
    const state = fullTextIndexState(store, d);
    const note = {
      built: `FTS5, ${FTS_TOKENIZE}`,
      building: `BM25 uses it once complete; \`workbench datasets index ${d.name}\` resumes it`,
      'not-built': `BM25 builds it when first needed, or \`workbench datasets index ${d.name}\``,
    }[state.status];
    lines.push(`  full-text index   ${describeFullTextIndex(state)} (${note})`);
  }
  const card = cardJson(store, d);
  if (card)
    lines.push(
      `  dataset card      ${card.file}, ${card.lines} lines (\`workbench datasets card ${d.name}\` prints it)`,
    );
  if (s.unjudgedEntries > 0)
    lines.push(`  unjudged entries  ${n(s.unjudgedEntries)} (negative labels: unjudged, as trec_eval)`);
  for (const [split, st] of Object.entries(s.splits)) {
    lines.push(
      `  split ${split || '(none)'}: ${n(st.queries)} queries, ${n(st.judgedQueries)} judged, ${n(st.judgments)} judgments`,
    );
  }
  if (u.unknownQueryJudgments + u.unknownDocumentJudgments > 0) {
    lines.push(
      `  unknown in qrels  ${n(u.unknownQueries)} queries (${n(u.unknownQueryJudgments)} lines), ` +
        `${n(u.unknownDocuments)} documents (${n(u.unknownDocumentJudgments)} lines); policy ${u.policy}, ${n(u.dropped)} dropped`,
    );
    for (const e of u.examples) lines.push(`    e.g. ${e}`);
  }
  return lines.join('\n');
}

function progressLine(p: ImportProgress): string {
  const pct = `${(p.fraction * 100).toFixed(0).padStart(3)}%`;
  const counts =
    p.stage === 'index'
      ? `indexed ${n(p.indexed)} / ${n(p.documents)} documents`
      : `${n(p.documents)} documents, ${n(p.queries)} queries, ${n(p.judgments)} judgments`;
  return `\r${pct} ${p.stage.padEnd(7)} ${counts}\u001b[K`;
}

function indexProgressLine(p: IndexProgress): string {
  const pct = `${(p.fraction * 100).toFixed(0).padStart(3)}%`;
  return `\r${pct} index   indexed ${n(p.indexed)} / ${n(p.documents)} documents\u001b[K`;
}

/** `full-text index of dataset "x" built in 3.9 s: 200,000 documents indexed (51,282 documents/s)`. */
function indexLine(r: IndexResult): string {
  const seconds = r.elapsedMs / 1000;
  const rate = r.indexed > 0 && seconds > 0 ? ` (${n(Math.round(r.indexed / seconds))} documents/s)` : '';
  const resumed = r.resumedAt > 0 ? `, resumed at ${n(r.resumedAt)} of ${n(r.documents)}` : '';
  return `full-text index of dataset "${r.dataset}" built in ${seconds.toFixed(1)} s: ${n(r.indexed)} documents indexed${resumed}${rate}`;
}

interface ImportOptions {
  format?: DatasetFormat;
  name?: string;
  split?: string;
  topics?: string;
  qrels?: string;
  attachTo?: string;
  idKey?: string;
  titleKey?: string;
  textKey?: string;
  unknown?: UnknownQrelsPolicy;
  fullText?: boolean;
}

export function registerDatasetCommands(program: Command, ctx: CliContext): void {
  const datasets = program.command('datasets').description('import, list, show and delete datasets');

  datasets
    .command('import')
    .argument(
      '[path]',
      'BEIR folder, MS MARCO folder or collection.tsv, TREC folder (topics.tsv + qrels.txt), or a JSONL corpus',
    )
    .description('import a dataset in one transaction: all of it or, on any error or Ctrl-C, nothing')
    .addOption(
      new Option('--format <format>', 'input format (default: detected from PATH)').choices([...FORMATS]),
    )
    .option('--name <name>', 'dataset name (default: the folder or file name)')
    .option(
      '--split <split>',
      'split of the topics/qrels given; for BEIR/MS MARCO folders, import only this split',
    )
    .option('--topics <file>', 'TREC/MS MARCO topics (qid<TAB>text) or a JSONL queries file')
    .option('--qrels <file>', 'TREC qrels (qid iter docno rel)')
    .option('--attach-to <dataset>', 'add the topics and qrels to this existing dataset')
    .option(
      '--id-key <key>',
      'JSONL corpus: id key (default: _id, id, docid, doc_id or pid, whichever the first record has)',
    )
    .option('--title-key <key>', 'JSONL corpus: title key (default: title, if present)')
    .option('--text-key <key>', 'JSONL corpus: text key (default: text, contents, content, body or passage)')
    .addOption(
      new Option(
        '--unknown <policy>',
        'qrels naming unknown queries or documents: keep (as trec_eval would), drop, or error',
      )
        .choices([...UNKNOWN_POLICIES])
        .default('keep'),
    )
    .option(
      '--no-full-text',
      'do not build the FTS5 index of the passages after the import (`datasets index` or BM25 builds it later)',
    )
    .action(async (path: string | undefined, opts: ImportOptions) => {
      const params: ImportParams = { ...opts, path };
      const plan = planImport(params);
      const store = ctx.store();
      const tty = isTty(ctx.io.stderr);
      const result = await withInterrupt((signal) =>
        importDataset(store, plan, {
          signal,
          onProgress: tty ? (p) => ctx.io.stderr.write(progressLine(p)) : undefined,
        }),
      );
      if (tty) ctx.io.stderr.write('\r\u001b[K');
      const seconds = result.elapsedMs / 1000;
      ctx.out(
        `${result.attached ? 'attached to' : 'imported'} dataset "${result.dataset.name}" in ${seconds.toFixed(1)} s: ` +
          `${n(result.documents)} documents, ${n(result.queries)} queries, ${n(result.judgments)} judgments added` +
          (result.documents > 0 && seconds > 0
            ? ` (${n(Math.round(result.documents / seconds))} documents/s)`
            : ''),
      );
      if (result.fullText) ctx.out(indexLine(result.fullText));
      if (result.card.skipped)
        ctx.err(
          `note: ${result.card.skipped.file} not kept as the dataset card: ${result.card.skipped.reason}`,
        );
      ctx.out(describe(store, result.dataset));
    });

  datasets
    .command('list')
    .description('list the datasets')
    .action(() => {
      const all = ctx.store().datasets.list();
      if (all.length === 0) {
        ctx.out('no datasets yet: import one with `workbench datasets import PATH`');
        return;
      }
      ctx.out(
        formatTable(
          ['NAME', 'FORMAT', 'DOCUMENTS', 'QUERIES', 'JUDGED', 'JUDGMENTS', 'CREATED'],
          all.map((d) => [
            d.name,
            d.format,
            d.stats.documents,
            d.stats.queries,
            d.stats.judgedQueries,
            d.stats.judgments,
            d.createdAt.slice(0, 19).replace('T', ' '),
          ]),
        ),
      );
    });

  datasets
    .command('card')
    .argument('<name>', 'dataset name')
    .description(
      'print the dataset card (Markdown) the import found (DATASET_CARD.md or README.md of the folder)',
    )
    .action((name: string) => {
      const store = ctx.store();
      const d = store.datasets.require(name);
      const card = store.datasets.card(d.id);
      if (!card) {
        throw new WorkbenchError(
          'NOT_FOUND',
          `dataset "${name}" has no card: its import found no DATASET_CARD.md or README.md at the root of ${d.sourcePath}`,
        );
      }
      ctx.out(card.text.replace(/\n$/, ''));
    });

  datasets
    .command('show')
    .argument('<name>', 'dataset name')
    .option('--json', 'print a JSON object')
    .description("show a dataset's statistics")
    .action((name: string, opts: { json?: boolean }) => {
      const store = ctx.store();
      const d = store.datasets.require(name);
      ctx.out(opts.json ? JSON.stringify(datasetJson(store, d), null, 2) : describe(store, d));
    });

  datasets
    .command('index')
    .argument('<name>', 'dataset name')
    .option('--rebuild', 'drop the index, built or not, and build it again from the first passage')
    .description(
      "build a dataset's full-text index, or resume a build that was interrupted (Ctrl-C keeps what is done)",
    )
    .action(async (name: string, opts: { rebuild?: boolean }) => {
      const store = ctx.store();
      const tty = isTty(ctx.io.stderr);
      const result = await withInterrupt((signal) =>
        buildFullTextIndex(store, name, {
          signal,
          rebuild: opts.rebuild,
          onProgress: tty ? (p) => ctx.io.stderr.write(indexProgressLine(p)) : undefined,
        }),
      );
      if (tty) ctx.io.stderr.write('\r\u001b[K');
      ctx.out(
        result.alreadyBuilt
          ? `the full-text index of dataset "${name}" is already built (${n(result.documents)} documents); --rebuild builds it again`
          : indexLine(result),
      );
    });

  datasets
    .command('delete')
    .argument('<name>', 'dataset name')
    .description('delete a dataset with its documents, full-text index, queries and qrels (runs are kept)')
    .action((name: string) => {
      const store = ctx.store();
      const d = store.datasets.require(name);
      store.datasets.delete(d.name);
      ctx.out(
        `deleted dataset "${d.name}" (${n(d.stats.documents)} documents, ${n(d.stats.queries)} queries)`,
      );
    });
}
