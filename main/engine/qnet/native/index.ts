import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QnetParams } from '../params.ts';
import { hasResidual, layerCount, QNET_ACTIVATIONS, type QnetSpec } from '../spec.ts';

/**
 * The q-net CPU kernel (qnet_kernel.c, an N-API addon built by `npm run build:native`, which `npm ci` runs):
 * one query's q-net over a block of documents, reading the weights in place, on one or more threads. See
 * the qnet capability's README for when it is used and what it measured.
 */

export type NativeIsa = 'avx512' | 'avx2';

/** The q-net's configuration as the addon reads it (activation as its index in QNET_ACTIVATIONS). */
export interface NativeQnetConfig {
  dims: number[];
  activation: number;
  layerNorm: boolean;
  layerNormBeforeResidual: boolean;
  residual: boolean[];
  lnEps: number;
}

interface Addon {
  isa(): NativeIsa | 'none';
  score(
    config: NativeQnetConfig,
    weights: Float32Array[],
    biases: Float32Array[],
    docs: Float32Array,
    nDocs: number,
    out: Float32Array,
    isa?: NativeIsa,
    threads?: number,
  ): Promise<void>;
}

export type NativeKernelStatus =
  | { available: true; isa: NativeIsa; path: string }
  | { available: false; reason: string };

export const NATIVE_ADDON = join('main', 'engine', 'qnet', 'native', 'build', 'Release', 'qnet_kernel.node');
export const NATIVE_BUILD_HINT =
  'run `npm run build:native` (needs a C compiler: Debian `apt-get install build-essential`)';

/** The addon next to this file (source checkout) or in the project folder above a bundle (out/main). */
function addonPath(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'build', 'Release', 'qnet_kernel.node')];
  for (let dir = here, i = 0; i < 6; i++, dir = dirname(dir)) candidates.push(join(dir, NATIVE_ADDON));
  return candidates.find((p) => existsSync(p));
}

let loaded: { addon?: Addon; status: NativeKernelStatus } | undefined;

function load(): { addon?: Addon; status: NativeKernelStatus } {
  if (loaded) return loaded;
  const path = addonPath();
  if (!path) {
    loaded = {
      status: { available: false, reason: `the q-net CPU kernel is not built (${NATIVE_BUILD_HINT})` },
    };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as Addon;
    const isa = addon.isa();
    loaded =
      isa === 'none'
        ? { status: { available: false, reason: 'this CPU has neither AVX-512 nor AVX2 with FMA' } }
        : { addon, status: { available: true, isa, path } };
  } catch (err) {
    loaded = {
      status: {
        available: false,
        reason: `the q-net CPU kernel at ${path} failed to load: ${(err as Error).message.split('\n')[0]} (${NATIVE_BUILD_HINT})`,
      },
    };
  }
  return loaded;
}

export function nativeKernelStatus(): NativeKernelStatus {
  return load().status;
}

/** The instruction sets the addon can run here, widest first. */
export function nativeIsas(): NativeIsa[] {
  const status = nativeKernelStatus();
  if (!status.available) return [];
  return status.isa === 'avx512' ? ['avx512', 'avx2'] : ['avx2'];
}

export function nativeConfig(spec: QnetSpec): NativeQnetConfig {
  const L = layerCount(spec);
  return {
    dims: [...spec.dims],
    activation: QNET_ACTIVATIONS.indexOf(spec.config.activation),
    layerNorm: spec.config.layerNorm,
    layerNormBeforeResidual: spec.config.layerNormBeforeResidual,
    residual: Array.from({ length: L - 1 }, (_, j) => hasResidual(spec, j)),
    lnEps: spec.config.lnEps,
  };
}

/**
 * Scores nDocs documents (row-major in `docs`) with one query's q-net into `out`, on a libuv thread pool
 * thread and threads − 1 helper threads (the addon keeps them per Node thread, asleep between calls), so the
 * JavaScript thread stays free. Rejects when the addon is not available; check nativeKernelStatus() first.
 */
export async function scoreNative(
  config: NativeQnetConfig,
  params: QnetParams,
  docs: Float32Array,
  nDocs: number,
  out: Float32Array,
  isa: NativeIsa,
  threads = 1,
): Promise<Float32Array> {
  const { addon, status } = load();
  if (!addon) throw new Error((status as { reason: string }).reason);
  const { dims } = config;
  // Exact-length views: the addon checks every array's length against dims.
  const weights = params.weights.map((w, j) => w.subarray(0, dims[j] * dims[j + 1]));
  const biases = params.biases.map((b, j) => b.subarray(0, dims[j + 1]));
  await addon.score(config, weights, biases, docs, nDocs, out, isa, threads);
  return out;
}
