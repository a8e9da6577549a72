import {
  corpusArtifactDir,
  type EmbeddingMeta,
  type EncodeTasks,
  encodeCorpus,
  encodeQueries,
  encodeWorkers,
  pooledEncoder,
  readEmbeddingMeta,
  readEmbeddings,
  storeCorpus,
} from '../encode/index.ts';
import { WorkbenchError } from '../errors.ts';
import type { ModelPackage, ModelRegistry, ModelRuntime } from '../models/index.ts';
import { openModel } from '../models/index.ts';
import type { ProviderRequest } from '../onnx/index.ts';
import type { QnetParams } from '../qnet/index.ts';
import {
  type BuildProgress,
  type Corpus,
  type EmbeddedQueries,
  HnswIndex,
  type HnswParams,
  makeCorpus,
  type QnetQueries,
  type Similarity,
} from '../search/index.ts';
import type { DatasetRecord, Store } from '../store/index.ts';
import { enginePool, type WorkerPool } from '../workers/index.ts';

/**
 * What the jobs of one experiment execution share: open model sessions, document embeddings (encoded once
 * into a content-addressed artifact, reused from disk when its input hashes match), encoded query sets and
 * HNSW indexes. Small caches (two entries) are enough because jobs run grouped by dataset and query set,
 * with a model's modes next to each other. Corpora are encoded on a worker pool: the one given, or one
 * started when the first corpus needs encoding (`encodeWorkers` workers) and closed with the resources.
 */

/** Queries encoded per batch: bounds padding and the encoder's peak memory. */
const QUERY_BATCH = 32;

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(
    private readonly size: number,
    private readonly evict: (v: V) => void = () => {},
  ) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.set(key, v);
    while (this.map.size > this.size) {
      const [oldest, value] = this.map.entries().next().value as [string, V];
      this.map.delete(oldest);
      this.evict(value);
    }
  }
  values(): V[] {
    return [...this.map.values()];
  }
}

