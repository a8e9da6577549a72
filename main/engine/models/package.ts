import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { createSession, type OnnxSession, type ProviderRequest, type ThreadSettings } from '../onnx/index.ts';
import { checkDeclaredIo, expectedOutputs, type GraphRole, type ProbeShapes, probe } from './contract.ts';
import { canonicalJson, sha256File, sha256Hex } from './hash.ts';
import {
  MANIFEST_FILE,
  type ModelManifest,
  parseJsonFile,
  parseManifest,
  requiredFiles,
  TOKENIZER_FILE,
} from './manifest.ts';
import { WordPieceTokenizer } from './tokenizer.ts';

/** A package read from its folder: manifest and tokenizer, no sessions yet. */
export interface ModelPackage {
  dir: string;
  manifest: ModelManifest;
  tokenizer: WordPieceTokenizer;
  /** Content hash of everything that decides the model's outputs (files and settings, not the name). */
  packageHash: string;
  /** Content hash of what decides document embeddings: doc graph and tokenizer. Keys embedding artifacts. */
  documentEncoderHash: string;
}

export interface SessionOptions {
  provider?: ProviderRequest;
  threads?: ThreadSettings;
}

/** A package with its sessions open; `query` and `doc` are one session when they share a file. */
export interface ModelRuntime extends ModelPackage {
  query: OnnxSession;
  doc: OnnxSession;
  close(): Promise<void>;
}

export interface FileCheck {
  file: string;
  bytes: number;
  sha256: string;
}

export interface GraphCheck {
  role: GraphRole;
  file: string;
  provider: string;
  notice?: string;
  inputs: string[];
  outputs: string[];
  /** Batch and padded length of the probe run, and the shapes it produced. */
  probe: { batchSize: number; length: number; shapes: ProbeShapes };
}

export interface ValidationReport {
  dir: string;
  name: string;
  kind: ModelManifest['kind'];
  packageHash: string;
  files: FileCheck[];
  tokenizer: { vocabSize: number; prefix: readonly number[]; suffix: readonly number[]; pad: number };
  graphs: GraphCheck[];
}

export function packageHash(manifest: ModelManifest): string {
  const { kind, embeddingDim, query, doc, pooling, similarity, qnet, provenance } = manifest;
  return sha256Hex(
    canonicalJson({ kind, embeddingDim, query, doc, pooling, similarity, qnet, files: provenance.files }),
  );
}

export function documentEncoderHash(manifest: ModelManifest): string {
  const { files } = manifest.provenance;
  const data = manifest.doc.externalData ?? [];
  // Without external data the key is what it always was, so existing embedding artifacts stay valid.
  return sha256Hex(
    canonicalJson({
      doc: files[manifest.doc.file],
      tokenizer: files[TOKENIZER_FILE],
      ...(data.length > 0 ? { externalData: data.map((f) => files[f]) } : {}),
    }),
  );
}

function missingFile(dir: string, file: string, why: string): WorkbenchError {
  const path = join(dir, file);
  return new WorkbenchError(
    'NOT_FOUND',
    `${path}: ${why}. The package folder must hold every file model.json names`,
    { file: path },
  );
}

/** Reads and checks model.json alone. */
export function readManifest(dir: string): ModelManifest {
  const manifestPath = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch {
    throw missingFile(dir, MANIFEST_FILE, 'not found — is this a model package folder?');
  }
  return parseManifest(parseJsonFile(text, manifestPath), manifestPath);
}

/** Reads model.json and tokenizer.json and checks that every listed file is present (hashes: `verifyFiles`). */
export function readPackage(dir: string): ModelPackage {
  const manifest = readManifest(dir);
  for (const file of new Set([...requiredFiles(manifest), ...Object.keys(manifest.provenance.files)])) {
    let isFile = false;
    try {
      isFile = statSync(join(dir, file)).isFile();
    } catch {
      throw missingFile(dir, file, 'missing');
    }
    if (!isFile) throw missingFile(dir, file, 'not a file');
  }
  const tokenizer = WordPieceTokenizer.fromFile(join(dir, TOKENIZER_FILE));
  for (const role of ['query', 'doc'] as const) tokenizer.contentBudget(manifest[role].maxLength);
  return {
    dir,
    manifest,
    tokenizer,
    packageHash: packageHash(manifest),
    documentEncoderHash: documentEncoderHash(manifest),
  };
}

