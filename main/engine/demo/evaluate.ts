import {
  corpusArtifactDir,
  type EncodeTasks,
  encodeCorpus,
  encodeQueries,
  encodeWorkers,
  memoryCorpus,
  pooledEncoder,
  readEmbeddingMeta,
  readEmbeddings,
} from '../encode/index.ts';
import { type EvalSettings, evaluate, type Run, type RunEntry, runFromEntries } from '../eval/index.ts';
import { type ModelRuntime, openModel, readPackage } from '../models/index.ts';
import type { ThreadSettings } from '../onnx/index.ts';
import { QnetScorer, queryParams } from '../qnet/index.ts';
import { exhaustiveQnetSearch, FlatIndex, makeCorpus, type SearchHits } from '../search/index.ts';
import { enginePool, type WorkerPool } from '../workers/index.ts';
import type { BeirSplit } from './beir.ts';

/**
 * Exhaustive evaluation of a model package on a BEIR split through the engine's own path: corpus encoded by
 * `encodeCorpus` on the worker pool (default batching, so the embeddings are bit-identical to the
 * workbench's), queries by `encodeQueries`, bi-encoders ranked by the flat inner-product index, Hypencoders
 * by exhaustive q-net search, the run scored by the trec_eval-exact evaluator. The model cards' numbers come from here, and the
 * integration test reproduces them with the same call.
 */

/** The measures of the model cards: graded nDCG@10 (labels 2 and 1 as gains), own-card MRR@10 and R@100. */
export const DEMO_MEASURES = ['ndcg_cut.10', 'RR(rel=2)@10', 'R(rel=2)@100'] as const;
/** Ranking depth per query: enough for R@100. */
export const DEMO_DEPTH = 100;
/** Queries encoded per query-graph run. */
const QUERY_BATCH = 32;

export interface DemoMetrics {
  model: string;
  kind: 'biencoder' | 'hypencoder' | 'bm25';
  split: string;
  queries: number;
  documents: number;
  depth: number;
  /** Mean over the evaluated queries, by measure name as printed (e.g. `ndcg_cut_10`, `RR(rel=2)@10`). */
  measures: Record<string, number>;
  settings: EvalSettings;
}

export interface EvaluatePackageOptions {
  /** Folder for the corpus embedding artifact (re-used when it exists). */
  dataDir: string;
  /** Query encoding and search threads; the corpus is encoded on the pool with its own thread split. */
  threads?: ThreadSettings;
  /** Encodes the corpus; default: a pool of `encodeWorkers()` started for the call. */
  pool?: WorkerPool<EncodeTasks>;
  signal?: AbortSignal;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export function metricsOf(run: Run, split: BeirSplit, model: string, kind: DemoMetrics['kind']): DemoMetrics {
  // -c: every judged query counts (0 when a system returns nothing for it, as BM25 does for a query with no
  // indexed word), so all systems are averaged over the same queries.
  const evaluation = evaluate(split.qrels, run, [...DEMO_MEASURES], { complete: true });
  const measures: Record<string, number> = {};
  evaluation.columns.forEach((c, i) => {
    measures[c.name] = evaluation.summary[i];
  });
  return {
    model,
    kind,
    split: split.split,
    queries: evaluation.numQ,
    documents: split.documents.length,
    depth: DEMO_DEPTH,
    measures,
    settings: evaluation.settings,
  };
}

function entries(qid: string, hits: SearchHits, docnos: readonly string[], into: RunEntry[]): void {
  for (let r = 0; r < hits.docs.length; r++)
    into.push({ qid, docno: docnos[hits.docs[r]], score: hits.scores[r] });
}

/** Ranks every query of the split with the package; returns the run (depth DEMO_DEPTH). */
export async function rankWithPackage(
  packageDir: string,
  split: BeirSplit,
  options: EvaluatePackageOptions,
): Promise<{ run: Run; model: ModelRuntime['manifest'] }> {
  const pkg = readPackage(packageDir);
  const model = await openModel(pkg, { threads: options.threads });
  try {
    const source = memoryCorpus(split.documents);
    let dir = corpusArtifactDir({ dataDir: options.dataDir, model: pkg, corpus: source });
    // A finished artifact needs no workers: look for it before starting any.
    if (!readEmbeddingMeta(dir)) {
      const pool = options.pool ?? enginePool({ size: encodeWorkers() });
      try {
        const encoded = await encodeCorpus({
          dataDir: options.dataDir,
          encoder: pooledEncoder(pool, pkg),
          corpus: source,
          signal: options.signal,
          onProgress: (p) => options.onProgress?.('encode corpus', p.docsDone, p.docsTotal),
        });
        dir = encoded.dir;
      } finally {
        if (pool !== options.pool) await pool.close();
      }
    }
    const embeddings = readEmbeddings(dir);
    const corpus = makeCorpus({
      embeddings: embeddings.vectors,
      dim: embeddings.meta.dim,
      docnos: embeddings.ids,
      contentHash: embeddings.meta.key,
    });
    const run: RunEntry[] = [];
    const { manifest } = model;
    const flat =
      manifest.kind === 'biencoder'
        ? await FlatIndex.create(corpus, manifest.similarity ?? 'ip', options.threads)
        : undefined;
    const scorer =
      manifest.kind === 'hypencoder'
        ? await QnetScorer.create({ spec: manifest.qnet!, threads: options.threads })
        : undefined;
    try {
      for (let start = 0; start < split.queryIds.length; start += QUERY_BATCH) {
        const ids = split.queryIds.slice(start, start + QUERY_BATCH);
        const encoding = await encodeQueries(model, split.queryTexts.slice(start, start + QUERY_BATCH));
        if (encoding.kind === 'biencoder') {
          const hits = await flat!.searchBatch(encoding.embeddings, encoding.count, DEMO_DEPTH);
          for (let i = 0; i < hits.length; i++) entries(ids[i], hits[i], embeddings.ids, run);
        } else {
          for (let q = 0; q < encoding.count; q++) {
            const hits = await exhaustiveQnetSearch(
              scorer!,
              queryParams(encoding.spec, encoding.params, q),
              corpus,
              DEMO_DEPTH,
              { signal: options.signal },
            );
            entries(ids[q], hits, embeddings.ids, run);
          }
        }
        options.onProgress?.(
          'search',
          Math.min(start + QUERY_BATCH, split.queryIds.length),
          split.queryIds.length,
        );
      }
    } finally {
      await scorer?.dispose();
    }
    return { run: runFromEntries(manifest.name, run), model: manifest };
  } finally {
    await model.close();
  }
}

export async function evaluatePackage(
  packageDir: string,
  split: BeirSplit,
  options: EvaluatePackageOptions,
): Promise<DemoMetrics> {
  const { run, model } = await rankWithPackage(packageDir, split, options);
  return metricsOf(run, split, model.name, model.kind);
}