export interface CorpusResource {
  corpus: Corpus;
  meta: EmbeddingMeta;
  dir: string;
  /** True when a finished artifact with matching input hashes was found on disk. */
  reused: boolean;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class ExperimentResources {
  private readonly runtimes = new Map<string, Promise<ModelRuntime>>();
  private readonly corpora = new Lru<CorpusResource>(2);
  private readonly encodings = new Lru<QnetQueries | EmbeddedQueries>(2);
  private readonly hnsw = new Lru<HnswIndex>(2);
  private ownPool: WorkerPool<EncodeTasks> | undefined;

  constructor(
    private readonly store: Pick<Store, 'documents'>,
    private readonly dataDir: string,
    private readonly registry: Pick<ModelRegistry, 'package'>,
    private readonly provider: ProviderRequest = 'cpu',
    private readonly pool?: WorkerPool<EncodeTasks>,
  ) {}

  private encodePool(): WorkerPool<EncodeTasks> {
    if (this.pool) return this.pool;
    this.ownPool ??= enginePool({ size: encodeWorkers(this.provider) });
    return this.ownPool;
  }

  package(name: string): ModelPackage {
    return this.registry.package(name);
  }

  /** The model's sessions, opened once per execution. */
  model(name: string): Promise<ModelRuntime> {
    let r = this.runtimes.get(name);
    if (!r) {
      r = openModel(this.registry.package(name), { provider: this.provider });
      this.runtimes.set(name, r);
    }
    return r;
  }

  /** The dataset's passages embedded by the model's document encoder (artifact reused when present). */
  async corpus(modelName: string, dataset: DatasetRecord, job: BuildProgress): Promise<CorpusResource> {
    const runtime = await this.model(modelName);
    const key = `${runtime.documentEncoderHash}/${dataset.id}/${dataset.contentHash}`;
    const cached = this.corpora.get(key);
    if (cached) return cached;
    const source = storeCorpus(dataset, this.store.documents);
    // A finished artifact needs no workers: look for it before starting any.
    const dir = corpusArtifactDir({ dataDir: this.dataDir, model: runtime, corpus: source });
    const finished = readEmbeddingMeta(dir);
    const result = finished
      ? { dir, meta: finished, reused: true }
      : await encodeCorpus({
          dataDir: this.dataDir,
          encoder: pooledEncoder(this.encodePool(), runtime, { provider: this.provider }),
          corpus: source,
          signal: job.signal,
          onProgress: (p) =>
            job.progress?.({ done: p.docsDone, total: p.docsTotal, stage: 'encoding corpus' }),
        });
    const embeddings = readEmbeddings(result.dir);
    const corpus = makeCorpus({
      embeddings: embeddings.vectors,
      dim: embeddings.meta.dim,
      docnos: embeddings.ids,
      // The artifact key is a hash of the embeddings' inputs (encoder, corpus, settings): graph artifacts
      // derived from these embeddings are keyed by it, so they too follow any change of model or corpus.
      contentHash: result.meta.key,
    });
    const resource: CorpusResource = { corpus, meta: result.meta, dir: result.dir, reused: result.reused };
    this.corpora.set(key, resource);
    return resource;
  }

  /** A query set encoded by the model: q-net parameters (Hypencoder) or embeddings (bi-encoder). */
  async queries(
    modelName: string,
    setKey: string,
    ids: readonly string[],
    texts: readonly string[],
    job: BuildProgress,
  ): Promise<QnetQueries | EmbeddedQueries> {
    const key = `${modelName}/${setKey}`;
    const cached = this.encodings.get(key);
    if (cached) return cached;
    const runtime = await this.model(modelName);
    const weights: Float32Array[][] = [];
    const biases: Float32Array[][] = [];
    const embeddings: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += QUERY_BATCH) {
      if (job.signal?.aborted) throw new WorkbenchError('CANCELLED', 'query encoding was cancelled');
      const enc = await encodeQueries(runtime, texts.slice(start, start + QUERY_BATCH));
      if (enc.kind === 'hypencoder') {
        enc.params.weights.forEach((w, j) => {
          weights[j] ??= [];
          weights[j].push(w);
        });
        enc.params.biases.forEach((b, j) => {
          biases[j] ??= [];
          biases[j].push(b);
        });
      } else embeddings.push(enc.embeddings);
      job.progress?.({
        done: Math.min(texts.length, start + QUERY_BATCH),
        total: texts.length,
        stage: 'encoding queries',
      });
    }
    const manifest = runtime.manifest;
    const out: QnetQueries | EmbeddedQueries =
      manifest.kind === 'hypencoder'
        ? {
            ids: [...ids],
            spec: manifest.qnet!,
            params: { weights: weights.map(concat), biases: biases.map(concat) } satisfies QnetParams,
          }
        : { ids: [...ids], embeddings: concat(embeddings), dim: manifest.embeddingDim };
    this.encodings.set(key, out);
    return out;
  }

  /** An HNSW index over the corpus, built once per (corpus, space, M, efConstruction) and re-tuned by efSearch. */
  async hnswIndex(
    corpus: Corpus,
    similarity: Similarity,
    params: Partial<HnswParams>,
    job: BuildProgress,
  ): Promise<HnswIndex> {
    const key = `${corpus.contentHash}/${similarity}/${params.M}/${params.efConstruction}`;
    let index = this.hnsw.get(key);
    if (!index) {
      index = await HnswIndex.build(corpus, similarity, params, job);
      this.hnsw.set(key, index);
    }
    if (params.efSearch !== undefined) index.setEfSearch(params.efSearch);
    return index;
  }

  async close(): Promise<void> {
    const pool = this.ownPool;
    this.ownPool = undefined;
    await pool?.close();
    const runtimes = [...this.runtimes.values()];
    this.runtimes.clear();
    for (const r of runtimes) {
      try {
        await (await r).close();
      } catch {
        // A model that failed to open has nothing to close.
      }
    }
  }
}
