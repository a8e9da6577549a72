import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../errors.ts';
import {
  createSession,
  defaultProviderEnvironment,
  type OnnxSession,
  type ProviderChoice,
  type ProviderRequest,
  resolveThreads,
  type ThreadSettings,
} from '../onnx/index.ts';
import {
  buildQnetGraph,
  QNET_DOCS,
  QNET_SCORES,
  type QnetGraphLayout,
  qnetBiasName,
  qnetWeightName,
} from './graph.ts';
import {
  type NativeIsa,
  type NativeQnetConfig,
  nativeConfig,
  nativeKernelStatus,
  scoreNative,
} from './native/index.ts';
import { type QnetParams, queryCount, queryParams } from './params.ts';
import { layerCount, type QnetSpec } from './spec.ts';

/**
 * Scores document embeddings with query q-nets through onnxruntime. Documents are fed in chunks: on
 * CPU a chunk's activations (chunk × 768 floats per layer) stay in cache between the q-net's layers,
 * which DESIGN.md §8 measured at 110–124 GFLOP/s for ~1024-document chunks versus 70–76 in one full
 * batch. Each chunk's input and output tensors are views into the caller's arrays, never copies.
 */

export const DEFAULT_CHUNK_SIZE = 1024;
/**
 * GPU providers want large launches: on an NVIDIA H100 through onnxruntime-node's WebGPU provider
 * (Dawn over Vulkan), hypencoder.6_layer shapes over 50k documents ran at 262–311 GFLOP/s in 1024-document
 * chunks and 984–1,125 GFLOP/s in 8192-document chunks (CPU, 16 threads: 550–710), same scores within 7.3e-6.
 */
export const DEFAULT_GPU_CHUNK_SIZE = 8192;

export interface QnetScorerOptions {
  spec: QnetSpec;
  provider?: ProviderRequest;
  threads?: ThreadSettings;
  /** Documents per onnxruntime run. */
  chunkSize?: number;
  /** LayerNorm as the ONNX op or written out; see QnetGraphOptions. */
  layerNorm?: 'op' | 'decomposed';
  /** How scoreBatch runs Q queries; see QnetBatchMode. */
  batchMode?: QnetBatchMode;
  /** Who computes the q-net on the CPU; see QnetKernelRequest. */
  kernel?: QnetKernelRequest;
}

/**
 * `onnxruntime`: the q-net ONNX graph, the query's weights fed as inputs (its GEMM re-packs them on every
 * run). `native` (or `native-avx512` / `native-avx2` to pin the instruction set): the q-net CPU kernel
 * (native/qnet_kernel.c), reading the weights in place on the scorer's threads — as fast as onnxruntime on
 * 1024-document chunks with one thread and up to 1.6× faster on the 25–100-document batches of graph search,
 * with scores bit-identical for every thread count and batch size. `auto` picks the native kernel for a
 * one-thread CPU scorer on a CPU with AVX-512 (graph search, pool workers) and onnxruntime otherwise: with
 * several threads onnxruntime's exhaustive search was faster on the development machine, GPU providers are
 * onnxruntime's, and the kernel's AVX2 path is slower than onnxruntime's.
 */
export type QnetKernelRequest = 'auto' | 'onnxruntime' | 'native' | 'native-avx512' | 'native-avx2';
export const QNET_KERNEL_REQUESTS: readonly QnetKernelRequest[] = [
  'auto',
  'onnxruntime',
  'native',
  'native-avx512',
  'native-avx2',
];
export type QnetKernel = 'onnxruntime' | 'native-avx512' | 'native-avx2';

/**
 * `graph`: one run per chunk of the batched graph ([Q, d_j, d_{j+1}] weights, batched MatMuls).
 * `per-query`: per chunk, one run of the single-query graph for each query, the chunk staying in cache.
 * `auto` picks per-query on CPU — there onnxruntime fuses bias and ReLU into the single graph's GEMMs
 * (FusedGemm), which it does not for 3-D MatMuls, and batching saves nothing for a compute-bound
 * q-net — and the batched graph on GPU providers, where fewer, larger kernels keep the device busy.
 */
