import { inputError } from '../errors.ts';
import { readLines } from '../io/lines.ts';
import { readQrels } from '../io/trec.ts';
import { idField, isBlank, type JsonRecord, optionalTextField, parseJsonLine, textField } from './jsonl.ts';
import type { CorpusSource, JsonlKeys, QrelsSource, QueriesSource } from './sources.ts';
import { DOC_ID_KEYS, DOC_TEXT_KEYS, DOC_TITLE_KEYS, QUERY_ID_KEYS, QUERY_TEXT_KEYS } from './sources.ts';

/** Called per record; plain arguments, no per-record object (a corpus has millions of lines). */
export type DocumentSink = (docId: string, title: string, text: string, lineNo: number) => void;
export type QuerySink = (queryId: string, text: string, lineNo: number) => void;
export type JudgmentSink = (queryId: string, docId: string, rel: number, lineNo: number) => void;

export interface ReadOptions {
  signal?: AbortSignal;
  /** Approximate bytes consumed, per line (UTF-16 length + newline), for progress. */
  onBytes?: (bytes: number) => void;
  /** JSONL: told the keys once they are known (from the first record). */
  onKeys?: (keys: ResolvedKeys) => void;
}

export interface ResolvedKeys {
  id: string;
  title: string | null;
  text: string;
}

function pick(obj: JsonRecord, given: string | null, candidates: string[]): string | null {
  if (given !== null) return given;
  return candidates.find((k) => k in obj) ?? null;
}

/**
 * The keys a JSONL file is read with: the given ones, else the first candidate present in the first
 * record. Every later record must then carry them (no per-line guessing).
 */
export function detectKeys(
  first: JsonRecord,
  keys: JsonlKeys,
  kind: 'document' | 'query',
  file: string,
  lineNo: number,
): ResolvedKeys {
  const idKeys = kind === 'document' ? DOC_ID_KEYS : QUERY_ID_KEYS;
  const textKeys = kind === 'document' ? DOC_TEXT_KEYS : QUERY_TEXT_KEYS;
  const id = pick(first, keys.id, idKeys);
  if (id === null) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: idKeys[0] },
      `no id field (looked for ${idKeys.map((k) => `"${k}"`).join(', ')})`,
      'Name the id key with --id-key',
    );
  }
  const text = pick(first, keys.text, textKeys);
  if (text === null) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: textKeys[0] },
      `no text field (looked for ${textKeys.map((k) => `"${k}"`).join(', ')})`,
      'Name the text key with --text-key',
    );
  }
  const title = kind === 'document' ? pick(first, keys.title, DOC_TITLE_KEYS) : null;
  return { id, title, text };
}

function readOptions(path: string, options: ReadOptions) {
  return { signal: options.signal, displayName: path };
}

function tsvPair(text: string, file: string, lineNo: number, what: 'pid' | 'qid'): [string, string] {
  const tab = text.indexOf('\t');
  if (tab <= 0) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: tab === 0 ? what : 'text' },
      tab === 0 ? `empty ${what}` : `expected "${what}<TAB>text", found no tab`,
      'Topics and MS MARCO collections are tab-separated: id, a tab, then the text',
    );
  }
  const id = text.slice(0, tab).trim();
  if (id.length === 0) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: what },
      `empty ${what}`,
      'Every line needs an id',
    );
  }
  return [id, text.slice(tab + 1)];
}

