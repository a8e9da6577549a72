import { type ErrorLocation, inputError, WorkbenchError } from '../errors.ts';
import type { Store, UnknownQrelsPolicy, UnknownQrelsReport } from '../store/index.ts';
import type { ProgressTracker } from './progress.ts';
import { type ResolvedKeys, readCorpus, readJudgments, readQueries } from './readers.ts';
import type { CorpusSource, QrelsSource, QueriesSource } from './sources.ts';
import { countWords } from './words.ts';

export interface LoadContext {
  store: Store;
  datasetId: number;
  tracker: ProgressTracker;
  signal: AbortSignal | undefined;
  /** The error a cancelled import throws (rolls the transaction back). */
  cancelled(): WorkbenchError;
}

/** Stops a re-scan early once the first occurrence is found. */
class Found {
  constructor(readonly lineNo: number) {}
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function duplicateError(
  where: ErrorLocation & { file: string; line: number },
  what: string,
  first: { file: string; line: number } | null,
  hint: string,
): WorkbenchError {
  const firstAt = first
    ? first.file === where.file
      ? `line ${first.line}`
      : `${first.file}:${first.line}`
    : null;
  const e = inputError(
    'INPUT_DUPLICATE',
    where,
    `${what}${firstAt ? ` — first seen at ${firstAt}` : ''}`,
    hint,
  );
  return new WorkbenchError(e.code, e.message, {
    ...where,
    ...(first ? { firstFile: first.file, firstLine: first.line } : {}),
  });
}

function checkCancel(ctx: LoadContext, count: number): void {
  if ((count & 1023) === 0 && ctx.signal?.aborted) throw ctx.cancelled();
}

/** Where an id first occurs in a corpus file (only read again on the error path). */
async function firstCorpusLine(source: CorpusSource, docId: string, before: number): Promise<number | null> {
  try {
    await readCorpus(source, (id, _t, _x, lineNo) => {
      if (lineNo >= before) throw new Found(-1);
      if (id === docId) throw new Found(lineNo);
    });
  } catch (err) {
    if (err instanceof Found) return err.lineNo > 0 ? err.lineNo : null;
    throw err;
  }
  return null;
}

export async function loadCorpus(
  ctx: LoadContext,
  source: CorpusSource,
): Promise<{ documents: number; words: number; keys: ResolvedKeys | null }> {
  const { store, datasetId, tracker } = ctx;
  const documents = store.documents;
  let words = 0;
  let n = 0;
  let duplicate: { docId: string; lineNo: number } | null = null;
  let idKey = 'pid';
  let result: Awaited<ReturnType<typeof readCorpus>>;
  try {
    result = await readCorpus(
      source,
      (docId, title, text, lineNo) => {
        try {
          documents.insert(datasetId, docId, title, text);
        } catch (err) {
          if (isUniqueViolation(err)) duplicate = { docId, lineNo };
          throw err;
        }
        words += countWords(title) + countWords(text);
        n++;
        tracker.state.documents = n;
        checkCancel(ctx, n);
        tracker.tick(n);
      },
      { signal: ctx.signal, onBytes: (b) => tracker.addBytes(b), onKeys: (k) => (idKey = k.id) },
    );
  } catch (err) {
    const dup = duplicate as { docId: string; lineNo: number } | null;
    if (!dup) throw err;
    const first = await firstCorpusLine(source, dup.docId, dup.lineNo);
    throw duplicateError(
      { file: source.path, line: dup.lineNo, field: idKey },
      `duplicate document id "${dup.docId}"`,
      first === null ? null : { file: source.path, line: first },
      'Document ids must be unique within a corpus: remove or rename one of them',
    );
  }
  if (result.documents === 0) {
    throw inputError(
      'INPUT_EMPTY',
      { file: source.path, line: Math.max(1, result.lastLine) },
      'the corpus holds no documents',
      'Check that this is the right file and that it is not empty',
    );
  }
  return { documents: n, words, keys: result.keys };
}

/**
 * Queries of all files. Ids are unique per dataset: a repeated id in one file is an error naming both
 * lines; the same id with the same text in another file (MS MARCO dev and dev.small) or already in the
 * dataset (attach) is kept once; with a different text it is an error.
 */
export async function loadQueries(
  ctx: LoadContext,
  sources: readonly QueriesSource[],
  attaching: boolean,
): Promise<number> {
  const { store, datasetId, tracker } = ctx;
  const seen = new Map<string, { file: string; line: number; text: string }>();
  let n = 0;
  for (const source of sources) {
    const file = source.path;
    const field = source.kind === 'tsv' ? 'qid' : 'id';
    const result = await readQueries(
      source,
      (queryId, text, lineNo) => {
        const earlier = seen.get(queryId);
        if (earlier) {
          if (earlier.file !== file && earlier.text === text) return; // one query listed in two files
          throw duplicateError(
            { file, line: lineNo, field },
            earlier.text === text
              ? `duplicate query id "${queryId}"`
              : `query id "${queryId}" repeated with another text`,
            earlier,
            'Query ids must be unique within a dataset: remove or rename one of them',
          );
        }
        if (attaching) {
          const stored = store.queries.get(datasetId, queryId);
          if (stored) {
            if (stored.text === text) return;
            throw inputError(
              'INPUT_DUPLICATE',
              { file, line: lineNo, field },
              `query id "${queryId}" is already in the dataset with another text ("${stored.text.slice(0, 60)}")`,
              'Query ids must be unique within a dataset: attach these topics to another dataset or rename them',
            );
          }
        }
        seen.set(queryId, { file, line: lineNo, text });
        store.queries.insert(datasetId, queryId, source.split, text);
        n++;
        tracker.state.queries = n;
        checkCancel(ctx, n);
        tracker.tick(n);
      },
      { signal: ctx.signal, onBytes: (b) => tracker.addBytes(b) },
    );
    if (result.queries === 0) {
      throw inputError(
        'INPUT_EMPTY',
        { file, line: Math.max(1, result.lastLine) },
        'the topics file holds no queries',
        'Check the file',
      );
    }
  }
  return n;
}

export interface QrelsLoadResult {
  judgments: number;
  report: UnknownQrelsReport;
}

function qrelsFields(source: QrelsSource): { qid: string; docno: string } {
  return source.kind === 'beir' ? { qid: 'query-id', docno: 'corpus-id' } : { qid: 'qid', docno: 'docno' };
}

async function firstJudgmentLine(
  source: QrelsSource,
  qid: string,
  docId: string,
  before: number,
): Promise<number | null> {
  try {
    await readJudgments(source, (q, d, _rel, lineNo) => {
      if (lineNo >= before) throw new Found(-1);
      if (q === qid && d === docId) throw new Found(lineNo);
    });
  } catch (err) {
    if (err instanceof Found) return err.lineNo > 0 ? err.lineNo : null;
    throw err;
  }
  return null;
}

/**
 * Judgments of all qrels files, with the unknown-qrels policy applied: qrels naming a query the dataset
 * lacks, or (when it has a corpus) a passage it lacks, are kept, dropped or refused, and counted either way.
 */
export async function loadQrels(
  ctx: LoadContext,
  sources: readonly QrelsSource[],
  policy: UnknownQrelsPolicy,
  checkDocuments: boolean,
): Promise<QrelsLoadResult> {
  const { store, datasetId, tracker } = ctx;
  const knownQueries = store.queries.ids(datasetId);
  const unknownQueries = new Set<string>();
  const unknownDocuments = new Set<string>();
  const report: UnknownQrelsReport = {
    policy,
    unknownQueries: 0,
    unknownQueryJudgments: 0,
    unknownDocuments: 0,
    unknownDocumentJudgments: 0,
    dropped: 0,
    examples: [],
  };
  let n = 0;
  for (const source of sources) {
    const file = source.path;
    const fields = qrelsFields(source);
    let duplicate: { qid: string; docId: string; lineNo: number } | null = null;
    let read = 0;
    try {
      read = await readJudgments(
        source,
        (qid, docId, rel, lineNo) => {
          const queryUnknown = !knownQueries.has(qid);
          const docUnknown = checkDocuments && !store.documents.has(datasetId, docId);
          if (queryUnknown || docUnknown) {
            if (queryUnknown) {
              unknownQueries.add(qid);
              report.unknownQueryJudgments++;
            }
            if (docUnknown) {
              unknownDocuments.add(docId);
              report.unknownDocumentJudgments++;
            }
            const what =
              queryUnknown && docUnknown ? 'query and document' : queryUnknown ? 'query' : 'document';
            if (policy === 'error') {
              throw inputError(
                'INPUT_INVALID',
                { file, line: lineNo, field: queryUnknown ? fields.qid : fields.docno },
                `qrels name an unknown ${what} ("${queryUnknown ? qid : docId}")`,
                'Import the matching topics/corpus first, or choose --unknown keep or --unknown drop',
              );
            }
            if (report.examples.length < 5)
              report.examples.push(`${file}:${lineNo}: unknown ${what} (${qid} ${docId})`);
            if (policy === 'drop') {
              report.dropped++;
              return;
            }
          }
          try {
            store.qrels.insert(datasetId, source.split, qid, docId, rel);
          } catch (err) {
            if (isUniqueViolation(err)) duplicate = { qid, docId, lineNo };
            throw err;
          }
          n++;
          tracker.state.judgments = n;
          checkCancel(ctx, n);
          tracker.tick(n);
        },
        { signal: ctx.signal, onBytes: (b) => tracker.addBytes(b) },
      );
    } catch (err) {
      const dup = duplicate as { qid: string; docId: string; lineNo: number } | null;
      if (!dup) throw err;
      const first = await firstJudgmentLine(source, dup.qid, dup.docId, dup.lineNo);
      const label =
        first === null ? store.qrels.label(datasetId, source.split, dup.qid, dup.docId) : undefined;
      throw duplicateError(
        { file, line: dup.lineNo, field: fields.docno },
        `duplicate judgment of document "${dup.docId}" for query "${dup.qid}"` +
          (label !== undefined
            ? ` (the dataset already judges it, label ${label}, from an earlier import)`
            : ''),
        first === null ? null : { file, line: first },
        'trec_eval refuses a document judged twice for one query: keep one line',
      );
    }
    if (read === 0) {
      throw inputError(
        'INPUT_EMPTY',
        { file, line: 1 },
        'the qrels file holds no judgments',
        'Check the file',
      );
    }
  }
  report.unknownQueries = unknownQueries.size;
  report.unknownDocuments = unknownDocuments.size;
  return { judgments: n, report };
}
