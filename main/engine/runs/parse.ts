import { isBlank, parseJsonLine } from '../datasets/index.ts';
import { inputError, WorkbenchError } from '../errors.ts';
import { readLines } from '../io/lines.ts';
import { readRun } from '../io/trec.ts';

export type RunFormat = 'trec' | 'jsonl';

/** One query's retrieved documents as read, in file order, with where each came from. */
export interface ParsedQuery {
  queryId: string;
  queryText: string | null;
  docnos: string[];
  scores: number[];
  /** Line of each document (TREC), or of the query's object (JSONL). */
  lines: number[];
  /** JSONL: the position in "items" of each document; empty for TREC. */
  items: number[];
}

export interface ParsedRun {
  format: RunFormat;
  /** Queries in order of first appearance. */
  queries: Map<string, ParsedQuery>;
  lines: number;
  tags: string[];
}

export interface ParseOptions {
  signal?: AbortSignal;
}

function cancelled(file: string): WorkbenchError {
  return new WorkbenchError('CANCELLED', `${file}: run import cancelled; nothing was stored`);
}

/** A TREC run (`qid Q0 docno rank score tag`); a query's lines need not be contiguous. */
export async function parseTrecRun(file: string, options: ParseOptions = {}): Promise<ParsedRun> {
  const queries = new Map<string, ParsedQuery>();
  const tags: string[] = [];
  let lines = 0;
  let current: ParsedQuery | undefined;
  for await (const line of readRun(file, { signal: options.signal, displayName: file })) {
    if (current === undefined || current.queryId !== line.qid) {
      current = queries.get(line.qid);
      if (!current) {
        current = { queryId: line.qid, queryText: null, docnos: [], scores: [], lines: [], items: [] };
        queries.set(line.qid, current);
      }
    }
    current.docnos.push(line.docno);
    current.scores.push(line.score);
    current.lines.push(line.lineNo);
    if (tags.length === 0 || (tags[tags.length - 1] !== line.tag && !tags.includes(line.tag)))
      tags.push(line.tag);
    lines++;
    if ((lines & 4095) === 0 && options.signal?.aborted) throw cancelled(file);
  }
  return { format: 'trec', queries, lines, tags };
}

function objectField(
  obj: Record<string, unknown>,
  key: string,
  file: string,
  lineNo: number,
): Record<string, unknown> {
  const v = obj[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: key },
      v === undefined
        ? `missing field "${key}"`
        : `expected an object, found ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`,
      'Each line is {"query":{"id","content"},"items":[{"id","content","score"}]}',
    );
  }
  return v as Record<string, unknown>;
}

function itemId(v: unknown, file: string, lineNo: number, field: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v !== 'string' || v.length === 0) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field },
      v === undefined ? 'missing document id' : `expected a non-empty string id, found ${JSON.stringify(v)}`,
    );
  }
  if (/\s/.test(v)) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field },
      `document id ${JSON.stringify(v)} contains whitespace`,
      'Such an id cannot be written to a TREC run or matched against qrels',
    );
  }
  return v;
}

/** The reference code's run JSONL: `{"query":{"id","content"},"items":[{"id","content","score"}]}` per line. */
export async function parseJsonlRun(file: string, options: ParseOptions = {}): Promise<ParsedRun> {
  const queries = new Map<string, ParsedQuery>();
  let lines = 0;
  for await (const { lineNo, text } of readLines(file, { signal: options.signal, displayName: file })) {
    if (isBlank(text)) continue;
    const obj = parseJsonLine(text, file, lineNo);
    const query = objectField(obj, 'query', file, lineNo);
    const queryId = itemId(query.id, file, lineNo, 'query.id');
    const content = query.content;
    if (content !== undefined && content !== null && typeof content !== 'string') {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'query.content' },
        `expected a string, found ${typeof content}`,
      );
    }
    const earlier = queries.get(queryId);
    if (earlier) {
      throw inputError(
        'INPUT_DUPLICATE',
        { file, line: lineNo, field: 'query.id' },
        `query "${queryId}" appears again — first at line ${earlier.lines[0]}`,
        'Each query must have one line holding all its items',
      );
    }
    const items = obj.items;
    if (!Array.isArray(items)) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'items' },
        items === undefined ? 'missing field "items"' : 'expected an array',
      );
    }
    const q: ParsedQuery = {
      queryId,
      queryText: typeof content === 'string' ? content : null,
      docnos: new Array(items.length),
      scores: new Array(items.length),
      lines: new Array(items.length).fill(lineNo),
      items: new Array(items.length),
    };
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as unknown;
      const field = `items[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw inputError(
          'INPUT_INVALID',
          { file, line: lineNo, field },
          'expected an object {"id","content","score"}',
        );
      }
      const rec = item as Record<string, unknown>;
      const docno = itemId(rec.id, file, lineNo, `${field}.id`);
      const score = rec.score;
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw inputError(
          'INPUT_INVALID',
          { file, line: lineNo, field: `${field}.score` },
          score === undefined
            ? 'missing field "score"'
            : `score ${JSON.stringify(score)} is not a finite number`,
        );
      }
      q.docnos[i] = docno;
      q.scores[i] = score;
      q.items[i] = i;
    }
    queries.set(queryId, q);
    lines += items.length;
    if (options.signal?.aborted) throw cancelled(file);
  }
  return { format: 'jsonl', queries, lines, tags: [] };
}
