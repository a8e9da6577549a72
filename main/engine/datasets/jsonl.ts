import { inputError } from '../errors.ts';

export type JsonRecord = Record<string, unknown>;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Parses one JSONL line into an object; a truncated or malformed line names file and line. */
export function parseJsonLine(text: string, file: string, lineNo: number): JsonRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    const detail = (err as Error).message.replace(/^JSON\.parse: /, '');
    const truncated = /end of (JSON )?(data|input)|Unterminated/i.test(detail);
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo },
      `${truncated ? 'truncated' : 'invalid'} JSON (${detail})`,
      truncated
        ? 'The line ends before its object closes: was the file cut off while copying? Re-export or re-download it'
        : 'Each line must hold one JSON object',
    );
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo },
      `expected a JSON object, found ${typeName(v)}`,
      'Each line must hold one JSON object',
    );
  }
  return v as JsonRecord;
}

/**
 * An identifier field: a non-empty string, or an integer (MS MARCO-style numeric ids exported as numbers),
 * kept as its decimal text so that it matches qrels and run files.
 */
export function idField(obj: JsonRecord, key: string, file: string, lineNo: number): string {
  const v = obj[key];
  if (typeof v === 'string') {
    if (v.length === 0)
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: key },
        'empty id',
        'Every record needs a non-empty id',
      );
    if (/[\s]/.test(v)) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: key },
        `id ${JSON.stringify(v)} contains whitespace`,
        'TREC qrels and run files separate fields by whitespace, so such an id could never be judged or exported',
      );
    }
    return v;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (v === undefined) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: key },
      `missing field "${key}"`,
      `Every record needs "${key}"; choose another key with --id-key`,
    );
  }
  throw inputError(
    'INPUT_INVALID',
    { file, line: lineNo, field: key },
    `expected a string id, found ${typeName(v)}`,
    'Ids must be strings (or integers)',
  );
}

/** A required text field. */
export function textField(
  obj: JsonRecord,
  key: string,
  file: string,
  lineNo: number,
  option = '--text-key',
): string {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (v === undefined) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: lineNo, field: key },
      `missing field "${key}"`,
      `Every record needs "${key}"; choose another key with ${option}`,
    );
  }
  throw inputError(
    'INPUT_INVALID',
    { file, line: lineNo, field: key },
    `expected a string, found ${typeName(v)}`,
  );
}

/** An optional text field: absent or null reads as ''. */
export function optionalTextField(obj: JsonRecord, key: string | null, file: string, lineNo: number): string {
  if (key === null) return '';
  const v = obj[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  throw inputError(
    'INPUT_INVALID',
    { file, line: lineNo, field: key },
    `expected a string, found ${typeName(v)}`,
  );
}

/** True for lines holding only whitespace (trailing blank lines are common in exported JSONL). */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 32) return false;
  return true;
}
