import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import { parseQnetSpec, QNET_ACTIVATIONS, type QnetSpec } from '../qnet/index.ts';

/**
 * `model.json`, the manifest of a model package (README.md in this folder). Parsed strictly: an unknown
 * key is an error, because a misspelt `maxLenght` silently falling back to a default would change every
 * number the model produces.
 */

export const MANIFEST_FILE = 'model.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const MANIFEST_FORMAT_VERSION = 1;

export const MODEL_KINDS = ['hypencoder', 'biencoder'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A model name doubles as its folder name under `<dataDir>/models/`. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;
/** Package files sit at the package root: no folders, nothing that could escape it. */
const FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const positiveInt = z
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });
const fileName = z.string({ error: 'expected a file name' }).regex(FILE_NAME_PATTERN, {
  error: 'expected a plain file name in the package folder (letters, digits, . _ -)',
});

const encoderSchema = z.strictObject({
  file: fileName,
  // 3 leaves room for [CLS] and [SEP] around at least one token.
  maxLength: z
    .int({ error: 'expected a positive integer' })
    .min(3, { error: 'expected at least 3 (the special tokens count)' })
    .max(8192, { error: 'expected at most 8192' }),
  // Files holding the graph's external tensors (ONNX external data), resolved beside the graph.
  externalData: z.array(fileName, { error: 'expected a list of file names' }).optional(),
});

const qnetSchema = z.strictObject({
  dims: z
    .array(positiveInt, { error: 'expected a list of positive integers' })
    .min(2, { error: 'expected at least two dimensions' }),
  activation: z.enum(QNET_ACTIVATIONS).optional(),
  layerNorm: z.boolean({ error: 'expected true or false' }).optional(),
  residual: z.boolean({ error: 'expected true or false' }).optional(),
  residualOnLast: z.boolean({ error: 'expected true or false' }).optional(),
  layerNormBeforeResidual: z.boolean({ error: 'expected true or false' }).optional(),
  lnEps: z
    .number({ error: 'expected a number' })
    .positive({ error: 'expected a positive number' })
    .optional(),
});

const manifestSchema = z.strictObject({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION, { error: `expected ${MANIFEST_FORMAT_VERSION}` }),
  kind: z.enum(MODEL_KINDS),
  name: z.string({ error: 'expected a name' }).regex(MODEL_NAME_PATTERN, {
    error: 'expected 1–100 letters, digits, . _ + - starting with a letter or digit',
  }),
  description: z.string().optional(),
  backbone: z
    .string({ error: 'expected the backbone checkpoint name' })
    .min(1, { error: 'expected the backbone checkpoint name' }),
  embeddingDim: positiveInt,
  query: encoderSchema,
  doc: encoderSchema,
  pooling: z.enum(['cls', 'mean']),
  similarity: z.enum(['ip', 'cos']).optional(),
  qnet: qnetSchema.optional(),
  provenance: z.strictObject({
    source: z
      .string({ error: 'expected the source checkpoint' })
      .min(1, { error: 'expected the source checkpoint' }),
    exporter: z.string({ error: 'expected the exporter' }).min(1, { error: 'expected the exporter' }),
    createdAt: z.iso.datetime({
      error: 'expected an ISO 8601 date-time such as 2025-01-31T12:00:00Z',
      offset: true,
    }),
    files: z.record(
      fileName,
      z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a lower-case hex sha256' }),
    ),
  }),
});

type RawManifest = z.infer<typeof manifestSchema>;

export interface EncoderFile {
  file: string;
  /** Longest token sequence fed to the graph, [CLS] and [SEP] included. */
  maxLength: number;
  /**
   * Files that hold the graph's tensors as ONNX external data (their `location`s), e.g. one `weights.bin`
   * shared by the query and doc graphs of a Hypencoder whose encoder is shared.
   */
  externalData?: string[];
}

export interface ModelManifest {
  formatVersion: number;
  kind: ModelKind;
  name: string;
  description?: string;
  backbone: string;
  embeddingDim: number;
  query: EncoderFile;
  doc: EncoderFile;
  /** Informational: pooling happens inside the graph. */
  pooling: 'cls' | 'mean';
  /** Bi-encoders: inner product or cosine (the search side normalises for `cos`). */
  similarity?: 'ip' | 'cos';
  /** Hypencoders: the q-net the query graph parameterises, with the reference defaults filled in. */
  qnet?: QnetSpec;
  provenance: {
    source: string;
    exporter: string;
    createdAt: string;
    /** sha256 of every package file except model.json itself. */
    files: Record<string, string>;
  };
}

