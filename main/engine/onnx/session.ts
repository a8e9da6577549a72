import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { WorkbenchError } from '../errors.ts';

/**
 * Execution providers and thread settings for onnxruntime-node sessions. Every measurement the workbench
 * shows carries the provider actually used and the thread counts (DESIGN.md §8), so session creation
 * returns them as data together with a notice whenever the request could not be honoured.
 */

export const PROVIDER_REQUESTS = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type ProviderRequest = (typeof PROVIDER_REQUESTS)[number];
export type ProviderName = Exclude<ProviderRequest, 'auto'>;

export interface ThreadSettings {
  /** Threads inside one operator (the GEMMs); default: every logical core. */
  intraOpNumThreads?: number;
  /** Threads across independent operators; 1 runs the graph sequentially, which suits chains like the q-net. */
  interOpNumThreads?: number;
}

/** What a session really runs on: the provider used, what was asked for, and why they differ. */
export interface ProviderChoice {
  provider: ProviderName;
  requested: ProviderRequest;
  intraOpNumThreads: number;
  interOpNumThreads: number;
  /** Set when the requested provider was unavailable or failed and another was used. */
  notice?: string;
}

export interface OnnxSession extends ProviderChoice {
  session: ort.InferenceSession;
}

/** What the machine offers; injected so tests can describe another platform without mocking modules. */
export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  arch: string;
  /** onnxruntime-node's own list: name and whether the provider ships inside the npm package. */
  supportedBackends(): readonly { name: string; bundled: boolean }[];
  /** Whether an unbundled provider's shared library (downloaded by the package's install script) is present. */
  providerLibraryPresent(provider: 'cuda'): boolean;
  logicalCores: number;
}

const LABEL: Record<ProviderName, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};

function bindingDir(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

export function defaultProviderEnvironment(): ProviderEnvironment {
  return {
    platform: process.platform,
    arch: process.arch,
    supportedBackends: () => ort.listSupportedBackends(),
    providerLibraryPresent: () => {
      // The CUDA provider and the shared bridge it loads through (onnxruntime-node script/install-metadata.js).
      const files =
        process.platform === 'win32'
          ? ['onnxruntime_providers_cuda.dll', 'onnxruntime_providers_shared.dll']
          : ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];
      return files.every((file) => existsSync(join(bindingDir(), file)));
    },
    logicalCores: availableParallelism(),
  };
}

/**
 * The providers to try, in order, and the reasons others were left out. `auto` prefers a GPU: CUDA when
 * its libraries are installed, the platform's own (DirectML on Windows, CoreML on macOS), then WebGPU
 * (Dawn over D3D12/Metal/Vulkan, bundled with onnxruntime-node, DESIGN.md §10), and always ends on CPU.
 */
export function providerPlan(
  requested: ProviderRequest,
  env: ProviderEnvironment,
): { candidates: ProviderName[]; skipped: string[] } {
  const wanted: ProviderName[] =
    requested === 'auto'
      ? [
          'cuda',
          ...(env.platform === 'win32' ? (['dml'] as const) : []),
          ...(env.platform === 'darwin' ? (['coreml'] as const) : []),
          'webgpu',
        ]
      : requested === 'cpu'
        ? []
        : [requested];
  const listed = new Map(env.supportedBackends().map((b) => [b.name, b.bundled]));
  const candidates: ProviderName[] = [];
  const skipped: string[] = [];
  for (const provider of wanted) {
    if (!listed.has(provider)) {
      skipped.push(
        `${LABEL[provider]} provider is not part of onnxruntime-node on ${env.platform}-${env.arch}`,
      );
    } else if (provider === 'cuda' && listed.get('cuda') === false && !env.providerLibraryPresent('cuda')) {
      skipped.push(
        'CUDA provider not installed: onnxruntime-node downloads it separately and its install script did not run ' +
          '(with network access run `node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12`; ' +
          'it also needs the CUDA 12 and cuDNN 9 libraries)',
      );
    } else {
      candidates.push(provider);
    }
  }
  candidates.push('cpu');
  return { candidates, skipped };
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined || value === 0) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `${field} must be a whole number ≥ 1 (got ${value}). Use 0 or leave it out for the default`,
      {
        field,
      },
    );
  }
  return value;
}

/** Thread counts made explicit, so what is recorded is what ran (onnxruntime's own default is hidden). */
export function resolveThreads(
  threads: ThreadSettings,
  env: Pick<ProviderEnvironment, 'logicalCores'>,
): Required<ThreadSettings> {
  return {
    intraOpNumThreads: positiveInt(threads.intraOpNumThreads, env.logicalCores, 'intraOpNumThreads'),
    interOpNumThreads: positiveInt(threads.interOpNumThreads, 1, 'interOpNumThreads'),
  };
}

export interface CreateSessionOptions {
  provider?: ProviderRequest;
  threads?: ThreadSettings;
  /** Extra onnxruntime session options (e.g. graphOptimizationLevel); providers and threads are set here. */
  sessionOptions?: Omit<
    ort.InferenceSession.SessionOptions,
    'executionProviders' | 'intraOpNumThreads' | 'interOpNumThreads'
  >;
  /** A file name for error messages when the model came from a file. */
  label?: string;
  environment?: ProviderEnvironment;
}

/**
 * Creates a session on the requested provider, falling back down the plan and finally to CPU. A
 * provider that fails to start (no adapter, missing driver) becomes part of the notice, not an error;
 * only a model that even the CPU provider rejects is an error.
 */
export async function createSession(
  model: Uint8Array | string,
  options: CreateSessionOptions = {},
): Promise<OnnxSession> {
  const requested = options.provider ?? 'cpu';
  if (!PROVIDER_REQUESTS.includes(requested)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `Unknown execution provider "${requested}". Use one of ${PROVIDER_REQUESTS.join(', ')}`,
      { field: 'provider' },
    );
  }
  const env = options.environment ?? defaultProviderEnvironment();
  const threads = resolveThreads(options.threads ?? {}, env);
  const { candidates, skipped } = providerPlan(requested, env);
  const reasons = [...skipped];
  for (const provider of candidates) {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      executionMode: threads.interOpNumThreads > 1 ? 'parallel' : 'sequential',
      ...options.sessionOptions,
      // DirectML cannot run with memory patterns or parallel execution (onnxruntime DML EP docs).
      ...(provider === 'dml' ? { enableMemPattern: false, executionMode: 'sequential' as const } : {}),
      executionProviders: [provider],
      intraOpNumThreads: threads.intraOpNumThreads,
      interOpNumThreads: threads.interOpNumThreads,
    };
    try {
      // The overloads differ only in the model argument's type.
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, sessionOptions)
          : await ort.InferenceSession.create(model, sessionOptions);
      const choice: OnnxSession = { session, provider, requested, ...threads };
      if (reasons.length > 0) {
        choice.notice = `${reasons.join('; ')}; using ${LABEL[provider]}`;
      }
      return choice;
    } catch (err) {
      const message = firstLine((err as Error).message);
      if (provider === 'cpu') {
        const where = options.label ? `${options.label}: ` : '';
        throw new WorkbenchError(
          'INPUT_INVALID',
          `${where}onnxruntime could not load the model: ${message}. Check that it is an ONNX model whose opset onnxruntime ${ort.env.versions.common} supports`,
          options.label ? { file: options.label } : undefined,
        );
      }
      reasons.push(`${LABEL[provider]} provider failed to start: ${message}`);
    }
  }
  throw new WorkbenchError('INTERNAL', 'No execution provider could be tried');
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