export type QnetBatchMode = 'auto' | 'graph' | 'per-query';

/** Everything that produced a score, to be stored beside every timing and result. */
export interface QnetScorerSettings extends ProviderChoice {
  kernel: QnetKernel;
  chunkSize: number;
  layerNorm: 'op' | 'decomposed';
  batchMode: Exclude<QnetBatchMode, 'auto'>;
}

function cancelled(): WorkbenchError {
  return new WorkbenchError('CANCELLED', 'q-net scoring was cancelled');
}

/** The CPU provider choice of a scorer that runs the native kernel (it opens no onnxruntime session). */
interface NativeChoice extends ProviderChoice {
  isa: NativeIsa;
  config: NativeQnetConfig;
}

export class QnetScorer {
  private batched: Promise<OnnxSession> | undefined;

  private constructor(
    readonly spec: QnetSpec,
    private readonly single: OnnxSession | NativeChoice,
    private readonly options: Required<Pick<QnetScorerOptions, 'chunkSize' | 'layerNorm'>> &
      QnetScorerOptions,
  ) {}

  /** The native kernel's instruction set when this scorer uses it, from the request and what this machine has. */
  private static nativeIsa(options: QnetScorerOptions): NativeIsa | undefined {
    const request = options.kernel ?? 'auto';
    if (!QNET_KERNEL_REQUESTS.includes(request)) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `Unknown q-net kernel "${request}". Use one of ${QNET_KERNEL_REQUESTS.join(', ')}`,
        { field: 'kernel' },
      );
    }
    if (request === 'onnxruntime') return undefined;
    const status = nativeKernelStatus();
    if (request === 'auto') {
      const cpu = (options.provider ?? 'cpu') === 'cpu';
      const oneThread =
        resolveThreads(options.threads ?? {}, defaultProviderEnvironment()).intraOpNumThreads === 1;
      return cpu && oneThread && status.available && status.isa === 'avx512' ? 'avx512' : undefined;
    }
    const wanted = request === 'native' ? undefined : (request.slice('native-'.length) as NativeIsa);
    if (!status.available) {
      throw new WorkbenchError('UNAVAILABLE', `The q-net kernel "${request}" cannot run: ${status.reason}`, {
        field: 'kernel',
      });
    }
    if (wanted === 'avx512' && status.isa !== 'avx512') {
      throw new WorkbenchError('UNAVAILABLE', 'This CPU has no AVX-512; use native-avx2 or onnxruntime', {
        field: 'kernel',
      });
    }
    if ((options.provider ?? 'cpu') !== 'cpu') {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `The q-net kernel "${request}" runs on the CPU; it cannot be combined with provider ${options.provider}`,
        { field: 'kernel' },
      );
    }
    return wanted ?? status.isa;
  }

  /**
   * The kernel create() would use for these options, without opening anything: what the pool's workers
   * will run, for the run's record.
   */
  static plannedKernel(options: QnetScorerOptions): QnetKernel {
    const isa = QnetScorer.nativeIsa(options);
    return isa ? `native-${isa}` : 'onnxruntime';
  }

  static async create(options: QnetScorerOptions): Promise<QnetScorer> {
    const chunk = options.chunkSize;
    if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1)) {
      throw new WorkbenchError('INVALID_ARGUMENT', `chunkSize must be a whole number ≥ 1 (got ${chunk})`, {
        field: 'chunkSize',
      });
    }
    const layerNorm = options.layerNorm ?? 'op';
    const isa = QnetScorer.nativeIsa(options);
    if (isa) {
      const threads = resolveThreads(options.threads ?? {}, defaultProviderEnvironment());
      const choice: NativeChoice = {
        provider: 'cpu',
        requested: options.provider ?? 'cpu',
        intraOpNumThreads: threads.intraOpNumThreads,
        interOpNumThreads: 1,
        isa,
        config: nativeConfig(options.spec),
      };
      return new QnetScorer(options.spec, choice, {
        ...options,
        chunkSize: chunk ?? DEFAULT_CHUNK_SIZE,
        layerNorm,
      });
    }
    const single = await QnetScorer.session(options.spec, 'single', { ...options, layerNorm });
    // The default follows the provider actually used (a GPU request may have fallen back to CPU).
    const chunkSize = chunk ?? (single.provider === 'cpu' ? DEFAULT_CHUNK_SIZE : DEFAULT_GPU_CHUNK_SIZE);
    return new QnetScorer(options.spec, single, { ...options, chunkSize, layerNorm });
  }

  private static session(
    spec: QnetSpec,
    layout: QnetGraphLayout,
    options: QnetScorerOptions,
  ): Promise<OnnxSession> {
    return createSession(buildQnetGraph(spec, { layout, layerNorm: options.layerNorm }), {
      provider: options.provider,
      threads: options.threads,
    });
  }

  /** Documents per onnxruntime run: what callers that feed it piecewise (exhaustive search) should use. */
  get preferredChunk(): number {
    return this.options.chunkSize;
  }

  /** Provider actually used (with the fallback notice, if any), thread counts and chunking. */
  get settings(): QnetScorerSettings {
    const { provider, requested, intraOpNumThreads, interOpNumThreads, notice } = this.single;
    return {
      provider,
      requested,
      intraOpNumThreads,
      interOpNumThreads,
      ...(notice === undefined ? {} : { notice }),
      kernel: 'isa' in this.single ? `native-${this.single.isa}` : 'onnxruntime',
      chunkSize: this.options.chunkSize,
      layerNorm: this.options.layerNorm,
      batchMode: this.batchMode,
    };
  }

  private get batchMode(): Exclude<QnetBatchMode, 'auto'> {
    const mode = this.options.batchMode ?? 'auto';
    if (mode !== 'auto') return mode;
    return this.single.provider === 'cpu' ? 'per-query' : 'graph';
  }

  /**
   * Scores nDocs documents (row-major [nDocs][d0] in `docs`) with one query's q-net. Returns `out`
   * (allocated when not given) holding one score per document.
   */
  async score(
    params: QnetParams,
    docs: Float32Array,
    nDocs: number,
    out?: Float32Array,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    const queries = queryCount(this.spec, params);
    if (queries !== 1) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `score() takes one query's q-net, got ${queries}; use scoreBatch()`,
        { field: 'qnet' },
      );
    }
    const scores = this.checkBuffers(docs, nDocs, 1, out);
    const d0 = this.spec.dims[0];
    const single = this.single;
    if ('isa' in single) {
      for (let start = 0; start < nDocs; start += this.options.chunkSize) {
        if (signal?.aborted) throw cancelled();
        const n = Math.min(this.options.chunkSize, nDocs - start);
        const chunk = docs.subarray(start * d0, (start + n) * d0);
        await scoreNative(
          single.config,
          params,
          chunk,
          n,
          scores.subarray(start, start + n),
          single.isa,
          single.intraOpNumThreads,
        );
      }
      return scores;
    }
    const feeds = this.paramFeeds(params, []);
    for (let start = 0; start < nDocs; start += this.options.chunkSize) {
      if (signal?.aborted) throw cancelled();
      const n = Math.min(this.options.chunkSize, nDocs - start);
      feeds[QNET_DOCS] = new ort.Tensor('float32', docs.subarray(start * d0, (start + n) * d0), [n, d0]);
      // A pre-allocated output: onnxruntime writes the chunk's scores straight into `scores`.
      await single.session.run(feeds, {
        [QNET_SCORES]: new ort.Tensor('float32', scores.subarray(start, start + n), [n]),
      });
    }
    return scores;
  }

  /**
   * Scores nDocs documents with a batch of Q query q-nets in one pass over the documents (parameters
   * laid out [Q, …] as the query encoder emits them). Returns [Q][nDocs], query-major.
   */
  async scoreBatch(
    params: QnetParams,
    docs: Float32Array,
    nDocs: number,
    out?: Float32Array,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    const queries = queryCount(this.spec, params);
    const scores = this.checkBuffers(docs, nDocs, queries, out);
    const d0 = this.spec.dims[0];
    const chunk = this.options.chunkSize;
    if ('isa' in this.single) {
      // The native kernel scores one query at a time; per query, score() chunks the documents itself.
      for (let q = 0; q < queries; q++) {
        const row = scores.subarray(q * nDocs, (q + 1) * nDocs);
        await this.score(queryParams(this.spec, params, q), docs, nDocs, row, signal);
      }
      return scores;
    }
    const single = this.single;
    if (this.batchMode === 'per-query') {
      const perQuery = Array.from({ length: queries }, (_, q) =>
        this.paramFeeds(queryParams(this.spec, params, q), []),
      );
      for (let start = 0; start < nDocs; start += chunk) {
        if (signal?.aborted) throw cancelled();
        const n = Math.min(chunk, nDocs - start);
        const chunkDocs = new ort.Tensor('float32', docs.subarray(start * d0, (start + n) * d0), [n, d0]);
        for (let q = 0; q < queries; q++) {
          const feeds = perQuery[q];
          feeds[QNET_DOCS] = chunkDocs;
          const row = q * nDocs + start;
          await single.session.run(feeds, {
            [QNET_SCORES]: new ort.Tensor('float32', scores.subarray(row, row + n), [n]),
          });
        }
      }
      return scores;
    }
    this.batched ??= QnetScorer.session(this.spec, 'batched', this.options);
    const { session } = await this.batched;
    const feeds = this.paramFeeds(params, [queries]);
    const staging = new Float32Array(queries * Math.min(chunk, Math.max(nDocs, 1)));
    for (let start = 0; start < nDocs; start += chunk) {
      if (signal?.aborted) throw cancelled();
      const n = Math.min(chunk, nDocs - start);
      feeds[QNET_DOCS] = new ort.Tensor('float32', docs.subarray(start * d0, (start + n) * d0), [n, d0]);
      await session.run(feeds, {
        [QNET_SCORES]: new ort.Tensor('float32', staging.subarray(0, queries * n), [queries, n]),
      });
      // The chunk's scores are [Q][n]; each query's row lands at its own offset in [Q][nDocs].
      for (let q = 0; q < queries; q++) scores.set(staging.subarray(q * n, (q + 1) * n), q * nDocs + start);
    }
    return scores;
  }

  async dispose(): Promise<void> {
    if ('session' in this.single) await this.single.session.release();
    if (this.batched) await (await this.batched).session.release();
  }

  private checkBuffers(
    docs: Float32Array,
    nDocs: number,
    queries: number,
    out: Float32Array | undefined,
  ): Float32Array {
    const d0 = this.spec.dims[0];
    if (!Number.isInteger(nDocs) || nDocs < 0) {
      throw new WorkbenchError('INVALID_ARGUMENT', `nDocs must be a whole number ≥ 0 (got ${nDocs})`, {
        field: 'nDocs',
      });
    }
    if (docs.length < nDocs * d0) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `docs holds ${docs.length} values; ${nDocs} documents × ${d0} dimensions need ${nDocs * d0}`,
        {
          field: 'docs',
        },
      );
    }
    if (out && out.length < queries * nDocs) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `out holds ${out.length} scores; ${queries} × ${nDocs} needed`,
        { field: 'out' },
      );
    }
    return out ?? new Float32Array(queries * nDocs);
  }

  private paramFeeds(params: QnetParams, lead: number[]): Record<string, ort.Tensor> {
    const { dims } = this.spec;
    const feeds: Record<string, ort.Tensor> = {};
    for (let j = 0; j < layerCount(this.spec); j++) {
      feeds[qnetWeightName(j)] = new ort.Tensor('float32', params.weights[j], [
        ...lead,
        dims[j],
        dims[j + 1],
      ]);
      if (j < params.biases.length)
        feeds[qnetBiasName(j)] = new ort.Tensor('float32', params.biases[j], [...lead, dims[j + 1]]);
    }
    return feeds;
  }
}
