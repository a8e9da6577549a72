import hnswlib from 'hnswlib-node';
import { WorkbenchError } from '../errors.ts';
import type { SearchCorpus } from './corpus.ts';
import { cancelled } from './exhaustive.ts';
import type { SearchHits } from './topk.ts';
import { TopK } from './topk.ts';

/**
 * HNSW (Malkov & Yashunin, TPAMI 2020) through hnswlib-node, the graph index Faiss users know as
 * IndexHNSWFlat. Used for bi-encoder search and, above the exact-build threshold, for the neighbour graph.
 * hnswlib inserts one point per call on the calling thread, so a build yields to the event loop every
 * batch: progress is reported and a cancel takes effect between batches.
 */

export type HnswSpace = 'ip' | 'cos' | 'l2';

export interface HnswParams {
  /** Links per node (hnswlib/Faiss M). */
  M: number;
  efConstruction: number;
  efSearch: number;
  /** hnswlib's level-assignment seed. */
  seed: number;
}

/**
 * Defaults: hnswlib's M = 16 and efConstruction = 200; efSearch = 128, the smallest power of two that gave
 * recall@10 ≥ 0.95 against exact search on the seeded sets of the tests and the benchmark (README.md).
 */
export const DEFAULT_HNSW: HnswParams = { M: 16, efConstruction: 200, efSearch: 128, seed: 100 };

export interface BuildProgress {
  signal?: AbortSignal;
  progress?(update: { done: number; total?: number | null; stage?: string }): void;
}

const INSERT_BATCH = 1000;

function checkParams(p: HnswParams): HnswParams {
  for (const [field, value, min] of [
    ['M', p.M, 2],
    ['efConstruction', p.efConstruction, 1],
    ['efSearch', p.efSearch, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `HNSW ${field} must be a whole number ≥ ${min} (got ${value})`,
        { field },
      );
    }
  }
  return p;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class HnswIndex {
  private readonly point: number[];
  private efSearch: number;

  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly corpus: SearchCorpus,
    readonly space: HnswSpace,
    readonly params: HnswParams,
    readonly buildMs: number,
  ) {
    this.point = new Array<number>(corpus.dim).fill(0);
    this.efSearch = params.efSearch;
    index.setEf(params.efSearch);
  }

  static async build(
    corpus: SearchCorpus,
    space: HnswSpace,
    params: Partial<HnswParams> = {},
    job: BuildProgress = {},
  ): Promise<HnswIndex> {
    const p = checkParams({ ...DEFAULT_HNSW, ...params });
    const started = performance.now();
    // hnswlib's 'cosine' space normalises each vector on insert and query.
    const index = new hnswlib.HierarchicalNSW(space === 'cos' ? 'cosine' : space, corpus.dim);
    index.initIndex({
      maxElements: Math.max(1, corpus.rows),
      m: p.M,
      efConstruction: p.efConstruction,
      randomSeed: p.seed,
    });
    const { rows, dim, embeddings } = corpus;
    const point = new Array<number>(dim).fill(0);
    for (let first = 0; first < rows; first += INSERT_BATCH) {
      if (job.signal?.aborted) throw cancelled('HNSW index build');
      const end = Math.min(rows, first + INSERT_BATCH);
      for (let i = first; i < end; i++) {
        const o = i * dim;
        for (let j = 0; j < dim; j++) point[j] = embeddings[o + j];
        index.addPoint(point, i);
      }
      job.progress?.({ done: end, total: rows, stage: 'HNSW insert' });
      await yieldToEventLoop();
    }
    return new HnswIndex(index, corpus, space, p, performance.now() - started);
  }

  get ef(): number {
    return this.efSearch;
  }

  setEfSearch(ef: number): void {
    checkParams({ ...this.params, efSearch: ef });
    this.efSearch = ef;
    this.index.setEf(ef);
  }

  /** Nearest `k` of a vector as hnswlib returns them (distance ascending), labels and distances. */
  nearest(vector: Float32Array, k: number): { neighbors: number[]; distances: number[] } {
    const point = this.point;
    for (let j = 0; j < point.length; j++) point[j] = vector[j];
    // hnswlib needs ef ≥ k to return k results.
    if (this.efSearch < k) this.index.setEf(k);
    const result = this.index.searchKnn(point, Math.min(k, this.corpus.rows));
    if (this.efSearch < k) this.index.setEf(this.efSearch);
    return result;
  }

  /**
   * Bi-encoder search: the k best documents by inner product (or cosine), scores as similarities
   * (hnswlib's ip/cosine distance is 1 − similarity), ranked in trec_eval order.
   */
  search(query: Float32Array, k: number): SearchHits {
    const { neighbors, distances } = this.nearest(query, k);
    const heap = new TopK(Math.max(1, neighbors.length), this.corpus.docnoOrder);
    for (let i = 0; i < neighbors.length; i++)
      heap.push(neighbors[i], this.space === 'l2' ? -distances[i] : 1 - distances[i]);
    return { ...heap.sorted(), documentsScored: null, iterations: 1 };
  }

  /** Bytes hnswlib holds: vectors plus level-0 links (4 bytes per link, 2·M links, plus a count). */
  estimatedBytes(): number {
    const { rows, dim } = this.corpus;
    return rows * (dim * 4 + (2 * this.params.M + 1) * 4 + 8);
  }
}
