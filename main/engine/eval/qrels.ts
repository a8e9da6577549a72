import { inputError } from '../errors.ts';
import type { LineReaderOptions } from '../io/lines.ts';
import { readQrels } from '../io/trec.ts';

/**
 * Relevance judgments: qid → docno → label. A negative label means "in the pool but unjudged"
 * (trec_eval's RELVALUE_UNJUDGED): the document is neither relevant nor judged non-relevant.
 */
export type Qrels = Map<string, Map<string, number>>;

/**
 * Loads a TREC qrels file (`qid iter docno rel`, plain or gzip). trec_eval refuses a docno judged twice for
 * the same query ("duplicate docs"); so does this loader, naming both lines.
 */
export async function loadQrels(path: string, options: LineReaderOptions = {}): Promise<Qrels> {
  const file = options.displayName ?? path;
  const qrels: Qrels = new Map();
  const lineOf = new Map<string, Map<string, number>>();
  for await (const { lineNo, qid, docno, rel } of readQrels(path, options)) {
    let judged = qrels.get(qid);
    let lines = lineOf.get(qid);
    if (judged === undefined || lines === undefined) {
      judged = new Map();
      lines = new Map();
      qrels.set(qid, judged);
      lineOf.set(qid, lines);
    }
    const first = lines.get(docno);
    if (first !== undefined) {
      throw inputError(
        'INPUT_DUPLICATE',
        { file, line: lineNo, field: 'docno' },
        `docno "${docno}" is judged twice for query "${qid}" (lines ${first} and ${lineNo})`,
        'Keep one judgment per (query, docno); trec_eval refuses duplicate judgments too',
      );
    }
    lines.set(docno, lineNo);
    judged.set(docno, rel);
  }
  if (qrels.size === 0) {
    throw inputError('INPUT_EMPTY', { file }, 'the qrels file has no judgments', 'Check the path and format');
  }
  return qrels;
}
