import * as ort from 'onnxruntime-node';
import { createSession, GraphBuilder, type OnnxSession, type ThreadSettings } from '../onnx/index.ts';
import { isShared, type SearchCorpus } from './corpus.ts';
import { cancelled } from './exhaustive.ts';

/**
 * Exact k-nearest documents of a block of vectors, blocked so that memory stays bounded: one onnxruntime
 * call multiplies a block of B query rows with a tile of T document rows (Gemm with transB, no transposed
 * copy of the corpus) and keeps each row's top k+1 with TopK; tiles are merged in JavaScript. L2 ranks by
 * 2·x·y − |y|², which orders documents as −|x − y|² does (|x|² is the same for every y of a row).
 */

export type NeighbourMetric = 'l2' | 'ip';

/** Query rows per onnxruntime call, and document rows per tile: a [256, 32768] score block is 32 MiB. */
export const KNN_BLOCK = 256;
export const KNN_TILE = 32_768;

const QUERIES = 'queries';
const DOCS = 'docs';
const NORMS = 'norms';
const K = 'k';

function knnGraph(metric: NeighbourMetric, dim: number): Uint8Array {
  const g = new GraphBuilder(`knn_${metric}_${dim}`, {
    docString: 'Exact kNN block: Gemm(queries, docsᵀ) then TopK',
  });
  const q = g.input(QUERIES, 'float32', ['B', dim]);
  const d = g.input(DOCS, 'float32', ['T', dim]);
  const k = g.input(K, 'int64', [1]);
  const scores =
    metric === 'l2'
      ? g.op('Gemm', [q, d, g.input(NORMS, 'float32', ['T'])], {
          transB: { i: 1 },
          alpha: { f: 2 },
          beta: { f: -1 },
        })
      : g.op('Gemm', [q, d], { transB: { i: 1 } });
  const [values, indices] = g.node('TopK', [scores, k], {
    outputs: 2,
    attributes: { axis: { i: 1 }, largest: { i: 1 }, sorted: { i: 1 } },
  });
  g.op('Identity', [values], undefined, 'values');
  // int32 indices: a tile never exceeds 2^31 rows, and JavaScript reads Int32Array without BigInt.
  g.op('Cast', [indices], { to: { i: 6 } }, 'indices');
  g.output('values', 'float32', ['B', 'K']);
  g.output('indices', 'int32', ['B', 'K']);
  return g.toBytes();
}

export class ExactKnn {
  private readonly norms: Float32Array | undefined;
  private readonly docs: Float32Array;

  private constructor(
    private readonly session: OnnxSession,
    readonly corpus: SearchCorpus,
    readonly metric: NeighbourMetric,
  ) {
    // onnxruntime-node rejects SharedArrayBuffer tensors; a shared corpus is read through a private copy.
    this.docs = isShared(corpus.embeddings) ? corpus.embeddings.slice() : corpus.embeddings;
    if (metric === 'l2') {
      const { rows, dim } = corpus;
      const norms = new Float32Array(rows);
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let j = i * dim; j < (i + 1) * dim; j++) s += this.docs[j] * this.docs[j];
        norms[i] = s;
      }
      this.norms = norms;
    }
  }

  static async create(
    corpus: SearchCorpus,
    metric: NeighbourMetric,
    threads: ThreadSettings = {},
  ): Promise<ExactKnn> {
    const session = await createSession(knnGraph(metric, corpus.dim), { threads });
    return new ExactKnn(session, corpus, metric);
  }

  get threads(): { intraOpNumThreads: number; interOpNumThreads: number } {
    return {
      intraOpNumThreads: this.session.intraOpNumThreads,
      interOpNumThreads: this.session.interOpNumThreads,
    };
  }

  /**
   * The `take` best documents of each of `n` query rows (row-major in `queries`), best first; ties keep the
   * lower document index. Returns [n][take] indices and scores.
   */
  async search(
    queries: Float32Array,
    n: number,
    take: number,
    signal?: AbortSignal,
  ): Promise<{ indices: Int32Array; scores: Float32Array }> {
    const { rows, dim } = this.corpus;
    const kk = Math.min(take, rows);
    const bestIdx = new Int32Array(n * kk).fill(-1);
    const bestVal = new Float32Array(n * kk).fill(Number.NEGATIVE_INFINITY);
    const mergedIdx = new Int32Array(kk);
    const mergedVal = new Float32Array(kk);
    const qTensor = new ort.Tensor('float32', queries.subarray(0, n * dim), [n, dim]);
    for (let first = 0; first < rows; first += KNN_TILE) {
      if (signal?.aborted) throw cancelled('nearest-neighbour search');
      const t = Math.min(KNN_TILE, rows - first);
      const kt = Math.min(kk, t);
      const feeds: Record<string, ort.Tensor> = {
        [QUERIES]: qTensor,
        [DOCS]: new ort.Tensor('float32', this.docs.subarray(first * dim, (first + t) * dim), [t, dim]),
        [K]: new ort.Tensor('int64', BigInt64Array.of(BigInt(kt)), [1]),
      };
      if (this.norms) feeds[NORMS] = new ort.Tensor('float32', this.norms.subarray(first, first + t), [t]);
      const out = await this.session.session.run(feeds);
      const values = out.values.data as Float32Array;
      const indices = out.indices.data as Int32Array;
      for (let r = 0; r < n; r++) {
        // Two sorted lists (earlier tiles, this tile) into one; on equal scores the earlier tile (lower index) first.
        const base = r * kk;
        let a = 0;
        let b = 0;
        for (let m = 0; m < kk; m++) {
          const haveA = a < kk && bestIdx[base + a] >= 0;
          const haveB = b < kt;
          const va = haveA ? bestVal[base + a] : 0;
          const vb = haveB ? values[r * kt + b] : 0;
          if (haveA && (!haveB || va >= vb)) {
            mergedIdx[m] = bestIdx[base + a];
            mergedVal[m] = va;
            a++;
          } else if (haveB) {
            mergedIdx[m] = first + indices[r * kt + b];
            mergedVal[m] = vb;
            b++;
          } else {
            mergedIdx[m] = -1;
            mergedVal[m] = Number.NEGATIVE_INFINITY;
          }
        }
        bestIdx.set(mergedIdx, base);
        bestVal.set(mergedVal, base);
      }
    }
    return { indices: bestIdx, scores: bestVal };
  }

  async dispose(): Promise<void> {
    await this.session.session.release();
  }
}

/** Row r's k neighbours from its `take` = k+1 best, leaving out r itself (or the last, when r is not among them). */
export function withoutSelf(
  indices: Int32Array,
  take: number,
  row: number,
  k: number,
  out: Int32Array,
  at: number,
): void {
  let w = 0;
  for (let i = 0; i < take && w < k; i++) {
    const doc = indices[i];
    if (doc === row) continue;
    out[at + w++] = doc;
  }
  while (w < k) out[at + w++] = -1;
}
