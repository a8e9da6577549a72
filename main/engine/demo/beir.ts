import { join } from 'node:path';
import type { CorpusDocument } from '../encode/index.ts';
import { inputError } from '../errors.ts';
import type { Qrels } from '../eval/index.ts';
import { readLines } from '../io/lines.ts';

/**
 * A small reader for the demo's own BEIR folder (what buildWordnetDemo writes), for scripts and tests that
 * evaluate models on it without importing it into a store. Datasets users bring go through the datasets
 * capability's importer, which handles every variant of the format; this reads exactly the demo's files.
 */

export interface BeirSplit {
  split: string;
  /** All cards, in corpus.jsonl order. */
  documents: CorpusDocument[];
  /** The split's judged queries, in queries.jsonl order. */
  queryIds: string[];
  queryTexts: string[];
  qrels: Qrels;
}

async function readJsonl(
  path: string,
  each: (record: Record<string, unknown>, line: number) => void,
): Promise<void> {
  for await (const { lineNo, text } of readLines(path)) {
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      throw inputError(
        'INPUT_INVALID',
        { file: path, line: lineNo },
        `not valid JSON (${(err as Error).message})`,
        'Rebuild the demo dataset',
      );
    }
    each(record as Record<string, unknown>, lineNo);
  }
}

function field(record: Record<string, unknown>, key: string, file: string, line: number): string {
  const v = record[key];
  if (typeof v !== 'string')
    throw inputError(
      'INPUT_INVALID',
      { file, line, field: key },
      `"${key}" must be a string`,
      'Rebuild the demo dataset',
    );
  return v;
}

export async function readBeirSplit(dir: string, split: string): Promise<BeirSplit> {
  const qrelsFile = join(dir, 'qrels', `${split}.tsv`);
  const qrels: Qrels = new Map();
  for await (const { lineNo, text } of readLines(qrelsFile)) {
    if (lineNo === 1 || text === '') continue; // header: query-id corpus-id score
    const [qid, docno, label] = text.split('\t');
    const rel = Number(label);
    if (!qid || !docno || !Number.isInteger(rel)) {
      throw inputError(
        'INPUT_INVALID',
        { file: qrelsFile, line: lineNo },
        'expected query-id<TAB>corpus-id<TAB>integer score',
        'Rebuild the demo dataset',
      );
    }
    let judged = qrels.get(qid);
    if (!judged) {
      judged = new Map();
      qrels.set(qid, judged);
    }
    judged.set(docno, rel);
  }
  const documents: CorpusDocument[] = [];
  const corpusFile = join(dir, 'corpus.jsonl');
  await readJsonl(corpusFile, (r, line) => {
    documents.push({
      docId: field(r, '_id', corpusFile, line),
      title: field(r, 'title', corpusFile, line),
      text: field(r, 'text', corpusFile, line),
    });
  });
  const queryIds: string[] = [];
  const queryTexts: string[] = [];
  const queriesFile = join(dir, 'queries.jsonl');
  await readJsonl(queriesFile, (r, line) => {
    const id = field(r, '_id', queriesFile, line);
    if (!qrels.has(id)) return;
    queryIds.push(id);
    queryTexts.push(field(r, 'text', queriesFile, line));
  });
  return { split, documents, queryIds, queryTexts, qrels };
}

/** The same split restricted to some queries (in the given order); documents and their judgments stay. */
export function selectQueries(split: BeirSplit, ids: readonly string[]): BeirSplit {
  const text = new Map(split.queryIds.map((id, i) => [id, split.queryTexts[i]]));
  const qrels: Qrels = new Map();
  for (const id of ids) {
    const judged = split.qrels.get(id);
    if (judged) qrels.set(id, judged);
  }
  return { ...split, queryIds: [...ids], queryTexts: ids.map((id) => text.get(id) ?? ''), qrels };
}

/**
 * A documented deterministic part of a split, small enough for a test: its first `queries` queries (file
 * order) over the first `documents` cards (corpus order) plus every card judged for those queries, in
 * corpus order. Metrics on it differ from the full split's, so they are recorded separately.
 */
export function splitPart(split: BeirSplit, queries: number, documents: number): BeirSplit {
  const part = selectQueries(split, split.queryIds.slice(0, queries));
  const judged = new Set<string>();
  for (const docs of part.qrels.values()) for (const d of docs.keys()) judged.add(d);
  return { ...part, documents: split.documents.filter((d, i) => i < documents || judged.has(d.docId)) };
}
