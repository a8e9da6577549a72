import { isAscii } from 'node:buffer';
import { inputError, WorkbenchError } from '../errors.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../io/lines.ts';
import { openChunks, parseSimpleDecimal, wideSpace } from './bytes.ts';
import { assertNoDuplicateDocnos, type Run, type RunQuery } from './run.ts';

export interface RunReaderOptions {
  /** Name shown in errors; defaults to the path. */
  displayName?: string;
  signal?: AbortSignal;
  /** Longest accepted line in bytes, as in readLines. */
  maxLineBytes?: number;
}

/**
 * Loads a TREC run file (`qid iter docno rank score tag`, plain or gzip) into parallel arrays per query.
 *
 * The same rules and messages as `readRun` in io/trec.ts (strict UTF-8, `#` comments only at the start of a
 * line, exactly six fields separated by what JavaScript's `\s` matches, finite score, rank column ignored),
 * plus trec_eval's refusal of a docno repeated within a query. It is a separate path because evaluation reads
 * runs of millions of lines: it scans the bytes of megabyte chunks directly, without a per-line string,
 * object or regex. The runid is the tag of the last line, as trec_eval keeps it.
 */
export async function loadRun(path: string, options: RunReaderOptions = {}): Promise<Run> {
  const file = options.displayName ?? path;
  const parser = new RunParser(file, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  // The partial line at the end of a chunk is carried over; only that line is copied, never the chunk.
  let carry: Buffer | null = null;
  for await (const chunk of openChunks(path, file)) {
    if (options.signal?.aborted) throw new WorkbenchError('CANCELLED', `${file}: reading cancelled`);
    let start = 0;
    if (carry) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        carry = Buffer.concat([carry, chunk]);
        parser.checkPartialLine(carry.length);
        continue;
      }
      parser.parse(Buffer.concat([carry, chunk.subarray(0, nl + 1)]));
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl >= start) parser.parse(chunk.subarray(start, lastNl + 1));
    const rest = Math.max(start, lastNl + 1);
    carry = rest < chunk.length ? Buffer.from(chunk.subarray(rest)) : null;
    if (carry) parser.checkPartialLine(carry.length);
  }
  if (carry) parser.parse(Buffer.concat([carry, NEWLINE]));
  return parser.finish();
}

const NEWLINE = Buffer.from('\n');

/** Parses chunks of whole lines; keeps per-query builders and the tag of the last line. */
class RunParser {
  private lineNo = 0;
  private readonly builders = new Map<string, Builder>();
  private current: Builder | null = null;
  private currentQid = '';
  private tag = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    private readonly file: string,
    private readonly maxLineBytes: number,
  ) {}

  checkPartialLine(bytes: number): void {
    if (bytes > this.maxLineBytes) throw tooLong(this.file, this.lineNo + 1, this.maxLineBytes);
  }

  /** `b` ends with a newline. Field positions are byte offsets; an ASCII chunk is also its own latin1 text. */
  parse(b: Buffer): void {
    const ascii = isAscii(b);
    if (!ascii) this.validateUtf8(b);
    const text = ascii ? b.toString('latin1', 0, b.length) : '';
    const end = b.length;
    let i = 0;
    if (this.lineNo === 0 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
    while (i < end) {
      this.lineNo++;
      const lineStart = i;
      // `#` starts a comment only at the very beginning of a line: docnos may contain `#`.
      if (b[i] === 35) {
        i = b.indexOf(10, i) + 1;
        continue;
      }
      let fields = 0;
      let q0 = 0;
      let q1 = 0;
      let d0 = 0;
      let d1 = 0;
      let s0 = 0;
      let s1 = 0;
      let t0 = 0;
      let t1 = 0;
      for (;;) {
        let c = b[i];
        for (;;) {
          if (c === 32 || c === 9 || c === 11 || c === 12 || c === 13) {
            c = b[++i];
            continue;
          }
          const wide = c >= 0xc2 ? wideSpace(b, i) : 0;
          if (wide === 0) break;
          i += wide;
          c = b[i];
        }
        if (c === 10) break;
        const f0 = i;
        for (;;) {
          if (c > 32 && c < 0xc2) c = b[++i];
          else if (c === 32 || (c >= 9 && c <= 13) || (c >= 0xc2 && wideSpace(b, i) > 0)) break;
          else c = b[++i];
        }
        if (fields === 0) {
          q0 = f0;
          q1 = i;
        } else if (fields === 2) {
          d0 = f0;
          d1 = i;
        } else if (fields === 4) {
          s0 = f0;
          s1 = i;
        } else if (fields === 5) {
          t0 = f0;
          t1 = i;
        }
        fields++;
      }
      if (i - lineStart > this.maxLineBytes) throw tooLong(this.file, this.lineNo, this.maxLineBytes);
      i++;
      if (fields === 0) continue;
      if (fields !== 6) {
        throw inputError(
          'INPUT_INVALID',
          { file: this.file, line: this.lineNo },
          `expected 6 fields "qid iter docno rank score tag", found ${fields}`,
          'Check the run file format',
        );
      }
      let score = parseSimpleDecimal(b, s0, s1);
      if (Number.isNaN(score)) score = Number(fieldText(b, text, s0, s1));
      if (!Number.isFinite(score)) {
        throw inputError(
          'INPUT_INVALID',
          { file: this.file, line: this.lineNo, field: 'score' },
          `score "${fieldText(b, text, s0, s1)}" is not a finite number`,
        );
      }
      let hash = 0x811c9dc5;
      for (let k = d0; k < d1; k++) hash = Math.imul(hash ^ b[k], 0x01000193);
      const builder = ascii
        ? this.builderForAscii(text, q0, q1)
        : this.builderFor(fieldText(b, text, q0, q1));
      builder.add(ascii ? text.slice(d0, d1) : fieldText(b, text, d0, d1), score, this.lineNo, hash);
      if (i >= end) this.tag = fieldText(b, text, t0, t1);
    }
  }

  /** Runs list a query's lines together, so the previous builder is almost always the right one. */
  private builderForAscii(text: string, q0: number, q1: number): Builder {
    const prev = this.currentQid;
    if (this.current !== null && prev.length === q1 - q0 && text.startsWith(prev, q0)) return this.current;
    return this.builderFor(text.slice(q0, q1));
  }

  private builderFor(qid: string): Builder {
    if (this.current !== null && qid === this.currentQid) return this.current;
    let builder = this.builders.get(qid);
    if (builder === undefined) {
      builder = new Builder();
      this.builders.set(qid, builder);
    }
    this.current = builder;
    this.currentQid = qid;
    return builder;
  }

  private validateUtf8(b: Buffer): void {
    try {
      this.decoder.decode(b);
    } catch {
      // Name the offending line, as readLines does.
      const probe = new TextDecoder('utf-8', { fatal: true });
      let line = this.lineNo;
      for (let start = 0; start < b.length; ) {
        const nl = b.indexOf(10, start);
        line++;
        try {
          probe.decode(b.subarray(start, nl));
        } catch {
          break;
        }
        start = nl + 1;
      }
      throw inputError(
        'INPUT_INVALID',
        { file: this.file, line },
        'invalid UTF-8',
        'Re-encode the file as UTF-8',
      );
    }
  }

  finish(): Run {
    if (this.builders.size === 0) {
      throw inputError(
        'INPUT_EMPTY',
        { file: this.file },
        'the run has no result lines',
        'Check the path and format',
      );
    }
    const queries = new Map<string, RunQuery>();
    for (const [qid, b] of this.builders) {
      const query: RunQuery = {
        docnos: b.docnos,
        // Views, not copies: at most half of each buffer is spare.
        scores: b.scores.subarray(0, b.size),
        lines: b.lines.subarray(0, b.size),
      };
      // Distinct hashes prove distinct docnos; equal ones (a duplicate or a rare collision) get the exact check.
      if (hasRepeatedHash(b.hashes.subarray(0, b.size))) assertNoDuplicateDocnos(qid, query, this.file);
      queries.set(qid, query);
    }
    return { runid: this.tag, queries };
  }
}

