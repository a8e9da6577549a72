import { WorkbenchError } from '../errors.ts';
import type { DatasetRecord, FullTextIndexRecord, Store } from '../store/index.ts';

/**
 * Passages indexed per transaction. Each chunk commits with the index's state row, so a cancel, an error or
 * a killed process loses at most one chunk and the build resumes where it stopped; and the write lock is
 * free between chunks (≈ 0.4 s of Porter-stemmed FTS5 work each on the 2-core development machine), so
 * other writes are never held up for long, even on an 8.8M-passage corpus.
 */
export const FULL_TEXT_CHUNK_ROWS = 20_000;

/** How often a build waiting for this connection's import to commit looks again. */
const WAIT_FOR_WRITER_MS = 50;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const n = (x: number) => x.toLocaleString('en-US');

/** A dataset's full-text index as shown to people: BM25 uses it only when `built`. */
export interface FullTextIndexState {
  status: 'not-built' | 'building' | 'built';
  /** Passages in the index so far. */
  indexed: number;
  /** Passages to index: the dataset's. */
  documents: number;
}

export interface IndexProgress {
  indexed: number;
  documents: number;
  /** indexed / documents */
  fraction: number;
}

export interface IndexOptions {
  /** Called once at the start and after every chunk. */
  onProgress?: (progress: IndexProgress) => void;
  /** Seen between chunks; what was indexed so far stays, and a later build resumes from there. */
  signal?: AbortSignal;
  /** Drop a built (or partly built) index and build it from the first passage. */
  rebuild?: boolean;
  /** Passages per transaction (default FULL_TEXT_CHUNK_ROWS). */
  chunkRows?: number;
  /** Milliseconds clock for the elapsed time (tests pass a fake). */
  clock?: () => number;
}

export interface IndexResult {
  dataset: string;
  /** Passages in the index, now complete. */
  documents: number;
  /** Passages this call added. */
  indexed: number;
  /** Passages the index already held when this call started (a resumed build). */
  resumedAt: number;
  /** The index was complete already: nothing was done. */
  alreadyBuilt: boolean;
  elapsedMs: number;
}

type IndexStore = Pick<Store, 'documents' | 'datasets' | 'busyWith'>;

export function fullTextIndexState(
  store: Pick<Store, 'documents'>,
  dataset: DatasetRecord,
): FullTextIndexState {
  const r = store.documents.fullTextIndex(dataset.id);
  if (!r) return { status: 'not-built', indexed: 0, documents: dataset.stats.documents };
  return { status: r.status, indexed: r.indexed, documents: r.documents };
}

/** "built, 4 documents", "building, 20,000 of 200,000 documents indexed", "not built". */
export function describeFullTextIndex(state: FullTextIndexState): string {
  switch (state.status) {
    case 'built':
      return `built, ${n(state.documents)} documents`;
    case 'building':
      return `building, ${n(state.indexed)} of ${n(state.documents)} documents indexed`;
    case 'not-built':
      return 'not built';
  }
}

/**
 * Builds a dataset's full-text index, or resumes a build that was cancelled, failed or killed, in chunks of
 * passages, each committed with the index's state row; the index is marked built only by the chunk that adds
 * the last passage. An index already built is left as it is unless `rebuild` is set.
 */
export async function buildFullTextIndex(
  store: IndexStore,
  name: string,
  options: IndexOptions = {},
): Promise<IndexResult> {
  return build(store, store.datasets.require(name), options);
}

/**
 * What BM25 calls before it searches: nothing when the dataset's index is built, otherwise the build (or its
 * resumption), reporting progress through the caller's channel.
 */
export async function ensureFullTextIndex(
  store: IndexStore,
  datasetId: number,
  options: Omit<IndexOptions, 'rebuild'> = {},
): Promise<IndexResult> {
  const dataset = store.datasets.getById(datasetId);
  if (dataset?.status !== 'ready') {
    throw new WorkbenchError('NOT_FOUND', `no dataset with id ${datasetId}`, { field: 'dataset' });
  }
  return build(store, dataset, options);
}

async function build(store: IndexStore, dataset: DatasetRecord, options: IndexOptions): Promise<IndexResult> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const { name } = dataset;
  const chunkRows = options.chunkRows ?? FULL_TEXT_CHUNK_ROWS;
  const signal = options.signal;
  const documents = store.documents;
  let state = documents.fullTextIndex(dataset.id);
  if (state?.status === 'built' && !options.rebuild) {
    return {
      dataset: name,
      documents: state.documents,
      indexed: 0,
      resumedAt: state.documents,
      alreadyBuilt: true,
      elapsedMs: 0,
    };
  }
  if (!dataset.hasCorpus) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `dataset "${name}" has no passages to index: import it with its corpus`,
      { field: 'dataset', name },
    );
  }
  const cancelled = (at: FullTextIndexRecord | undefined) =>
    new WorkbenchError(
      'CANCELLED',
      at
        ? `building the full-text index of dataset "${name}" cancelled at ${n(at.indexed)} of ${n(at.documents)} passages; ` +
            `BM25 does not use it until it is complete: \`workbench datasets index ${name}\` resumes it`
        : `building the full-text index of dataset "${name}" cancelled before it started; nothing changed`,
      { field: 'dataset', name },
    );
  const waitForConnection = async () => {
    while (store.busyWith() !== undefined) {
      if (signal?.aborted) throw cancelled(state);
      await sleep(WAIT_FOR_WRITER_MS);
    }
  };

  if (signal?.aborted) throw cancelled(state);
  if (!state || options.rebuild) {
    await waitForConnection();
    state = documents.startFullTextIndex(dataset.id) ?? undefined;
    if (!state) {
      throw new WorkbenchError('INVALID_ARGUMENT', `dataset "${name}" has no passages to index`, {
        field: 'dataset',
        name,
      });
    }
  }
  const resumedAt = state.indexed;
  const report = (s: FullTextIndexRecord) =>
    options.onProgress?.({ indexed: s.indexed, documents: s.documents, fraction: s.indexed / s.documents });
  report(state);
  while (state.status === 'building') {
    if (signal?.aborted) throw cancelled(state);
    await waitForConnection();
    const next = documents.indexFullTextChunk(dataset.id, chunkRows);
    if (!next) {
      throw new WorkbenchError(
        'CONFLICT',
        `the full-text index of dataset "${name}" was dropped while it was being built (the dataset deleted, or the index rebuilt elsewhere)`,
        { field: 'dataset', name },
      );
    }
    state = next;
    report(state);
    // Lets the rest of the process run between chunks: a cancel, progress events, other writes.
    if (state.status === 'building') await yieldToEventLoop();
  }
  return {
    dataset: name,
    documents: state.documents,
    indexed: state.indexed - resumedAt,
    resumedAt,
    alreadyBuilt: false,
    elapsedMs: clock() - started,
  };
}