/** Hashes every file the manifest lists and compares with provenance.files. */
export async function verifyFiles(
  pkg: Pick<ModelPackage, 'dir' | 'manifest'>,
  signal?: AbortSignal,
): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const [file, expected] of Object.entries(pkg.manifest.provenance.files)) {
    const path = join(pkg.dir, file);
    const sha256 = await sha256File(path, signal);
    if (sha256 !== expected) {
      throw new WorkbenchError(
        'INPUT_INVALID',
        `${path}: sha256 ${sha256} differs from ${expected} in model.json provenance.files — the file is corrupt or was changed after export. Copy the package again or re-export it`,
        { file: path, field: `provenance.files.${file}` },
      );
    }
    checks.push({ file, bytes: statSync(path).size, sha256 });
  }
  return checks;
}

async function openGraph(dir: string, file: string, options: SessionOptions): Promise<OnnxSession> {
  const path = join(dir, file);
  try {
    return await createSession(path, {
      provider: options.provider ?? 'cpu',
      threads: options.threads,
      label: path,
    });
  } catch (err) {
    if (err instanceof WorkbenchError) {
      throw new WorkbenchError(err.code, `${err.message}. Re-export ${file} or copy it again`, {
        ...err.details,
        file: path,
      });
    }
    throw err;
  }
}

/** Opens the package's sessions (one when query and doc share a graph). */
export async function openModel(pkg: ModelPackage, options: SessionOptions = {}): Promise<ModelRuntime> {
  const query = await openGraph(pkg.dir, pkg.manifest.query.file, options);
  let doc = query;
  if (pkg.manifest.doc.file !== pkg.manifest.query.file) {
    try {
      doc = await openGraph(pkg.dir, pkg.manifest.doc.file, options);
    } catch (err) {
      await query.session.release();
      throw err;
    }
  }
  return {
    ...pkg,
    query,
    doc,
    close: async () => {
      await query.session.release();
      if (doc !== query) await doc.session.release();
    },
  };
}

/** Probe texts: one short, one long enough to reach maxLength, so position embeddings are exercised. */
function probeTexts(maxLength: number): string[] {
  return [
    'what is a hypernetwork',
    Array.from({ length: maxLength }, (_, i) => `retrieval ${i % 10} scoring`).join(' '),
  ];
}

/**
 * Everything short of scoring: files present, sha256s as listed, manifest and tokenizer valid, both graphs
 * load, declare the contract's inputs and outputs, and produce the manifest's shapes on a probe batch of
 * two (one at full maxLength). Throws the first problem found as a WorkbenchError naming file and field.
 */
export async function validatePackage(
  dir: string,
  options: SessionOptions & { signal?: AbortSignal } = {},
): Promise<ValidationReport> {
  const pkg = readPackage(dir);
  const files = await verifyFiles(pkg, options.signal);
  const runtime = await openModel(pkg, options);
  try {
    const graphs: GraphCheck[] = [];
    for (const role of ['query', 'doc'] as const) {
      const { file, maxLength } = pkg.manifest[role];
      const onnx = runtime[role];
      const expected = expectedOutputs(pkg.manifest, role);
      const path = join(dir, file);
      checkDeclaredIo(onnx.session, path, expected);
      const batch = pkg.tokenizer.batch(probeTexts(maxLength), maxLength);
      const shapes = await probe(onnx.session, path, batch, expected);
      const check: GraphCheck = {
        role,
        file,
        provider: onnx.provider,
        inputs: [...onnx.session.inputNames],
        outputs: [...onnx.session.outputNames],
        probe: { batchSize: batch.batchSize, length: batch.length, shapes },
      };
      if (onnx.notice) check.notice = onnx.notice;
      graphs.push(check);
    }
    const { prefix, suffix, pad } = pkg.tokenizer.specials;
    return {
      dir,
      name: pkg.manifest.name,
      kind: pkg.manifest.kind,
      packageHash: pkg.packageHash,
      files,
      tokenizer: { vocabSize: pkg.tokenizer.vocabSize, prefix, suffix, pad },
      graphs,
    };
  } finally {
    await runtime.close();
  }
}