/** One query's entries in file order, grown in typed arrays (no per-line objects). */
class Builder {
  readonly docnos: string[] = [];
  scores = new Float64Array(64);
  lines = new Uint32Array(64);
  hashes = new Int32Array(64);
  size = 0;

  add(docno: string, score: number, line: number, hash: number): void {
    if (this.size === this.scores.length) {
      const n = this.size * 2;
      const scores = new Float64Array(n);
      const lines = new Uint32Array(n);
      const hashes = new Int32Array(n);
      scores.set(this.scores);
      lines.set(this.lines);
      hashes.set(this.hashes);
      this.scores = scores;
      this.lines = lines;
      this.hashes = hashes;
    }
    this.docnos.push(docno);
    this.scores[this.size] = score;
    this.lines[this.size] = line;
    this.hashes[this.size] = hash;
    this.size++;
  }
}

let probeTable = new Int32Array(1 << 12);

/**
 * Whether two entries share a hash, by linear probing in a reused table (O(n), no sort). Values are stored
 * as hash | 1 so that 0 marks an empty slot; the extra false positives only cost an exact check.
 */
function hasRepeatedHash(hashes: Int32Array): boolean {
  let size = 16;
  while (size < hashes.length * 2) size <<= 1;
  if (probeTable.length < size) probeTable = new Int32Array(size);
  const table = probeTable;
  const mask = size - 1;
  let repeated = false;
  for (let i = 0; i < hashes.length && !repeated; i++) {
    const v = hashes[i] | 1;
    let slot = Math.imul(v, 0x9e3779b1) >>> 0;
    for (;;) {
      slot &= mask;
      const held = table[slot];
      if (held === 0) {
        table[slot] = v;
        break;
      }
      if (held === v) {
        repeated = true;
        break;
      }
      slot++;
    }
  }
  table.fill(0, 0, size);
  return repeated;
}

/** A field's text: sliced from the chunk's latin1 view when the chunk is ASCII, else decoded from its bytes. */
function fieldText(b: Buffer, asciiText: string, start: number, end: number): string {
  return asciiText.length ? asciiText.slice(start, end) : b.toString('utf8', start, end);
}

function tooLong(file: string, line: number, maxLineBytes: number): WorkbenchError {
  return inputError(
    'INPUT_TOO_LARGE',
    { file, line },
    `line longer than ${maxLineBytes} bytes`,
    'Is this really a line-oriented file? Split the record or raise the limit',
  );
}
