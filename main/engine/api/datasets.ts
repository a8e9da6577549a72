import { statSync } from 'node:fs';
import { z } from 'zod';
import {
  FORMATS,
  type FullTextIndexState,
  fullTextIndexState,
  type ImportPlan,
  importDataset,
  planImport,
  UNKNOWN_POLICIES,
} from '../datasets/index.ts';
import { WorkbenchError } from '../errors.ts';
import { readLines } from '../io/lines.ts';
import type { DatasetCard, DatasetFileRecord, DatasetRecord, QueryRecord } from '../store/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';
import { stagedProgress } from './progress.ts';

const path = z.string().min(1).max(4096);
const key = z.string().min(1).max(200);
export const datasetName = z.object({ name: z.string().min(1).max(200) }).strict();

/** The import wizard's fields: the CLI's `datasets import` options, one to one (datasets/plan.ts). */
export const ImportParamsSchema = z
  .object({
    path: path.optional(),
    format: z.enum(FORMATS as ['beir', 'trec', 'msmarco', 'jsonl']).optional(),
    name: z.string().min(1).max(200).optional(),
    split: z.string().min(1).max(200).optional(),
    topics: path.optional(),
    qrels: path.optional(),
    attachTo: z.string().min(1).max(200).optional(),
    idKey: key.optional(),
    titleKey: key.optional(),
    textKey: key.optional(),
    unknown: z.enum(UNKNOWN_POLICIES as ['keep', 'drop', 'error']).optional(),
    fullText: z.boolean().optional(),
  })
  .strict();

export interface PreviewFile {
  role: 'corpus' | 'queries' | 'qrels';
  path: string;
  split: string | null;
  /** Size on disk (compressed size for .gz files). */
  bytes: number;
  /** The first lines as read (gzip decompressed), each cut to PREVIEW_CHARS. */
  head: { lineNo: number; text: string }[];
}

export interface ImportPreview {
  name: string;
  format: DatasetRecord['format'];
  attachTo: string | null;
  sourcePath: string;
  /** Keys a JSONL corpus is read with; null keys are detected from the first record. */
  keys: { id: string | null; title: string | null; text: string | null } | null;
  fullText: boolean;
  unknown: ImportPlan['unknown'];
  files: PreviewFile[];
  /** Set when a dataset of this name exists and the import would be refused. */
  nameTaken: boolean;
}

export interface DatasetDetails {
  dataset: DatasetRecord;
  files: DatasetFileRecord[];
  splits: string[];
  /** Built, building (n of N documents indexed) or not built; BM25 uses it only when built. */
  fullTextIndex: FullTextIndexState;
  /** A few queries, to show what the dataset asks. */
  sampleQueries: QueryRecord[];
  /** The dataset card (Markdown) its import found, if any. */
  card: DatasetCard | null;
}

const PREVIEW_LINES = 5;
const PREVIEW_CHARS = 300;

async function head(file: string): Promise<PreviewFile['head']> {
  const out: PreviewFile['head'] = [];
  for await (const line of readLines(file)) {
    out.push({
      lineNo: line.lineNo,
      text: line.text.length > PREVIEW_CHARS ? `${line.text.slice(0, PREVIEW_CHARS)}…` : line.text,
    });
    if (out.length >= PREVIEW_LINES) break;
  }
  return out;
}

function planFiles(plan: ImportPlan): Omit<PreviewFile, 'bytes' | 'head'>[] {
  return [
    ...(plan.corpus ? [{ role: 'corpus' as const, path: plan.corpus.path, split: null }] : []),
    ...plan.queries.map((q) => ({ role: 'queries' as const, path: q.path, split: q.split })),
    ...plan.qrels.map((q) => ({ role: 'qrels' as const, path: q.path, split: q.split })),
  ];
}

export function datasetHandlers(ctx: ApiContext) {
  const { store, jobs } = ctx;
  return {
    list: handler(noInput, () => store.datasets.list()),
    show: handler(datasetName, ({ name }): DatasetDetails => {
      const dataset = store.datasets.require(name);
      return {
        dataset,
        files: store.datasets.files(dataset.id),
        splits: store.qrels.splits(dataset.id),
        fullTextIndex: fullTextIndexState(store, dataset),
        sampleQueries: store.queries.list(dataset.id).slice(0, 5),
        card: store.datasets.card(dataset.id) ?? null,
      };
    }),
    /** Format detection and the first lines of every file the import would read; nothing is written. */
    preview: handler(ImportParamsSchema, async (params): Promise<ImportPreview> => {
      const plan = planImport(params);
      const files: PreviewFile[] = [];
      for (const f of planFiles(plan))
        files.push({ ...f, bytes: statSync(f.path).size, head: await head(f.path) });
      const corpus = plan.corpus;
      return {
        name: plan.name,
        format: plan.format,
        attachTo: plan.attachTo,
        sourcePath: plan.sourcePath,
        keys: corpus?.kind === 'jsonl' ? { ...corpus.keys } : null,
        fullText: plan.fullText,
        unknown: plan.unknown,
        files,
        nameTaken: plan.attachTo === null && store.datasets.get(plan.name) !== undefined,
      };
    }),
    /**
     * Starts the import as a job; its progress counts decompressed bytes read (datasets/progress.ts), then,
     * in stage `index` after the commit, the documents put in the full-text index.
     */
    import: handler(ImportParamsSchema, (params): { jobId: string } => {
      const plan = planImport(params);
      if (plan.attachTo === null && store.datasets.get(plan.name)) {
        throw new WorkbenchError(
          'CONFLICT',
          `a dataset named "${plan.name}" exists: choose another name, attach to it, or delete it first`,
          { field: 'name', name: plan.name },
        );
      }
      const { id } = jobs.start('datasets:import', `import dataset ${plan.name}`, async (job) => {
        const report = stagedProgress(job);
        const r = await importDataset(store, plan, {
          signal: job.signal,
          onProgress: (p) =>
            report(
              p.stage === 'index'
                ? { done: p.indexed, total: p.documents, stage: p.stage }
                : { done: p.bytesRead, total: p.totalBytes, stage: p.stage },
            ),
        });
        return {
          dataset: r.dataset.name,
          attached: r.attached,
          documents: r.documents,
          queries: r.queries,
          judgments: r.judgments,
          elapsedMs: r.elapsedMs,
          fullText: r.fullText && { documents: r.fullText.documents, elapsedMs: r.fullText.elapsedMs },
        };
      });
      return { jobId: id };
    }),
    delete: handler(datasetName, ({ name }) => {
      store.datasets.require(name);
      return { deleted: store.datasets.delete(name) };
    }),
  };
}
