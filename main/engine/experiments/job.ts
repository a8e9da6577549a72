import { ensureFullTextIndex } from '../datasets/index.ts';
import type { PipelineSpec } from '../latency/index.ts';
import {
  type BuildProgress,
  checkGraphSearchParams,
  DEFAULT_GRAPH_SEARCH,
  docnoIndex,
  GraphArtifacts,
  type GraphBuildOptions,
  type GraphSearchParams,
  rerankCandidates,
  resolvePreset,
  type SearchRequest,
} from '../search/index.ts';
import type { DatasetRecord, JsonObject, Store } from '../store/index.ts';
import type { ExperimentConfig } from './config.ts';
import type { GridPoint } from './plan.ts';
import type { QuerySet } from './query-sets.ts';
import type { ExperimentResources } from './resources.ts';

/**
 * One job turned into what main/engine/search runs (a `SearchRequest`) and, when a latency profile is asked
 * for, the pipeline main/engine/latency times — both from the same inputs, so the timed pipeline is the
 * one that produced the run. Also collects the input hashes recorded with the run.
 */

export interface PreparedJob {
  request: SearchRequest;
  /** Builds the latency pipeline's inputs (graph, HNSW index, candidates) on demand: only when profiled. */
  pipeline: (latencyQueries: number) => Promise<PipelineSpec>;
  inputs: JsonObject;
}

export interface JobContext {
  config: ExperimentConfig;
  runName: string;
  dataset: DatasetRecord;
  queries: QuerySet;
  point: GridPoint;
  /** Re-ranking: the base run's name. */
  baseRun?: string;
  store: Pick<Store, 'runs' | 'documents' | 'datasets' | 'busyWith'>;
  dataDir: string;
  resources: ExperimentResources;
  job: BuildProgress;
}

/**
 * The graph-search parameters of a grid point as SearchService resolves them: a preset scaled to the corpus
 * (search/presets.ts) with explicit values on top; without a preset and without all three explicit values,
 * Efficient 1 is the base (as for `workbench search qnet-graph`).
 */
export function graphRequest(
  point: GridPoint,
  rows: number,
  topK: number,
): { preset?: 'efficient1' | 'efficient2'; search: Partial<GraphSearchParams>; resolved: GraphSearchParams } {
  const p = point.params;
  const search: Partial<GraphSearchParams> = { seed: point.system.graph?.seed ?? DEFAULT_GRAPH_SEARCH.seed };
  for (const name of ['numEntryPoints', 'nCandidates', 'maxIter'] as const)
    if (p[name] !== undefined) search[name] = p[name] as number;
  if (p.earlyStop !== undefined) search.earlyStop = p.earlyStop as boolean;
  const complete =
    search.numEntryPoints !== undefined && search.nCandidates !== undefined && search.maxIter !== undefined;
  const preset = point.system.preset ?? (complete ? undefined : 'efficient1');
  const base = preset ? resolvePreset(preset, rows, { topK }).params : { ...DEFAULT_GRAPH_SEARCH };
  const resolved = checkGraphSearchParams({ ...base, ...search, topK } as GraphSearchParams, rows);
  return { preset, search, resolved };
}

