import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBatch, encodeQueries } from '../encode/index.ts';
import { inputError } from '../errors.ts';
import { openModel, readPackage } from '../models/index.ts';
import { QnetScorer } from '../qnet/index.ts';

/**
 * ORT-vs-PyTorch check of an exported package. The exporters (native-models/export.py, export_hf.py) write
 * samples.json: fixed query and document texts, the token ids their Python tokenizer produced, PyTorch's
 * document embeddings and query–document scores (inner products, or the q-net of DESIGN.md §4). Here the
 * same texts go through the workbench's tokenizer, the ONNX graphs and the engine's q-net scorer.
 */

export const SAMPLES_FILE = 'samples.json';

/** |onnx − torch| ≤ SAMPLE_ATOL + SAMPLE_RTOL·|torch|: float32 graphs differ from PyTorch in summation order. */
export const SAMPLE_ATOL = 1e-4;
export const SAMPLE_RTOL = 1e-4;

export interface Samples {
  queries: string[];
  docs: string[];
  queryTokenIds: number[][];
  docTokenIds: number[][];
  docEmbeddings: number[][];
  queryEmbeddings?: number[][];
  /** scores[q][d]. */
  scores: number[][];
}

export interface SampleCheck {
  /** Rows whose token ids differ from the exporter's (query i / doc i); empty when all agree. */
  tokenMismatches: string[];
  maxDiff: { docEmbeddings: number; queryEmbeddings: number | null; scores: number };
  /** Largest |diff| / (SAMPLE_ATOL + SAMPLE_RTOL·|expected|) over all values: ≤ 1 passes. */
  worstRatio: number;
  pass: boolean;
}

function ids(
  batch: { inputIds: BigInt64Array; length: number; tokenCounts: Int32Array },
  row: number,
): number[] {
  return Array.from(
    batch.inputIds.subarray(row * batch.length, row * batch.length + batch.tokenCounts[row]),
    Number,
  );
}

class Diff {
  max = 0;
  worst = 0;
  add(got: number, want: number): void {
    const d = Math.abs(got - want);
    this.max = Math.max(this.max, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
    this.worst = Math.max(this.worst, d / (SAMPLE_ATOL + SAMPLE_RTOL * Math.abs(want)));
  }
}

/** Adds every expected[i][j] against got[i·width + j]. */
function compareRows(expected: readonly number[][], got: ArrayLike<number>, width: number, diff: Diff): void {
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) diff.add(got[i * width + j], expected[i][j]);
  }
}

export async function checkSamples(packageDir: string): Promise<SampleCheck> {
  const file = join(packageDir, SAMPLES_FILE);
  const samples = JSON.parse(readFileSync(file, 'utf8')) as Samples;
  if (!Array.isArray(samples.queries) || !Array.isArray(samples.scores)) {
    throw inputError('INPUT_INVALID', { file, field: 'scores' }, 'not a samples file', 'Re-run the exporter');
  }
  const model = await openModel(readPackage(packageDir));
  try {
    const { manifest, tokenizer } = model;
    const tokenMismatches: string[] = [];
    const qBatch = tokenizer.batch(samples.queries, manifest.query.maxLength);
    const dBatch = tokenizer.batch(samples.docs, manifest.doc.maxLength);
    samples.queries.forEach((_, i) => {
      if (ids(qBatch, i).join() !== samples.queryTokenIds[i].join()) tokenMismatches.push(`query ${i}`);
    });
    samples.docs.forEach((_, i) => {
      if (ids(dBatch, i).join() !== samples.docTokenIds[i].join()) tokenMismatches.push(`doc ${i}`);
    });

    const dim = manifest.embeddingDim;
    const docs = await encodeBatch(model.doc.session, tokenizer, samples.docs, manifest.doc.maxLength);
    const docDiff = new Diff();
    compareRows(samples.docEmbeddings, docs, dim, docDiff);

    const queries = await encodeQueries(model, samples.queries);
    const nq = samples.queries.length;
    const nd = samples.docs.length;
    let scores: Float32Array | Float64Array;
    let queryDiff: Diff | null = null;
    if (queries.kind === 'biencoder') {
      queryDiff = new Diff();
      const q = queries.embeddings;
      compareRows(samples.queryEmbeddings ?? [], q, dim, queryDiff);
      scores = new Float64Array(nq * nd);
      for (let i = 0; i < nq; i++) {
        for (let d = 0; d < nd; d++) {
          let s = 0;
          for (let j = 0; j < dim; j++) s += q[i * dim + j] * docs[d * dim + j];
          scores[i * nd + d] = s;
        }
      }
    } else {
      const scorer = await QnetScorer.create({ spec: queries.spec });
      try {
        scores = await scorer.scoreBatch(queries.params, docs, nd);
      } finally {
        await scorer.dispose();
      }
    }
    const scoreDiff = new Diff();
    compareRows(samples.scores, scores, nd, scoreDiff);
    const worstRatio = Math.max(docDiff.worst, scoreDiff.worst, queryDiff?.worst ?? 0);
    return {
      tokenMismatches,
      maxDiff: { docEmbeddings: docDiff.max, queryEmbeddings: queryDiff?.max ?? null, scores: scoreDiff.max },
      worstRatio,
      pass: tokenMismatches.length === 0 && worstRatio <= 1,
    };
  } finally {
    await model.close();
  }
}
