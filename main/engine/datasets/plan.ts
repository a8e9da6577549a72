import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import type { DatasetFormat, UnknownQrelsPolicy } from '../store/index.ts';
import type { CorpusSource, JsonlKeys, QrelsSource, QueriesSource } from './sources.ts';

/** What a user asks for (the CLI options and the UI form map onto this one to one). */
export interface ImportParams {
  /** A BEIR or MS MARCO folder, a TREC folder (topics.tsv + qrels.txt), or a corpus file. */
  path?: string;
  /** Overrides detection from the path. */
  format?: DatasetFormat;
  name?: string;
  /** Split of the topics/qrels given; for BEIR and MS MARCO folders, imports only that split's files. */
  split?: string;
  topics?: string;
  qrels?: string;
  /** Adds topics and qrels to an existing dataset (e.g. TREC DL topics to an MS MARCO corpus). */
  attachTo?: string;
  idKey?: string;
  titleKey?: string;
  textKey?: string;
  unknown?: UnknownQrelsPolicy;
  /**
   * Build the FTS5 index of the passages right after the import commits (default true), as a step of its
   * own. Porter-stemmed indexing costs more than the rest of a corpus import together; without it,
   * `buildFullTextIndex` (`datasets index`) adds it later, and BM25 builds it when it first needs it.
   */
  fullText?: boolean;
}

export interface ImportPlan {
  name: string;
  format: DatasetFormat;
  /** Set when the import adds to an existing dataset instead of creating one. */
  attachTo: string | null;
  sourcePath: string;
  corpus: CorpusSource | null;
  queries: QueriesSource[];
  qrels: QrelsSource[];
  unknown: UnknownQrelsPolicy;
  fullText: boolean;
}

export const FORMATS: readonly DatasetFormat[] = ['beir', 'trec', 'msmarco', 'jsonl'];
export const UNKNOWN_POLICIES: readonly UnknownQrelsPolicy[] = ['keep', 'drop', 'error'];

function badArgument(message: string, field: string): WorkbenchError {
  return new WorkbenchError('INVALID_ARGUMENT', message, { field });
}

/** `name`, `name.gz`: whichever exists in the folder. */
function findFile(dir: string, ...names: string[]): string | null {
  for (const n of names) {
    for (const candidate of [join(dir, n), join(dir, `${n}.gz`)]) if (existsSync(candidate)) return candidate;
  }
  return null;
}

function stripExtensions(file: string): string {
  return basename(file)
    .replace(/\.gz$/i, '')
    .replace(/\.(jsonl|json|tsv|txt|trec|qrels|run)$/i, '');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw new WorkbenchError('NOT_FOUND', `${path}: no such file or folder. Check the path`, { file: path });
  }
}

function requireFile(path: string, field: string): string {
  try {
    if (!statSync(path).isFile()) throw badArgument(`${path}: is not a file`, field);
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    throw new WorkbenchError('NOT_FOUND', `${path}: no such file. Check the ${field} path`, {
      file: path,
      field,
    });
  }
  return path;
}

function detectFormat(path: string): DatasetFormat {
  if (isDirectory(path)) {
    if (findFile(path, 'corpus.jsonl')) return 'beir';
    if (findFile(path, 'collection.tsv')) return 'msmarco';
    if (findFile(path, 'topics.tsv', 'qrels.txt')) return 'trec';
    throw badArgument(
      `${path}: cannot tell the dataset format: expected corpus.jsonl (BEIR), collection.tsv (MS MARCO) or ` +
        'topics.tsv + qrels.txt (TREC). Pass --format',
      'format',
    );
  }
  const name = basename(path).toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.jsonl') || name.endsWith('.json')) return 'jsonl';
  if (name.endsWith('.tsv')) return 'msmarco';
  throw badArgument(
    `${path}: cannot tell the format from the file name. Pass --format jsonl or --format msmarco`,
    'format',
  );
}

/** Files named `<prefix>.<split>.tsv[.gz]` in a folder, e.g. MS MARCO's queries.dev.small.tsv → dev.small. */
function splitFiles(dir: string, prefix: string): { path: string; split: string }[] {
  const re = new RegExp(`^${prefix}\\.(.+)\\.tsv(\\.gz)?$`);
  return readdirSync(dir)
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ path: join(dir, x.f), split: x.m![1] }))
    .sort((a, b) => (a.split < b.split ? -1 : a.split > b.split ? 1 : 0));
}

function validateName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > 200 || /[\p{Cc}]/u.test(n)) {
    throw badArgument(
      `dataset name ${JSON.stringify(name)} is not usable: give 1–200 printable characters with --name`,
      'name',
    );
  }
  return n;
}

/**
 * Turns a request into the concrete files to read. Detection: a folder with corpus.jsonl is BEIR, with
 * collection.tsv MS MARCO, with topics.tsv/qrels.txt TREC; a .jsonl file is a generic JSONL corpus and a
 * .tsv file an MS MARCO collection. --topics/--qrels add TREC topics and qrels to any of them.
 */
