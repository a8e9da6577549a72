import type { Command } from 'commander';
import { WorkbenchError } from '../engine/errors.ts';
import { QNET_KERNEL_REQUESTS, type QnetKernelRequest } from '../engine/qnet/index.ts';
import {
  type BuildProgress,
  DEFAULT_GRAPH_K,
  DEFAULT_GRAPH_SEARCH,
  DEFAULT_HNSW,
  GRAPH_PRESET_NAMES,
  GraphArtifacts,
  type GraphBuildOptions,
  type GraphPresetName,
  type GraphSearchParams,
  readCorpusFiles,
  readQnetQueries,
  readQueryEmbeddings,
  type SearchRequest,
  SearchService,
  type Similarity,
} from '../engine/search/index.ts';
import type { JsonObject } from '../engine/store/index.ts';
import type { CliContext } from './context.ts';

/**
 * `search <mode>`: one search over a query set, recorded as a run in the data folder's store. Until model
 * packages encode corpora and queries, embedding modes read precomputed files: documents `--docs X.npy
 * --doc-ids ids.txt`, bi-encoder queries `--queries Q.npy --query-ids ids.txt`, q-net queries `--qnet DIR`
 * (search/inputs.ts). `search graph` builds (or finds) a neighbour-graph artifact on its own.
 */

interface CommonOptions {
  run: string;
  dataset?: string;
  split?: string;
  topK: number;
  threads?: number;
  qnetKernel: QnetKernelRequest;
  workers?: number;
  docs?: string;
  docIds?: string;
  qnet?: string;
  queries?: string;
  queryIds?: string;
}

interface GraphOptions {
  graphK: number;
  graphMetric: string;
  graphMethod: string;
  m?: number;
  efConstruction?: number;
  efSearch?: number;
}

type AllOptions = CommonOptions &
  GraphOptions & {
    preset?: string;
    entryPoints?: number;
    candidates?: number;
    maxIter?: number;
    earlyStop: boolean;
    seed: number;
    similarity: string;
    baseRun?: string;
    depth: number;
  };

function wholeNumber(flag: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `${flag} must be a whole number ≥ ${min} (got "${value}")`,
        { field: flag },
      );
    }
    return n;
  };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `${flag} must be one of ${allowed.join(', ')} (got "${value}")`,
      { field: flag },
    );
  }
  return value as T;
}

function need<T>(value: T | undefined, flag: string, why: string): T {
  if (value === undefined)
    throw new WorkbenchError('INVALID_ARGUMENT', `${flag} is required ${why}`, { field: flag });
  return value;
}