/** `qnet.dims[2]`: the JSON path the way a person would type it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function issueText(issue: z.core.$ZodIssue, root: unknown): { field: string; problem: string } {
  if (issue.code === 'unrecognized_keys') {
    const where = formatPath(issue.path);
    return {
      field: where,
      problem: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; README.md lists the keys)`,
    };
  }
  if (issue.code === 'invalid_key')
    return { field: formatPath(issue.path), problem: 'expected a plain file name in the package folder' };
  if (issue.code === 'invalid_value' && 'values' in issue && issue.values.length > 1) {
    return {
      field: formatPath(issue.path),
      problem: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  if (issue.code === 'invalid_type' && valueAt(root, issue.path) === undefined) {
    return { field: formatPath(issue.path), problem: 'missing' };
  }
  return { field: formatPath(issue.path), problem: issue.message };
}

function manifestError(file: string, field: string, problem: string, more: string[] = []): WorkbenchError {
  const head = `${file}: ${field ? `${field}: ` : ''}${problem}`;
  const rest = more.length > 0 ? `; also ${more.join('; ')}` : '';
  return new WorkbenchError(
    'INPUT_INVALID',
    `${head}${rest}. Fix model.json (the package format is described in main/engine/models/README.md)`,
    {
      file,
      field,
    },
  );
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** JSON.parse with an error that names the file, line and column. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? lineAt(text, Number(position[1])) : undefined;
    throw new WorkbenchError(
      'INPUT_INVALID',
      `${file}${where ? `:${where.line}:${where.column}` : ''}: not valid JSON (${message}). Fix the syntax`,
      where ? { file, line: where.line } : { file },
    );
  }
}

/**
 * Validates a parsed model.json. `file` is what messages call it (its path). Returns the manifest with the
 * q-net's reference defaults filled in; throws INPUT_INVALID naming the JSON path of every problem found.
 */
export function parseManifest(value: unknown, file: string = MANIFEST_FILE): ModelManifest {
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const [first, ...others] = parsed.error.issues.map((issue) => issueText(issue, value));
    throw manifestError(
      file,
      first.field,
      first.problem,
      others.slice(0, 4).map((o) => `${o.field ? `${o.field}: ` : ''}${o.problem}`),
    );
  }
  const raw: RawManifest = parsed.data;
  if (raw.kind === 'biencoder') {
    if (raw.qnet !== undefined)
      throw manifestError(file, 'qnet', 'a bi-encoder has no q-net', [
        'remove "qnet" or set kind to "hypencoder"',
      ]);
    if (raw.similarity === undefined)
      throw manifestError(file, 'similarity', 'missing: a bi-encoder needs "ip" or "cos"');
  } else {
    if (raw.qnet === undefined)
      throw manifestError(file, 'qnet', 'missing: a hypencoder needs its q-net dims and configuration');
    if (raw.similarity !== undefined)
      throw manifestError(
        file,
        'similarity',
        'applies to bi-encoders only; a hypencoder scores with its q-net',
      );
    if (raw.qnet.dims[0] !== raw.embeddingDim) {
      throw manifestError(
        file,
        'qnet.dims[0]',
        `the q-net's input size ${raw.qnet.dims[0]} differs from embeddingDim ${raw.embeddingDim} (the q-net scores document embeddings)`,
      );
    }
  }
  for (const role of ['query', 'doc'] as const) {
    if (raw.provenance.files[raw[role].file] === undefined) {
      throw manifestError(file, `provenance.files`, `has no sha256 for ${role}.file "${raw[role].file}"`);
    }
    for (const [i, data] of (raw[role].externalData ?? []).entries()) {
      if (raw.provenance.files[data] === undefined) {
        throw manifestError(
          file,
          `${role}.externalData[${i}]`,
          `"${data}" has no sha256 in provenance.files; list every external-data file there`,
        );
      }
    }
  }
  if (raw.provenance.files[TOKENIZER_FILE] === undefined) {
    throw manifestError(file, 'provenance.files', `has no sha256 for ${TOKENIZER_FILE}`);
  }
  if (raw.provenance.files[MANIFEST_FILE] !== undefined) {
    throw manifestError(
      file,
      `provenance.files.${MANIFEST_FILE}`,
      'the manifest cannot list its own hash; remove the entry',
    );
  }
  let qnet: QnetSpec | undefined;
  if (raw.qnet) {
    // Semantic checks (last dim 1, residual blocks square) are the q-net module's; its messages name the field.
    qnet = parseQnetSpec(raw.qnet, { file, field: 'qnet' });
  }
  const manifest: ModelManifest = {
    formatVersion: raw.formatVersion,
    kind: raw.kind,
    name: raw.name,
    backbone: raw.backbone,
    embeddingDim: raw.embeddingDim,
    query: { ...raw.query },
    doc: { ...raw.doc },
    pooling: raw.pooling,
    provenance: { ...raw.provenance, files: { ...raw.provenance.files } },
  };
  if (raw.description !== undefined) manifest.description = raw.description;
  if (raw.similarity !== undefined) manifest.similarity = raw.similarity;
  if (qnet) manifest.qnet = qnet;
  return manifest;
}

/** The manifest as written to model.json: the q-net flattened back to its documented keys. */
export function manifestToJson(manifest: ModelManifest): Record<string, unknown> {
  const { qnet, ...rest } = manifest;
  return qnet ? { ...rest, qnet: { dims: [...qnet.dims], ...qnet.config } } : { ...rest };
}

/** Files the package must hold besides model.json: the tokenizer and the ONNX graphs (once each). */
export function requiredFiles(manifest: ModelManifest): string[] {
  return [
    ...new Set([
      TOKENIZER_FILE,
      manifest.query.file,
      manifest.doc.file,
      ...(manifest.query.externalData ?? []),
      ...(manifest.doc.externalData ?? []),
    ]),
  ];
}