export function planImport(params: ImportParams): ImportPlan {
  const split = params.split?.trim() || null;
  const keys: JsonlKeys = {
    id: params.idKey ?? null,
    title: params.titleKey ?? null,
    text: params.textKey ?? null,
  };
  const unknown = params.unknown ?? 'keep';
  if (!UNKNOWN_POLICIES.includes(unknown)) {
    throw badArgument(`--unknown must be one of ${UNKNOWN_POLICIES.join(', ')}, not "${unknown}"`, 'unknown');
  }
  if (params.format !== undefined && !FORMATS.includes(params.format)) {
    throw badArgument(`--format must be one of ${FORMATS.join(', ')}, not "${params.format}"`, 'format');
  }
  const path = params.path ? resolve(params.path) : null;
  let format: DatasetFormat = params.format ?? (path ? detectFormat(path) : 'trec');
  let corpus: CorpusSource | null = null;
  const queries: QueriesSource[] = [];
  const qrels: QrelsSource[] = [];

  if (path) {
    const dir = isDirectory(path);
    if (format === 'beir') {
      if (!dir)
        throw badArgument(
          `${path}: a BEIR dataset is a folder (corpus.jsonl, queries.jsonl, qrels/)`,
          'path',
        );
      const c = findFile(path, 'corpus.jsonl');
      if (c) corpus = { kind: 'jsonl', path: c, keys: { id: '_id', title: 'title', text: 'text' } };
      const q = findFile(path, 'queries.jsonl');
      if (q)
        queries.push({ kind: 'jsonl', path: q, split: null, keys: { id: '_id', title: null, text: 'text' } });
      const qrelsDir = join(path, 'qrels');
      if (existsSync(qrelsDir)) {
        for (const f of readdirSync(qrelsDir).sort()) {
          const m = /^(.+)\.tsv(\.gz)?$/.exec(f);
          if (m && (split === null || m[1] === split))
            qrels.push({ kind: 'beir', path: join(qrelsDir, f), split: m[1] });
        }
        if (split !== null && qrels.length === 0) {
          throw badArgument(`${qrelsDir}: no qrels for split "${split}" (expected ${split}.tsv)`, 'split');
        }
      }
    } else if (format === 'msmarco') {
      if (dir) {
        const c = findFile(path, 'collection.tsv');
        if (c) corpus = { kind: 'tsv', path: c };
        for (const q of splitFiles(path, 'queries')) {
          if (split === null || q.split === split)
            queries.push({ kind: 'tsv', path: q.path, split: q.split });
        }
        for (const q of splitFiles(path, 'qrels')) {
          if (split === null || q.split === split) qrels.push({ kind: 'trec', path: q.path, split: q.split });
        }
      } else {
        corpus = { kind: 'tsv', path: requireFile(path, 'path') };
      }
    } else if (format === 'jsonl') {
      if (dir) throw badArgument(`${path}: --format jsonl takes a corpus file, not a folder`, 'path');
      corpus = { kind: 'jsonl', path, keys };
    } else {
      if (!dir)
        throw badArgument(
          `${path}: a TREC dataset is a folder (topics.tsv, qrels.txt) or --topics/--qrels`,
          'path',
        );
      const t = findFile(path, 'topics.tsv');
      if (t) queries.push({ kind: 'tsv', path: t, split });
      const q = findFile(path, 'qrels.txt');
      if (q) qrels.push({ kind: 'trec', path: q, split });
    }
  }
  if (params.topics) {
    const t = resolve(requireFile(params.topics, 'topics'));
    const jsonl = /\.jsonl?(\.gz)?$/i.test(t);
    queries.push(
      jsonl
        ? { kind: 'jsonl', path: t, split, keys: { id: null, title: null, text: null } }
        : { kind: 'tsv', path: t, split },
    );
  }
  if (params.qrels) qrels.push({ kind: 'trec', path: resolve(requireFile(params.qrels, 'qrels')), split });

  const attachTo = params.attachTo?.trim() || null;
  if (attachTo !== null && corpus !== null) {
    throw badArgument(
      '--attach-to adds topics and qrels to an existing dataset; a corpus cannot be attached',
      'attachTo',
    );
  }
  if (corpus === null && queries.length === 0 && qrels.length === 0) {
    throw badArgument('nothing to import: give a dataset folder or file, or --topics/--qrels', 'path');
  }
  if (!path && params.format === undefined) format = 'trec';

  if (attachTo !== null && params.name !== undefined && params.name.trim() !== attachTo) {
    throw badArgument(
      `--name "${params.name}" and --attach-to "${attachTo}" disagree: give only --attach-to`,
      'name',
    );
  }
  let name = attachTo ?? params.name ?? null;
  if (name === null) {
    if (path) name = stripExtensions(path);
    else {
      const first = params.topics ?? params.qrels!;
      name = basename(dirname(resolve(first)));
    }
  }
  const sourcePath = path ?? resolve(params.topics ?? params.qrels!);
  const fullText = params.fullText ?? true;
  return {
    name: validateName(name),
    format,
    attachTo,
    sourcePath,
    corpus,
    queries,
    qrels,
    unknown,
    fullText,
  };
}
