import { WorkbenchError } from '../errors.ts';
import type { DatasetRecord, DatasetStats, Store } from '../store/index.ts';
import { emptyDatasetStats } from '../store/index.ts';
import { type CardLookup, findDatasetCard } from './card.ts';
import { ensureFullTextIndex, type IndexResult } from './fulltext.ts';
import { contentHash } from './hash.ts';
import { type LoadContext, loadCorpus, loadQrels, loadQueries } from './load.ts';
import type { ImportPlan } from './plan.ts';
import { decompressedSize, type ProgressListener, ProgressTracker } from './progress.ts';
import { computeStats, mergeUnknownReports } from './stats.ts';

export interface ImportOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Milliseconds clock for progress throttling and the elapsed time (tests pass a fake). */
  clock?: () => number;
}

export interface ImportResult {
  dataset: DatasetRecord;
  attached: boolean;
  /** What this import added. */
  documents: number;
  queries: number;
  judgments: number;
  /** The import alone, up to its commit. */
  elapsedMs: number;
  /** The full-text index built right after the commit (`fullText`), with its own timing; null when not asked. */
  fullText: IndexResult | null;
  /** The dataset card kept with a new dataset (DATASET_CARD.md or README.md of the folder), or why not. */
  card: CardLookup;
}

/**
 * Imports a planned dataset all-or-nothing: every row of it (passages, queries, qrels, statistics) is
 * written in ONE transaction that commits only at the end. An error, a cancel or a killed process leaves the
 * database exactly as before (see README.md). With `plan.fullText`, the full-text index of the new passages
 * is then built as a step of its own (stage `index`), in resumable chunks: a cancel or error there leaves
 * the dataset imported and its index incomplete, which BM25 never uses.
 */
export async function importDataset(
  store: Store,
  plan: ImportPlan,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const signal = options.signal;
  const cancelled = () =>
    new WorkbenchError('CANCELLED', `import of dataset "${plan.name}" cancelled; nothing of it was stored`);
  if (signal?.aborted) throw cancelled();

  const existing = plan.attachTo !== null ? store.datasets.require(plan.attachTo) : null;
  if (!existing && store.datasets.get(plan.name)) {
    throw new WorkbenchError(
      'CONFLICT',
      `a dataset named "${plan.name}" exists: choose another --name, attach to it with --attach-to, or delete it first`,
      { field: 'name', name: plan.name },
    );
  }
  const files = [
    ...(plan.corpus ? [{ role: 'corpus' as const, path: plan.corpus.path, split: null }] : []),
    ...plan.queries.map((q) => ({ role: 'queries' as const, path: q.path, split: q.split })),
    ...plan.qrels.map((q) => ({ role: 'qrels' as const, path: q.path, split: q.split })),
  ];
  const sizes = await Promise.all(files.map((f) => decompressedSize(f.path)));
  const tracker = new ProgressTracker(
    sizes.reduce((a, b) => a + b, 0),
    options.onProgress,
    clock,
  );
  const hashing = contentHash(
    files.map((f) => f.path),
    existing?.contentHash,
    signal,
  );
  hashing.catch(() => {}); // awaited below; an import that fails first must not leave it unhandled

  const added = { documents: 0, queries: 0, judgments: 0 };
  // Read before the transaction: a card is the folder's, and attaching topics or qrels leaves it as it was.
  const card: CardLookup = existing ? { card: null, skipped: null } : findDatasetCard(plan.sourcePath);
  const datasetId = await store.writeAsync(`the import of dataset "${plan.name}"`, async () => {
    const id =
      existing?.id ??
      store.datasets.create(
        {
          name: plan.name,
          format: plan.format,
          sourcePath: plan.sourcePath,
          contentHash: '',
          hasCorpus: plan.corpus !== null,
        },
        emptyDatasetStats(),
      );
    const ctx: LoadContext = { store, datasetId: id, tracker, signal, cancelled };
    const before: DatasetStats = existing?.stats ?? emptyDatasetStats();
    let documentWords = before.documentWords;
    let keys = before.keys;
    if (plan.corpus) {
      tracker.stage('corpus');
      const corpus = await loadCorpus(ctx, plan.corpus);
      added.documents = corpus.documents;
      documentWords = corpus.words;
      if (corpus.keys) keys = corpus.keys;
    }
    if (plan.queries.length > 0) {
      tracker.stage('queries');
      added.queries = await loadQueries(ctx, plan.queries, existing !== null);
    }
    let unknown = null;
    if (plan.qrels.length > 0) {
      tracker.stage('qrels');
      const hasCorpus = plan.corpus !== null || (existing?.hasCorpus ?? false);
      const qrels = await loadQrels(ctx, plan.qrels, plan.unknown, hasCorpus);
      added.judgments = qrels.judgments;
      unknown = qrels.report;
    }
    tracker.stage('finish');
    store.queries.assignSplitsFromQrels(id);
    const stats = computeStats(
      store,
      id,
      documentWords,
      mergeUnknownReports(before.unknownQrels, unknown),
      keys,
    );
    const hash = await hashing.catch((err: unknown) => {
      throw signal?.aborted ? cancelled() : err;
    });
    if (signal?.aborted) throw cancelled();
    files.forEach((f, i) => {
      store.datasets.addFile(id, { ...f, bytes: sizes[i] });
    });
    if (card.card) store.datasets.setCard(id, card.card);
    store.datasets.update(id, {
      contentHash: hash,
      hasCorpus: plan.corpus !== null || (existing?.hasCorpus ?? false),
      stats,
      status: 'ready',
    });
    tracker.emit(true);
    return id;
  });
  const elapsedMs = clock() - started;
  const dataset = store.datasets.getById(datasetId)!;
  let fullText: IndexResult | null = null;
  if (plan.fullText && added.documents > 0) {
    tracker.state.documents = dataset.stats.documents;
    tracker.stage('index');
    try {
      fullText = await ensureFullTextIndex(store, datasetId, {
        signal,
        clock,
        onProgress: (p) => {
          tracker.state.indexed = p.indexed;
          tracker.emit(p.indexed === p.documents);
        },
      });
    } catch (err) {
      const e = err instanceof WorkbenchError ? err : new WorkbenchError('INTERNAL', (err as Error).message);
      throw new WorkbenchError(
        e.code,
        `dataset "${dataset.name}" was imported (${added.documents.toLocaleString('en-US')} passages); ${e.message}`,
        { ...e.details, dataset: dataset.name, imported: true },
      );
    }
  }
  return { dataset, attached: existing !== null, ...added, elapsedMs, fullText, card };
}