/** Progress on stderr, at most a few lines a second; Ctrl-C cancels between batches (exit 130). */
function cliJob(ctx: Pick<CliContext, 'err'>): { job: BuildProgress; done(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let last = 0;
  let lastStage = '';
  return {
    job: {
      signal: controller.signal,
      progress: ({ done, total, stage }) => {
        const now = Date.now();
        if (stage === lastStage && now - last < 500 && done !== total) return;
        last = now;
        lastStage = stage ?? lastStage;
        ctx.err(`${stage ?? 'working'}: ${done}${total ? `/${total}` : ''}`);
      },
    },
    done: () => process.off('SIGINT', onSignal),
  };
}

function graphBuildOptions(opts: GraphOptions, threads?: number): GraphBuildOptions {
  return {
    k: opts.graphK,
    metric: oneOf('--graph-metric', opts.graphMetric, ['l2', 'ip'] as const),
    method: oneOf('--graph-method', opts.graphMethod, ['auto', 'exact', 'hnsw'] as const),
    hnsw: hnswOptions(opts),
    threads: { intraOpNumThreads: threads },
  };
}

function hnswOptions(opts: Pick<GraphOptions, 'm' | 'efConstruction' | 'efSearch'>) {
  return {
    ...(opts.m === undefined ? {} : { M: opts.m }),
    ...(opts.efConstruction === undefined ? {} : { efConstruction: opts.efConstruction }),
    ...(opts.efSearch === undefined ? {} : { efSearch: opts.efSearch }),
  };
}

function addGraphOptions(cmd: Command): Command {
  return cmd
    .option('--graph-k <n>', 'neighbours per document', wholeNumber('--graph-k'), DEFAULT_GRAPH_K)
    .option('--graph-metric <m>', 'l2 | ip', 'l2')
    .option(
      '--graph-method <m>',
      'auto (exact up to the cost of 100k × 768, HNSW above) | exact | hnsw',
      'auto',
    )
    .option('--m <n>', `HNSW links per node (default ${DEFAULT_HNSW.M})`, wholeNumber('--m', 2))
    .option(
      '--ef-construction <n>',
      `HNSW efConstruction (default ${DEFAULT_HNSW.efConstruction})`,
      wholeNumber('--ef-construction'),
    )
    .option(
      '--ef-search <n>',
      `HNSW efSearch (default ${DEFAULT_HNSW.efSearch})`,
      wholeNumber('--ef-search'),
    );
}

function describeStats(stats: JsonObject): string {
  const { perQuery: _omit, graph, ...rest } = stats;
  const parts = Object.entries(rest).map(
    ([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  if (graph && typeof graph === 'object' && !Array.isArray(graph)) {
    const g = graph as JsonObject;
    parts.push(
      `graph ${g.method} k=${g.k} ${g.metric} ${g.reused ? 'reused' : `built in ${Number(g.buildMs).toFixed(0)} ms`} (recall@k ${g.recallAtK})`,
    );
  }
  return parts.join('; ');
}

export function registerSearchCommands(program: Command, ctx: CliContext): void {
  const search = program
    .command('search')
    .description(
      'search a query set and record the run: q-net exhaustive or graph, bi-encoder flat or HNSW, BM25, re-ranking',
    );

  const common = (cmd: Command) =>
    cmd
      .requiredOption('--run <name>', 'name of the run to record (also its TREC tag)')
      .option('--dataset <name>', 'dataset the queries belong to (query texts are stored with the run)')
      .option('--split <name>', 'only the queries of this split (bm25)')
      .option('--top-k <n>', 'documents per query (≤ 1000)', wholeNumber('--top-k'), 1000)
      .option(
        '--threads <n>',
        'onnxruntime intra-op threads (default: all logical cores)',
        wholeNumber('--threads'),
      )
      .option(
        '--qnet-kernel <kernel>',
        `who computes q-nets on the CPU: ${QNET_KERNEL_REQUESTS.join(' | ')} (auto: the native kernel with AVX-512 when scoring with one thread)`,
        (value: string) => oneOf('--qnet-kernel', value, QNET_KERNEL_REQUESTS),
        'auto',
      )
      .option('--docs <file.npy>', 'document embeddings [N, d] (float32 or float16)')
      .option('--doc-ids <file.txt>', 'document ids, one per line in row order');

  const execute = async (mode: SearchRequest['mode'], opts: AllOptions) => {
    const store = ctx.store();
    const dataset = opts.dataset ? store.datasets.require(opts.dataset) : undefined;
    const queryTexts = dataset
      ? new Map(store.queries.list(dataset.id, opts.split).map((q) => [q.queryId, q.text]))
      : undefined;
    const corpus = () =>
      readCorpusFiles(
        need(opts.docs, '--docs', `for ${mode}`),
        need(opts.docIds, '--doc-ids', `for ${mode}`),
      );
    const threads = { intraOpNumThreads: opts.threads };
    const common = {
      runName: opts.run,
      datasetId: dataset?.id ?? null,
      topK: opts.topK,
      threads,
      qnetKernel: opts.qnetKernel,
      queryTexts,
    };
    let request: SearchRequest;
    switch (mode) {
      case 'qnet':
        request = {
          ...common,
          mode,
          corpus: corpus(),
          queries: readQnetQueries(need(opts.qnet, '--qnet', 'for q-net search')),
        };
        break;
      case 'qnet-graph': {
        const explicit: Partial<GraphSearchParams> = {
          ...(opts.entryPoints === undefined ? {} : { numEntryPoints: opts.entryPoints }),
          ...(opts.candidates === undefined ? {} : { nCandidates: opts.candidates }),
          ...(opts.maxIter === undefined ? {} : { maxIter: opts.maxIter }),
          earlyStop: opts.earlyStop,
          seed: opts.seed,
        };
        const preset =
          opts.preset === undefined || opts.preset === 'none'
            ? undefined
            : oneOf('--preset', opts.preset, GRAPH_PRESET_NAMES as readonly GraphPresetName[]);
        request = {
          ...common,
          mode,
          corpus: corpus(),
          queries: readQnetQueries(need(opts.qnet, '--qnet', 'for q-net search')),
          preset: opts.preset === undefined && explicit.numEntryPoints === undefined ? 'efficient1' : preset,
          search: explicit,
          graph: graphBuildOptions(opts, opts.threads),
        };
        break;
      }
      case 'flat':
      case 'hnsw': {
        const queries = readQueryEmbeddings(
          need(opts.queries, '--queries', 'for bi-encoder search'),
          need(opts.queryIds, '--query-ids', 'for bi-encoder search'),
        );
        const similarity = oneOf('--similarity', opts.similarity, ['ip', 'cos'] as readonly Similarity[]);
        request =
          mode === 'flat'
            ? { ...common, mode, corpus: corpus(), queries, similarity }
            : { ...common, mode, corpus: corpus(), queries, similarity, hnsw: hnswOptions(opts) };
        break;
      }
      case 'bm25': {
        if (!dataset)
          throw new WorkbenchError(
            'INVALID_ARGUMENT',
            '--dataset is required for bm25 (its full-text index and queries are searched)',
            { field: '--dataset' },
          );
        // A missing or incomplete full-text index is built (or resumed) by the search, with progress.
        if (!dataset.hasCorpus) {
          throw new WorkbenchError(
            'UNAVAILABLE',
            `dataset "${dataset.name}" has no passages for full-text search; import it with its corpus`,
            { field: '--dataset' },
          );
        }
        const list = store.queries.list(dataset.id, opts.split);
        request = {
          ...common,
          mode,
          datasetId: dataset.id,
          queries: { ids: list.map((q) => q.queryId), texts: list.map((q) => q.text) },
        };
        break;
      }
      case 'rerank': {
        const queries = opts.qnet
          ? readQnetQueries(opts.qnet)
          : readQueryEmbeddings(
              need(opts.queries, '--qnet or --queries', 'to score the base run'),
              need(opts.queryIds, '--query-ids', 'with --queries'),
            );
        request = {
          ...common,
          mode,
          corpus: corpus(),
          queries,
          baseRun: need(opts.baseRun, '--base-run', 'for re-ranking'),
          depth: opts.depth,
          similarity: oneOf('--similarity', opts.similarity, ['ip', 'cos'] as readonly Similarity[]),
        };
        break;
      }
    }
    const { job, done } = cliJob(ctx);
    try {
      const summary = await new SearchService({ store, dataDir: ctx.dataDir }).run(request, job);
      ctx.out(`run "${summary.name}" recorded (${mode}): ${describeStats(summary.stats)}`);
      ctx.out(`config ${JSON.stringify(summary.config)}`);
    } finally {
      done();
    }
  };

  common(search.command('qnet').description('exhaustive q-net search: every document scored, exact top-k'))
    .option(
      '--qnet <dir>',
      'q-net parameters: qnet.json, query_ids.txt, qnet_w{j}.npy [Q,d_j,d_j+1], qnet_b{j}.npy',
    )
    .action((opts: AllOptions) => execute('qnet', opts));

  addGraphOptions(
    common(
      search
        .command('qnet-graph')
        .description('efficient q-net search over a neighbour graph (the reference algorithm)'),
    ),
  )
    .option('--qnet <dir>', 'q-net parameters (as for `search qnet`)')
    .option(
      '--preset <name>',
      `${GRAPH_PRESET_NAMES.join(' | ')} (scaled to the corpus size) | none (give the parameters); default efficient1`,
    )
    .option('--entry-points <n>', 'numEntryPoints (overrides the preset)', wholeNumber('--entry-points'))
    .option('--candidates <n>', 'nCandidates (overrides the preset)', wholeNumber('--candidates'))
    .option('--max-iter <n>', 'maxIter (overrides the preset)', wholeNumber('--max-iter'))
    .option('--no-early-stop', 'keep iterating when nothing entered the top-k')
    .option('--seed <n>', 'entry-point seed', wholeNumber('--seed', 0), DEFAULT_GRAPH_SEARCH.seed)
    .action((opts: AllOptions) => execute('qnet-graph', opts));

  for (const mode of ['flat', 'hnsw'] as const) {
    const cmd = common(
      search
        .command(mode)
        .description(
          mode === 'flat'
            ? 'exact bi-encoder search (inner product or cosine)'
            : 'bi-encoder search through HNSW, with recall against exact',
        ),
    )
      .option('--queries <file.npy>', 'query embeddings [Q, d]')
      .option('--query-ids <file.txt>', 'query ids, one per line in row order')
      .option('--similarity <s>', 'ip | cos', 'ip');
    if (mode === 'hnsw') {
      cmd
        .option('--m <n>', `links per node (default ${DEFAULT_HNSW.M})`, wholeNumber('--m', 2))
        .option(
          '--ef-construction <n>',
          `efConstruction (default ${DEFAULT_HNSW.efConstruction})`,
          wholeNumber('--ef-construction'),
        )
        .option('--ef-search <n>', `efSearch (default ${DEFAULT_HNSW.efSearch})`, wholeNumber('--ef-search'));
    }
    cmd.action((opts: AllOptions) => execute(mode, opts));
  }

  common(search.command('bm25').description("BM25 over the dataset's FTS5 index (k1 1.2, b 0.75)")).action(
    (opts: AllOptions) => execute('bm25', opts),
  );

  common(
    search
      .command('rerank')
      .description(
        're-rank the top documents of another run with a q-net (--qnet) or query embeddings (--queries)',
      ),
  )
    .option('--base-run <name>', 'the run whose top documents are re-scored')
    .option('--depth <n>', 'documents of the base run re-scored per query', wholeNumber('--depth'), 100)
    .option('--qnet <dir>', 'q-net parameters')
    .option('--queries <file.npy>', 'query embeddings [Q, d]')
    .option('--query-ids <file.txt>', 'query ids for --queries')
    .option('--similarity <s>', 'ip | cos (with --queries)', 'ip')
    .action((opts: AllOptions) => execute('rerank', opts));

  addGraphOptions(
    search
      .command('graph')
      .description('build (or find) the neighbour-graph artifact of an embeddings matrix'),
  )
    .requiredOption('--docs <file.npy>', 'document embeddings [N, d]')
    .requiredOption('--doc-ids <file.txt>', 'document ids, one per line')
    .option('--threads <n>', 'onnxruntime intra-op threads', wholeNumber('--threads'))
    .action(async (opts: GraphOptions & { docs: string; docIds: string; threads?: number }) => {
      const corpus = readCorpusFiles(opts.docs, opts.docIds);
      const { job, done } = cliJob(ctx);
      try {
        const resolved = await new GraphArtifacts(ctx.dataDir).resolve(
          corpus,
          graphBuildOptions(opts, opts.threads),
          job,
        );
        const r = resolved.meta.report;
        ctx.out(
          `${resolved.reused ? 'found' : 'built'} ${resolved.dir}\n` +
            `${r.method} ${r.metric} k=${r.k} over ${r.rows} × ${r.dim}; build ${(r.buildMs / 1000).toFixed(1)} s, ` +
            `recall@k ${r.recallAtK}${r.recallSample ? ` on ${r.recallSample} sampled documents` : ' (exact)'}, graph ${(r.graphBytes / 2 ** 20).toFixed(1)} MiB, ` +
            `peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
        );
      } finally {
        done();
      }
    });
}
