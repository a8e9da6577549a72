/**
 * Errors cross every boundary (CLI, IPC, HTTP) as data: a closed code, a message that says what was
 * wrong, where and what to do, and optional details (file, line, field) the UI can show or branch on.
 */
export type ErrorCode =
  | 'INPUT_INVALID' // malformed input file: bad UTF-8, bad JSON, missing field, bad number
  | 'INPUT_DUPLICATE' // duplicate id in a corpus, topics or a run
  | 'INPUT_EMPTY' // a file with nothing to import
  | 'INPUT_TOO_LARGE' // a line longer than the reader accepts
  | 'NOT_FOUND' // a dataset, run, model or file that does not exist
  | 'CONFLICT' // a name already taken
  | 'INVALID_ARGUMENT' // a bad option or parameter
  | 'CANCELLED'
  | 'UNAUTHORIZED' // browser mode: a request without the token, from another origin or for another host
  | 'UNAVAILABLE' // a capability this machine lacks (Electron binary, GPU provider)
  | 'WORKER_CRASHED' // a worker thread died while running a task; it has been replaced
  | 'INTERNAL';

export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: ErrorLocation & Record<string, unknown>;
}

export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly details: (ErrorLocation & Record<string, unknown>) | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorLocation & Record<string, unknown>) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    this.details = details;
  }

  toData(): ErrorData {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** An error about one place in an input file; the message starts with `file:line` like a compiler's. */
export function inputError(
  code: ErrorCode,
  where: ErrorLocation,
  problem: string,
  hint?: string,
): WorkbenchError {
  const at = where.file ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}` : '';
  const field = where.field ? ` (field "${where.field}")` : '';
  const text = `${at ? `${at}: ` : ''}${problem}${field}${hint ? `. ${hint}` : ''}`;
  return new WorkbenchError(code, text, { ...where });
}

export function toErrorData(err: unknown): ErrorData {
  if (err instanceof WorkbenchError) return err.toData();
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
