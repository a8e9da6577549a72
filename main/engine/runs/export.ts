import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { formatRunLine } from '../io/trec.ts';
import type { RunRecord, Store } from '../store/index.ts';
import type { RunFormat } from './parse.ts';

/** Buffers output and writes it in ~1 MB pieces to a temporary file renamed into place at the end. */
class AtomicWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly path: string) {
    this.tmp = `${path}.partial-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.parts.length) writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

export interface RunExportResult {
  path: string;
  queries: number;
  lines: number;
}

/** TREC tags are one whitespace-free token. */
function tagOf(run: RunRecord): string {
  return (run.tag ?? run.name).replace(/\s+/g, '_');
}

/**
 * Writes a stored run as a TREC run (`qid Q0 docno rank score tag`, ranks 1-based in trec_eval order,
 * scores as the shortest decimal that reads back as the same double) or as the reference code's JSONL
 * (query and passage texts filled in from the run, else from its dataset, else empty).
 */
export function exportRun(
  store: Store,
  run: RunRecord,
  outPath: string,
  format: RunFormat = 'trec',
): RunExportResult {
  const path = resolve(outPath);
  const out = new AtomicWriter(path);
  let queries = 0;
  let lines = 0;
  try {
    const datasetId = run.datasetId;
    if (format === 'trec') {
      const tag = tagOf(run);
      for (const r of store.runs.iterateResults(run.id)) {
        const chunk: string[] = [];
        for (let i = 0; i < r.docnos.length; i++) {
          const docno = r.docnos[i];
          if (/\s/.test(docno)) {
            throw new WorkbenchError(
              'INVALID_ARGUMENT',
              `run "${run.name}": document id ${JSON.stringify(docno)} (query ${r.queryId}) contains whitespace and cannot be written as a TREC run. Export with --format jsonl`,
              { field: 'format' },
            );
          }
          chunk.push(formatRunLine(r.queryId, docno, i + 1, r.scores[i], tag));
        }
        if (chunk.length) out.write(`${chunk.join('\n')}\n`);
        queries++;
        lines += r.docnos.length;
      }
    } else {
      for (const r of store.runs.iterateResults(run.id)) {
        const queryText =
          r.queryText ??
          (datasetId !== null ? store.queries.get(datasetId, r.queryId)?.text : undefined) ??
          '';
        const items = r.docnos.map((docno, i) => ({
          id: docno,
          content: datasetId !== null ? (store.documents.get(datasetId, docno)?.text ?? '') : '',
          score: r.scores[i],
        }));
        out.write(`${JSON.stringify({ query: { id: r.queryId, content: queryText }, items })}\n`);
        queries++;
        lines += r.docnos.length;
      }
    }
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
  return { path, queries, lines };
}
