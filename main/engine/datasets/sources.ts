/** What one import reads: resolved files, each with the reader that understands it. */

export interface JsonlKeys {
  /** null: detect from the first record (see detectKeys). */
  id: string | null;
  title: string | null;
  text: string | null;
}

export type CorpusSource =
  /** One JSON object per line (BEIR corpus.jsonl, the reference code's format, Pyserini's). */
  | { kind: 'jsonl'; path: string; keys: JsonlKeys }
  /** MS MARCO collection.tsv: `pid<TAB>text`. */
  | { kind: 'tsv'; path: string };

export type QueriesSource =
  | { kind: 'jsonl'; path: string; split: string | null; keys: JsonlKeys }
  /** TREC / MS MARCO topics: `qid<TAB>text`. */
  | { kind: 'tsv'; path: string; split: string | null };

export type QrelsSource =
  /** `qid iter docno rel`, whitespace separated (trec_eval). */
  | { kind: 'trec'; path: string; split: string | null }
  /** BEIR: `query-id<TAB>corpus-id<TAB>score` after a header line. */
  | { kind: 'beir'; path: string; split: string | null };

/** Key names tried, in order, when a JSONL key is not given. */
export const DOC_ID_KEYS = ['_id', 'id', 'docid', 'doc_id', 'pid'];
export const DOC_TEXT_KEYS = ['text', 'contents', 'content', 'body', 'passage'];
export const DOC_TITLE_KEYS = ['title'];
export const QUERY_ID_KEYS = ['_id', 'id', 'qid', 'query_id'];
export const QUERY_TEXT_KEYS = ['text', 'query', 'content', 'contents'];
