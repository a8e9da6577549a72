import { compareBytewise } from '../eval/index.ts';
import { type DocumentsRepository, FTS_TOKENIZE } from '../store/index.ts';
import { checkTopK } from './exhaustive.ts';

/**
 * BM25, the lexical baseline, from the dataset's FTS5 index (store/documents.ts). FTS5's bm25() is
 * Robertson–Spärck Jones BM25 with k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5)/(n + 0.5)) floored at 10⁻⁶,
 * document length = tokens of title + text; it is not Lucene's (Anserini/Pyserini add 1 inside the log
 * and index fields differently), so its numbers are close to, not equal to, published BM25 runs.
 */
export const BM25_PARAMETERS = {
  implementation: 'SQLite FTS5 bm25()',
  k1: 1.2,
  b: 0.75,
  tokenizer: FTS_TOKENIZE,
  columns: ['title', 'text'],
  columnWeights: [1, 1],
  query: 'every query word as an FTS5 term, OR-ed (repeated words count again)',
} as const;

/** The FTS5 MATCH expression for a query text, or null when it has no word to search for. */
export function bm25Match(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  // Quoted, each word is a string token for FTS5: never an operator (AND, OR, NOT, NEAR) or a column filter.
  return words.map((w) => `"${w}"`).join(' OR ');
}

export interface LexicalRanking {
  docnos: string[];
  scores: Float64Array;
}

/**
 * The top k passages of a dataset for a query text, in trec_eval order. SQLite orders equal bm25 values
 * arbitrarily, so when the k-th score ties with the next one the query is widened until the tie is
 * complete, and the docno rule then picks which tied passages make the cut.
 */
export function bm25Search(
  documents: Pick<DocumentsRepository, 'searchFullText'>,
  datasetId: number,
  text: string,
  k: number,
): LexicalRanking {
  checkTopK(k, 'k');
  const match = bm25Match(text);
  if (match === null) return { docnos: [], scores: new Float64Array(0) };
  let limit = k + 16;
  let hits = documents.searchFullText(datasetId, match, limit);
  while (hits.length === limit && hits[limit - 1].score === hits[Math.min(k, hits.length) - 1].score) {
    limit *= 2;
    hits = documents.searchFullText(datasetId, match, limit);
  }
  hits.sort((a, b) => b.score - a.score || compareBytewise(b.docId, a.docId));
  const top = hits.slice(0, k);
  return { docnos: top.map((h) => h.docId), scores: Float64Array.from(top, (h) => h.score) };
}
