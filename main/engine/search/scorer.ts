import type { QnetParams, QnetSpec } from '../qnet/index.ts';

/**
 * What q-net search needs from a scorer: the ONNX `QnetScorer` of the qnet capability in production, a
 * plain-TypeScript function in tests that must compare lists exactly. Scores are written for `nDocs`
 * contiguous rows of `docs`; `docs` and `out` are private (never SharedArrayBuffer) memory.
 */
export interface QnetDocumentScorer {
  readonly spec: QnetSpec;
  /** Documents per call this scorer runs best with (QnetScorer: its chunk size, larger on a GPU). */
  readonly preferredChunk?: number;
  score(
    params: QnetParams,
    docs: Float32Array,
    nDocs: number,
    out?: Float32Array,
    signal?: AbortSignal,
  ): Promise<Float32Array>;
}

/** Documents per scorer call: DESIGN.md §8 measured ~1024-row chunks as the CPU sweet spot of the ONNX q-net. */
export const SEARCH_CHUNK = 1024;
