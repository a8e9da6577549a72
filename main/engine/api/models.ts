import { z } from 'zod';
import type { RegisteredModel, ValidationReport } from '../models/index.ts';
import {
  defaultProviderEnvironment,
  PROVIDER_REQUESTS,
  type ProviderName,
  providerPlan,
} from '../onnx/index.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

const modelName = z.object({ name: z.string().min(1).max(100) }).strict();

/** A registered model as the Models view shows it: the manifest's facts and how it was registered. */
export interface ModelInfo {
  name: string;
  kind: 'hypencoder' | 'biencoder';
  backbone: string;
  description: string | null;
  embeddingDim: number;
  query: { file: string; maxLength: number };
  doc: { file: string; maxLength: number };
  pooling: 'cls' | 'mean';
  similarity: 'ip' | 'cos' | null;
  qnet: { dims: number[]; config: Record<string, string | number | boolean> } | null;
  provenance: { source: string; exporter: string; createdAt: string; files: Record<string, string> };
  dir: string;
  importedAt: string;
  importedFrom: string;
  packageHash: string;
  documentEncoderHash: string;
  validation: RegisteredModel['validation'];
}

export interface ProviderAvailability {
  provider: ProviderName;
  /** Whether a session asked for this provider would get it (else it falls back to the CPU). */
  available: boolean;
  /** Why not, in words that say what to install. */
  reason: string | null;
}

export function modelInfo(model: RegisteredModel): ModelInfo {
  const m = model.manifest;
  return {
    name: model.name,
    kind: m.kind,
    backbone: m.backbone,
    description: m.description ?? null,
    embeddingDim: m.embeddingDim,
    query: { ...m.query },
    doc: { ...m.doc },
    pooling: m.pooling,
    similarity: m.similarity ?? null,
    qnet: m.qnet ? { dims: [...m.qnet.dims], config: { ...m.qnet.config } } : null,
    provenance: { ...m.provenance, files: { ...m.provenance.files } },
    dir: model.dir,
    importedAt: model.importedAt,
    importedFrom: model.importedFrom,
    packageHash: model.packageHash,
    documentEncoderHash: model.documentEncoderHash,
    validation: model.validation,
  };
}

/** Which execution providers this machine can run, from onnxruntime-node's own list (onnx/session.ts). */
export function providerAvailability(): ProviderAvailability[] {
  const env = defaultProviderEnvironment();
  return PROVIDER_REQUESTS.filter((p): p is ProviderName => p !== 'auto').map((provider) => {
    if (provider === 'cpu') return { provider, available: true, reason: null };
    const plan = providerPlan(provider, env);
    const available = plan.candidates.includes(provider);
    return { provider, available, reason: available ? null : (plan.skipped[0] ?? 'not available') };
  });
}

export function modelHandlers(ctx: ApiContext) {
  const { models, jobs, settings } = ctx;
  const sessionOptions = () => {
    const s = settings.read();
    return { provider: s.provider, threads: s.threads ? { intraOpNumThreads: s.threads } : undefined };
  };
  return {
    list: handler(noInput, () => models.list().map(modelInfo)),
    show: handler(modelName, ({ name }) => modelInfo(models.get(name))),
    /** Copies, validates (hashes, sessions, a probe batch) and registers a package folder, as a job. */
    import: handler(
      z.object({ path: z.string().min(1).max(4096), name: z.string().min(1).max(100).optional() }).strict(),
      ({ path, name }) => {
        const { id } = jobs.start('models:import', `import model ${name ?? path}`, async (job) => {
          job.progress({ done: 0, total: 1, stage: 'copying and validating' });
          const model = await models.import(path, { name, signal: job.signal, ...sessionOptions() });
          job.progress({ done: 1, total: 1, stage: 'registered' });
          return { model: model.name, kind: model.manifest.kind };
        });
        return { jobId: id };
      },
    ),
    /** Validates a registered model again; the job's result is the validation report. */
    validate: handler(modelName, ({ name }) => {
      models.get(name);
      const { id } = jobs.start('models:validate', `validate model ${name}`, async (job) => {
        job.progress({ done: 0, total: 1, stage: 'validating' });
        const report: ValidationReport = await models.validate(name, {
          signal: job.signal,
          ...sessionOptions(),
        });
        job.progress({ done: 1, total: 1, stage: 'valid' });
        return report;
      });
      return { jobId: id };
    }),
    delete: handler(modelName, ({ name }) => {
      models.delete(name);
      return { deleted: true };
    }),
    providers: handler(noInput, () => providerAvailability()),
  };
}
