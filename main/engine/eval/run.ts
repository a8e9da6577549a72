import { inputError, WorkbenchError } from '../errors.ts';

/**
 * One query's retrieved documents in input order, as parallel arrays (no per-document objects).
 * `lines` holds the 1-based source line of each entry when the run came from a file.
 */
export interface RunQuery {
  docnos: string[];
  scores: Float64Array;
  lines?: Uint32Array;
}

/** A retrieval run: its tag (trec_eval's runid, taken from the last line) and the documents per query. */
export interface Run {
  runid: string;
  queries: Map<string, RunQuery>;
}

export interface RunEntry {
  qid: string;
  docno: string;
  score: number;
}

/**
 * Builds a run from in-memory results (search output, tests). Checks what trec_eval checks: finite scores and
 * no docno twice for one query.
 */
export function runFromEntries(runid: string, entries: Iterable<RunEntry>): Run {
  const grouped = new Map<string, { docnos: string[]; scores: number[] }>();
  for (const { qid, docno, score } of entries) {
    if (!Number.isFinite(score)) {
      throw new WorkbenchError('INVALID_ARGUMENT', `score of "${docno}" for query "${qid}" is not finite`);
    }
    let g = grouped.get(qid);
    if (g === undefined) {
      g = { docnos: [], scores: [] };
      grouped.set(qid, g);
    }
    g.docnos.push(docno);
    g.scores.push(score);
  }
  const queries = new Map<string, RunQuery>();
  for (const [qid, g] of grouped) {
    const query: RunQuery = { docnos: g.docnos, scores: Float64Array.from(g.scores) };
    assertNoDuplicateDocnos(qid, query);
    queries.set(qid, query);
  }
  return { runid, queries };
}

/**
 * trec_eval stops with "duplicate docs" when a ranking names a document twice: the rank it should get is
 * undefined. Reports both occurrences (with file lines when known).
 */
export function assertNoDuplicateDocnos(qid: string, query: RunQuery, file?: string): void {
  const seen = new Set<string>();
  const { docnos } = query;
  for (let i = 0; i < docnos.length; i++) {
    const d = docnos[i];
    if (seen.size === seen.add(d).size) {
      const first = docnos.indexOf(d);
      const lines = query.lines;
      const where = lines ? `lines ${lines[first]} and ${lines[i]}` : `entries ${first + 1} and ${i + 1}`;
      throw inputError(
        'INPUT_DUPLICATE',
        { file, line: lines ? lines[i] : undefined, field: 'docno' },
        `docno "${d}" appears twice for query "${qid}" (${where})`,
        'Keep one line per (query, docno); trec_eval refuses duplicate documents in a ranking',
      );
    }
  }
}
