/** Shapes of the rows the store hands out. JSON columns are parsed into these types on the way out. */

export type DatasetFormat = 'beir' | 'trec' | 'msmarco' | 'jsonl';
export type DatasetStatus = 'importing' | 'ready';
export type UnknownQrelsPolicy = 'keep' | 'drop' | 'error';

/** Qrels lines naming a query or passage the dataset does not hold, and what the import did with them. */
export interface UnknownQrelsReport {
  policy: UnknownQrelsPolicy;
  /** Distinct query ids in qrels without a query text in the dataset, and their qrels lines. */
  unknownQueries: number;
  unknownQueryJudgments: number;
  /** Distinct doc ids in qrels missing from the corpus (only checked when the dataset has a corpus). */
  unknownDocuments: number;
  unknownDocumentJudgments: number;
  /** Qrels lines not stored because of the policy `drop`. */
  dropped: number;
  /** Up to five examples each, as `qid` or `qid docno` with file:line. */
  examples: string[];
}

export interface SplitStats {
  queries: number;
  judgedQueries: number;
  judgments: number;
}

export interface DatasetStats {
  documents: number;
  queries: number;
  /** Queries with at least one judgment (label >= 0) in the qrels — trec_eval's num_q under -c. */
  judgedQueries: number;
  /** Qrels entries with a label >= 0; negative labels mean unjudged (trec_eval) and are counted apart. */
  judgments: number;
  judgmentsPerLabel: Record<string, number>;
  unjudgedEntries: number;
  /** Whitespace-separated words of title + text, as an encoder sees the passage. */
  meanDocLength: number;
  meanQueryLength: number;
  /** Total words of the corpus, kept so that attaching topics later need not re-read the corpus. */
  documentWords: number;
  splits: Record<string, SplitStats>;
  unknownQrels: UnknownQrelsReport;
  /** JSONL corpora: the keys the documents were read with. */
  keys?: { id: string; title: string | null; text: string };
}

export interface DatasetRecord {
  id: number;
  name: string;
  format: DatasetFormat;
  sourcePath: string;
  contentHash: string;
  hasCorpus: boolean;
  stats: DatasetStats;
  status: DatasetStatus;
  createdAt: string;
  updatedAt: string;
}

/** A dataset card: Markdown shipped with the dataset (datasets/README.md, "Dataset cards"). */
export interface DatasetCard {
  /** The file it came from, relative to the imported folder. */
  file: string;
  text: string;
  sha256: string;
}

export interface DatasetFileRecord {
  role: 'corpus' | 'queries' | 'qrels';
  path: string;
  split: string | null;
  bytes: number;
  importedAt: string;
}

/**
 * A dataset's full-text index as the `fulltext_indexes` row records it (migration 004). `building`: the
 * passages with row id below `nextRowid` are indexed, `indexed` of `documents`; BM25 must not use it.
 * `built`: every passage is in it.
 */
export interface FullTextIndexRecord {
  status: 'building' | 'built';
  documents: number;
  indexed: number;
  nextRowid: number;
  lastRowid: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface DocumentRecord {
  docId: string;
  title: string;
  text: string;
}

export interface QueryRecord {
  queryId: string;
  split: string | null;
  text: string;
}

/** In-memory qrels as the eval capability takes them: qid → docno → label (negative = unjudged). */
export type Qrels = Map<string, Map<string, number>>;

export type RunStatus = 'running' | 'ready' | 'failed';

/** JSON objects stored as-is (run config, environment). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RunRecord {
  id: number;
  name: string;
  datasetId: number | null;
  datasetName: string | null;
  tag: string | null;
  format: string | null;
  source: string;
  config: JsonObject;
  environment: JsonObject;
  stats: JsonObject;
  status: RunStatus;
  createdAt: string;
}

/** One query's ranking, in rank order (score desc, ties by docno desc — trec_eval). */
export interface Ranking {
  docnos: string[];
  scores: Float64Array;
}

/**
 * The settings that produced a metric value; stored with it so that no number is shown without them.
 * Extra keys (score precision, measure parameters) are kept too.
 */
export interface MetricSettings {
  /** trec_eval -l: the label from which a document counts as relevant for binary measures. */
  relevanceLevel: number;
  cutoff: number | null;
  /** Which queries the mean runs over, e.g. trec_eval's default (run ∩ qrels) or -c (all qrels queries). */
  averaging: string;
  /** trec_eval -M: ranking depth; null = unlimited. */
  depth: number | null;
  /** trec_eval -J: unjudged documents removed before measuring. */
  judgedOnly: boolean;
  qrelsHash: string;
  [extra: string]: string | number | boolean | null;
}

export interface MetricValue {
  /** null for the aggregate over queries. */
  queryId: string | null;
  measure: string;
  value: number;
  settings: MetricSettings;
}