/** Streams a corpus file; returns the keys used (JSONL) and the number of documents read. */
export async function readCorpus(
  source: CorpusSource,
  sink: DocumentSink,
  options: ReadOptions = {},
): Promise<{ documents: number; keys: ResolvedKeys | null; lastLine: number }> {
  const file = source.path;
  const onBytes = options.onBytes;
  let documents = 0;
  let lastLine = 0;
  if (source.kind === 'tsv') {
    for await (const { lineNo, text } of readLines(file, readOptions(file, options))) {
      lastLine = lineNo;
      onBytes?.(text.length + 1);
      if (isBlank(text)) continue;
      const [pid, body] = tsvPair(text, file, lineNo, 'pid');
      sink(pid, '', body, lineNo);
      documents++;
    }
    return { documents, keys: null, lastLine };
  }
  let keys: ResolvedKeys | null = null;
  for await (const { lineNo, text } of readLines(file, readOptions(file, options))) {
    lastLine = lineNo;
    onBytes?.(text.length + 1);
    if (isBlank(text)) continue;
    const obj = parseJsonLine(text, file, lineNo);
    if (keys === null) {
      keys = detectKeys(obj, source.keys, 'document', file, lineNo);
      options.onKeys?.(keys);
    }
    const docId = idField(obj, keys.id, file, lineNo);
    const body = textField(obj, keys.text, file, lineNo);
    sink(docId, optionalTextField(obj, keys.title, file, lineNo), body, lineNo);
    documents++;
  }
  return { documents, keys, lastLine };
}

export async function readQueries(
  source: QueriesSource,
  sink: QuerySink,
  options: ReadOptions = {},
): Promise<{ queries: number; lastLine: number }> {
  const file = source.path;
  const onBytes = options.onBytes;
  let queries = 0;
  let lastLine = 0;
  let keys: ResolvedKeys | null = null;
  for await (const { lineNo, text } of readLines(file, readOptions(file, options))) {
    lastLine = lineNo;
    onBytes?.(text.length + 1);
    if (isBlank(text)) continue;
    if (source.kind === 'tsv') {
      const [qid, body] = tsvPair(text, file, lineNo, 'qid');
      sink(qid, body, lineNo);
    } else {
      const obj = parseJsonLine(text, file, lineNo);
      keys ??= detectKeys(obj, source.keys, 'query', file, lineNo);
      sink(idField(obj, keys.id, file, lineNo), textField(obj, keys.text, file, lineNo), lineNo);
    }
    queries++;
  }
  return { queries, lastLine };
}

const INT = /^[+-]?\d+$/;

/** BEIR qrels: a `query-id corpus-id score` header, then tab-separated triples with integer scores. */
async function readBeirQrels(path: string, sink: JudgmentSink, options: ReadOptions): Promise<number> {
  let n = 0;
  let sawHeader = false;
  const onBytes = options.onBytes;
  for await (const { lineNo, text } of readLines(path, readOptions(path, options))) {
    onBytes?.(text.length + 1);
    if (isBlank(text)) continue;
    const f = text.trim().split(/\s+/);
    if (!sawHeader) {
      sawHeader = true;
      if (f.length === 3 && !INT.test(f[2])) continue; // the header line
    }
    if (f.length !== 3) {
      throw inputError(
        'INPUT_INVALID',
        { file: path, line: lineNo },
        `expected 3 fields "query-id corpus-id score", found ${f.length}`,
        f.length === 4
          ? 'This looks like TREC qrels (qid iter docno rel): import it with --qrels'
          : 'Check the BEIR qrels file',
      );
    }
    if (!INT.test(f[2])) {
      throw inputError(
        'INPUT_INVALID',
        { file: path, line: lineNo, field: 'score' },
        `relevance label "${f[2]}" is not an integer`,
        'Labels are integers; negative means unjudged',
      );
    }
    sink(f[0], f[1], Number.parseInt(f[2], 10), lineNo);
    n++;
  }
  return n;
}

/** Streams judgments of either qrels format; returns how many were read. */
export async function readJudgments(
  source: QrelsSource,
  sink: JudgmentSink,
  options: ReadOptions = {},
): Promise<number> {
  if (source.kind === 'beir') return readBeirQrels(source.path, sink, options);
  let n = 0;
  const onBytes = options.onBytes;
  for await (const q of readQrels(source.path, { signal: options.signal, displayName: source.path })) {
    onBytes?.(q.qid.length + q.docno.length + 8);
    sink(q.qid, q.docno, q.rel, q.lineNo);
    n++;
  }
  return n;
}
