import { z } from 'zod';
import { inputError, WorkbenchError } from '../errors.ts';

/**
 * The experiment config: datasets × systems (a model with a search mode, or BM25) × parameter grids × attack
 * sets, plus metrics, a baseline and a latency profile. Any numeric search parameter may be given as an array:
 * the runner expands the cartesian product (a sweep), one run per grid point. This file checks the shape;
 * `validate.ts` checks the config against the data folder (models, datasets, sets) before any work starts.
 */

const int = (min: number) => z.number().int().min(min);
const sweep = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

const GraphParams = z
  .object({
    numEntryPoints: sweep(int(1)).optional(),
    nCandidates: sweep(int(1)).optional(),
    maxIter: sweep(int(1)).optional(),
    earlyStop: sweep(z.boolean()).optional(),
    /** Neighbours per document in the graph (the paper: 100). */
    neighbours: int(1).max(1000).optional(),
    /** Distance the neighbour graph is built with (the paper: L2). */
    metric: z.enum(['l2', 'ip']).optional(),
    /** Entry-point seed; default: the experiment's seed. */
    seed: int(0).max(0xffffffff).optional(),
  })
  .strict();

const HnswParams = z
  .object({
    M: sweep(int(2).max(256)).optional(),
    efConstruction: sweep(int(1)).optional(),
    efSearch: sweep(int(1)).optional(),
  })
  .strict();

/** Accepted so that a config can state them; FTS5's bm25() has them fixed (checked in validate.ts). */
const Bm25Params = z
  .object({ k1: sweep(z.number().min(0)).optional(), b: sweep(z.number().min(0).max(1)).optional() })
  .strict();

/** The paper's efficient-search settings (search/presets.ts); both spellings are accepted. */
export const GRAPH_PRESETS = ['efficient1', 'efficient2', 'efficient-1', 'efficient-2'] as const;

const label = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s[\]@]+$/, 'a label has no white space, brackets or @ (it becomes part of run names)')
  .optional();

const ModelMode = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('exhaustive'), label }).strict(),
  z
    .object({
      mode: z.literal('graph'),
      label,
      preset: z.enum(GRAPH_PRESETS).optional(),
      params: GraphParams.optional(),
    })
    .strict(),
  z.object({ mode: z.literal('flat'), label }).strict(),
  z.object({ mode: z.literal('hnsw'), label, params: HnswParams.optional() }).strict(),
  z
    .object({
      mode: z.literal('rerank'),
      label,
      /** The system whose top `depth` documents this model re-scores, e.g. "bm25". */
      over: z.string().min(1),
      depth: sweep(int(1).max(10_000)).optional(),
    })
    .strict(),
]);

/** Stored variation sets by name, and/or specs to generate (attacks/README.md, `attackConfigSchema`). */
const Attacks = z.union([
  z.array(z.string().min(1)),
  z
    .object({
      sets: z.array(z.string().min(1)).optional(),
      generate: z
        .array(
          z
            .object({
              family: z.enum(['misspelling', 'naturality', 'ordering', 'synonym', 'paraphrase']),
              variant: z.string().optional(),
              seed: int(0),
              sets: int(1).max(100).optional(),
              split: z.string().optional(),
              params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
            })
            .strict(),
        )
        .optional(),
    })
    .strict(),
]);

export const LatencyProfileSchema = z
  .object({
    /** Queries timed (the first N of the evaluated set). */
    queries: int(1).default(100),
    /** Queries (or batches) run and discarded before timing. */
    warmup: int(0).default(5),
    /** Passes over the timed queries. */
    repetitions: int(1).default(3),
    batchSizes: z.array(int(1).max(1024)).min(1).default([1]),
    /** onnxruntime intra-op threads; default: all logical cores. */
    threads: z.array(int(1).max(1024)).min(1).optional(),
    provider: z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu']).default('cpu'),
  })
  .strict();

export const ExperimentConfigSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'use letters, digits, . _ + - (it prefixes run names)'),
    description: z.string().optional(),
    datasets: z
      .array(
        z
          .object({
            name: z.string().min(1),
            split: z.string().min(1).optional(),
            /** trec_eval -l for binary measures (TREC DL official: 2). nDCG always uses graded labels. */
            relevanceLevel: int(1).optional(),
            /** Evaluate at most this many judged queries (a seeded sample), e.g. for a quick look. */
            maxQueries: int(1).optional(),
          })
          .strict(),
      )
      .min(1),
    models: z
      .array(z.object({ name: z.string().min(1), modes: z.array(ModelMode).min(1) }).strict())
      .default([]),
    lexical: z
      .array(z.object({ mode: z.literal('bm25'), label, params: Bm25Params.optional() }).strict())
      .default([]),
    /** trec_eval names (ndcg_cut.10, recip_rank) or ir_measures names (nDCG@10, RR@10). */
    metrics: z.array(z.string().min(1)).min(1).default(['nDCG@10', 'RR@10', 'R@100', 'R@1000']),
    /** A system id (`systemId`, or one grid point's id) the others are compared against. */
    baseline: z.string().optional(),
    topK: int(1).max(1000).default(1000),
    attacks: Attacks.default([]),
    latency: LatencyProfileSchema.optional(),
    /** Seeds query sampling and, unless a mode gives its own, graph entry points. */
    seed: int(0).max(0xffffffff).default(42),
  })
  .strict()
  .refine((c) => c.models.length + c.lexical.length > 0, {
    message: 'no systems: give models or lexical',
    path: ['models'],
  });

export type ExperimentConfig = z.output<typeof ExperimentConfigSchema>;
export type ModelModeConfig = z.output<typeof ModelMode>;
export type LatencyProfileConfig = z.output<typeof LatencyProfileSchema>;
export type AttacksConfig = z.output<typeof Attacks>;

/** `models[1].modes[0].params.nCandidates` from a zod path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

/** One problem of a config: the JSON path and what is wrong, with what to do. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** All problems of a config as one error; `details.field` is the first path, `details.issues` all of them. */
export function configError(file: string, problems: readonly ConfigProblem[]): WorkbenchError {
  const issues = problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
  return new WorkbenchError(
    'INVALID_ARGUMENT',
    `${file}: invalid experiment config: ${issues.join('; ')}${more}`,
    { file, field: problems[0]?.path ?? '(root)', issues },
  );
}

/** Parses and validates a config object; errors name the JSON path of the problem. */
export function parseExperimentConfig(json: unknown, file = 'config'): ExperimentConfig {
  const parsed = ExperimentConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw configError(
    file,
    parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
  );
}

export function parseExperimentJson(text: string, file: string): ExperimentConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw inputError(
      'INPUT_INVALID',
      { file },
      `not valid JSON (${(err as Error).message})`,
      'Fix the JSON syntax',
    );
  }
  return parseExperimentConfig(json, file);
}