export async function prepareJob(ctx: JobContext): Promise<PreparedJob> {
  const { config, dataset, queries, point, store, resources, job } = ctx;
  const system = point.system;
  const topK = config.topK;
  const common = {
    runName: ctx.runName,
    datasetId: dataset.id,
    topK,
    queryTexts: new Map(queries.ids.map((id, i) => [id, queries.texts[i]])),
  };
  const inputs: JsonObject = {
    dataset: { name: dataset.name, contentHash: dataset.contentHash, documents: dataset.stats.documents },
    queries: { split: queries.split, count: queries.ids.length, sha256: queries.hash },
    qrels: { split: queries.split, judgedQueries: queries.qrels.size, sha256: queries.qrelsHash },
    querySet: queries.set
      ? {
          name: queries.set.name,
          family: queries.set.family,
          variant: queries.set.variant,
          seed: queries.set.seed,
          params: queries.set.params,
          source: queries.set.source,
          generatorVersion: queries.set.generatorVersion,
        }
      : null,
  };

  if (system.model === null) {
    // Built (or resumed) here rather than by the search, so that a latency profile, timed first, has it too.
    await ensureFullTextIndex(store, dataset.id, {
      signal: job.signal,
      onProgress: (p) => job.progress?.({ done: p.indexed, total: p.documents, stage: 'full-text index' }),
    });
    return {
      request: {
        ...common,
        mode: 'bm25',
        datasetId: dataset.id,
        queries: { ids: queries.ids, texts: queries.texts },
      },
      pipeline: async () => ({ mode: 'bm25', documents: store.documents, datasetId: dataset.id, topK }),
      inputs,
    };
  }

  const pkg = resources.package(system.model);
  inputs.model = {
    name: pkg.manifest.name,
    kind: pkg.manifest.kind,
    packageHash: pkg.packageHash,
    documentEncoderHash: pkg.documentEncoderHash,
    files: pkg.manifest.provenance.files,
    source: pkg.manifest.provenance.source,
  };
  const resource = await resources.corpus(system.model, dataset, job);
  const { corpus } = resource;
  inputs.embeddings = {
    key: resource.meta.key,
    dir: resource.dir,
    reused: resource.reused,
    rows: corpus.rows,
    dim: corpus.dim,
    dtype: resource.meta.dtype,
    settings: resource.meta.settings as JsonObject,
  };
  const encoded = await resources.queries(system.model, queries.hash, queries.ids, queries.texts, job);
  const model = { model: pkg, corpus, topK };
  const p = point.params;

  switch (system.mode) {
    case 'exhaustive':
      if (!('spec' in encoded)) throw new Error('expected q-net queries');
      return {
        request: { ...common, mode: 'qnet', corpus, queries: encoded },
        pipeline: async () => ({ mode: 'qnet', ...model }),
        inputs,
      };
    case 'graph': {
      if (!('spec' in encoded)) throw new Error('expected q-net queries');
      const g = graphRequest(point, corpus.rows, topK);
      const graph: GraphBuildOptions = { k: system.graph?.neighbours, metric: system.graph?.metric };
      return {
        request: {
          ...common,
          mode: 'qnet-graph',
          corpus,
          queries: encoded,
          preset: g.preset,
          search: g.search,
          graph,
        },
        pipeline: async () => {
          // The same inputs as the search's: the artifact it built (or found) is loaded, not rebuilt.
          const resolved = await new GraphArtifacts(ctx.dataDir).resolve(corpus, graph, job);
          return { mode: 'qnet-graph', ...model, graph: resolved.graph, search: g.resolved };
        },
        inputs,
      };
    }
    case 'flat': {
      if ('spec' in encoded) throw new Error('expected query embeddings');
      const similarity = pkg.manifest.similarity ?? 'ip';
      return {
        request: { ...common, mode: 'flat', corpus, queries: encoded, similarity },
        pipeline: async () => ({ mode: 'flat', ...model, similarity }),
        inputs,
      };
    }
    case 'hnsw': {
      if ('spec' in encoded) throw new Error('expected query embeddings');
      const similarity = pkg.manifest.similarity ?? 'ip';
      const hnsw = {
        ...(p.M === undefined ? {} : { M: p.M as number }),
        ...(p.efConstruction === undefined ? {} : { efConstruction: p.efConstruction as number }),
        ...(p.efSearch === undefined ? {} : { efSearch: p.efSearch as number }),
      };
      return {
        request: { ...common, mode: 'hnsw', corpus, queries: encoded, similarity, hnsw },
        pipeline: async () => ({
          mode: 'hnsw',
          ...model,
          index: await resources.hnswIndex(corpus, similarity, hnsw, job),
        }),
        inputs,
      };
    }
    case 'rerank': {
      const baseRun = ctx.baseRun!;
      const depth = p.depth as number;
      const similarity = pkg.manifest.similarity;
      const base = store.runs.require(baseRun);
      inputs.baseRun = { name: base.name, id: base.id, createdAt: base.createdAt };
      return {
        request: { ...common, mode: 'rerank', corpus, queries: encoded, baseRun, depth, similarity },
        pipeline: async (n) => {
          const rankings = store.runs.getRankings(base.id);
          const index = docnoIndex(corpus);
          const candidates = queries.ids
            .slice(0, n)
            .map((id) => rerankCandidates(rankings.get(id)?.docnos ?? [], depth, index).docs);
          return { mode: 'rerank', ...model, similarity, candidates: (q: number) => candidates[q] };
        },
        inputs,
      };
    }
    default:
      throw new Error(`unexpected mode ${system.mode}`);
  }
}
