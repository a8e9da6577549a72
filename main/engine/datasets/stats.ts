import type { DatasetStats, SplitStats, Store, UnknownQrelsReport } from '../store/index.ts';
import { NO_SPLIT } from '../store/index.ts';
import { countWords } from './words.ts';

/** Adds this import's unknown-qrels counts to what earlier imports into the dataset found. */
export function mergeUnknownReports(
  before: UnknownQrelsReport,
  now: UnknownQrelsReport | null,
): UnknownQrelsReport {
  if (!now) return before;
  return {
    policy: now.policy,
    unknownQueries: before.unknownQueries + now.unknownQueries,
    unknownQueryJudgments: before.unknownQueryJudgments + now.unknownQueryJudgments,
    unknownDocuments: before.unknownDocuments + now.unknownDocuments,
    unknownDocumentJudgments: before.unknownDocumentJudgments + now.unknownDocumentJudgments,
    dropped: before.dropped + now.dropped,
    examples: [...before.examples, ...now.examples].slice(0, 5),
  };
}

/** Recomputes the dataset's statistics from what is stored (inside the import's transaction). */
export function computeStats(
  store: Store,
  datasetId: number,
  documentWords: number,
  unknownQrels: UnknownQrelsReport,
  keys: DatasetStats['keys'],
): DatasetStats {
  const documents = store.documents.count(datasetId);
  let queryWords = 0;
  const queryList = store.queries.list(datasetId);
  for (const q of queryList) queryWords += countWords(q.text);
  const qrels = store.qrels.summary(datasetId);
  const queriesPerSplit = store.queries.countBySplit(datasetId);
  const splits: Record<string, SplitStats> = {};
  for (const name of new Set([...Object.keys(queriesPerSplit), ...Object.keys(qrels.splits)])) {
    if (name === NO_SPLIT && !qrels.splits[name]) continue; // queries without split and no split-less qrels
    splits[name] = {
      queries: queriesPerSplit[name] ?? 0,
      judgedQueries: qrels.splits[name]?.judgedQueries ?? 0,
      judgments: qrels.splits[name]?.judgments ?? 0,
    };
  }
  const stats: DatasetStats = {
    documents,
    queries: queryList.length,
    judgedQueries: qrels.judgedQueries,
    judgments: qrels.judgments,
    judgmentsPerLabel: qrels.judgmentsPerLabel,
    unjudgedEntries: qrels.unjudgedEntries,
    meanDocLength: documents > 0 ? documentWords / documents : 0,
    meanQueryLength: queryList.length > 0 ? queryWords / queryList.length : 0,
    documentWords,
    splits,
    unknownQrels,
  };
  if (keys) stats.keys = keys;
  return stats;
}
