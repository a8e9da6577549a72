import { inputError } from '../errors.ts';
import { type LineReaderOptions, readLines } from './lines.ts';

/** One judgment of a TREC qrels file (`qid iter docno rel`). A negative rel means unjudged (trec_eval). */
export interface QrelsLine {
  lineNo: number;
  qid: string;
  docno: string;
  rel: number;
}

/** One line of a TREC run file (`qid iter docno rank score tag`). */
export interface RunLine {
  lineNo: number;
  qid: string;
  docno: string;
  rank: number;
  score: number;
  tag: string;
}

const INT = /^[+-]?\d+$/;

function isSkippable(text: string): boolean {
  // `#` starts a comment only at the beginning of a line: docnos may contain `#`.
  return text.length === 0 || text.charCodeAt(0) === 35 /* # */ || text.trim().length === 0;
}

export async function* readQrels(path: string, options: LineReaderOptions = {}): AsyncGenerator<QrelsLine> {
  const file = options.displayName ?? path;
  for await (const { lineNo, text } of readLines(path, options)) {
    if (isSkippable(text)) continue;
    const f = text.trim().split(/\s+/);
    if (f.length !== 4) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo },
        `expected 4 fields "qid iter docno rel", found ${f.length}`,
        'Is this a qrels file? BEIR qrels (query-id corpus-id score with a header) import as a BEIR dataset',
      );
    }
    if (!INT.test(f[3])) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'rel' },
        `relevance label "${f[3]}" is not an integer`,
        'Labels are integers; negative means unjudged',
      );
    }
    yield { lineNo, qid: f[0], docno: f[2], rel: Number.parseInt(f[3], 10) };
  }
}

export async function* readRun(path: string, options: LineReaderOptions = {}): AsyncGenerator<RunLine> {
  const file = options.displayName ?? path;
  for await (const { lineNo, text } of readLines(path, options)) {
    if (isSkippable(text)) continue;
    const f = text.trim().split(/\s+/);
    if (f.length !== 6) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo },
        `expected 6 fields "qid iter docno rank score tag", found ${f.length}`,
        'Check the run file format',
      );
    }
    const score = Number(f[4]);
    if (!Number.isFinite(score) || f[4].length === 0) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'score' },
        `score "${f[4]}" is not a finite number`,
      );
    }
    // trec_eval reads the rank column but never uses it; keep it only for round-tripping.
    const rank = INT.test(f[3]) ? Number.parseInt(f[3], 10) : Number.NaN;
    yield { lineNo, qid: f[0], docno: f[2], rank, score, tag: f[5] };
  }
}

export function formatRunLine(qid: string, docno: string, rank: number, score: number, tag: string): string {
  return `${qid} Q0 ${docno} ${rank} ${score} ${tag}`;
}
