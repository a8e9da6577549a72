import { WorkbenchError } from '../errors.ts';
import { checkTopK } from './exhaustive.ts';

/** Parameters of efficient (graph) search, named as in the reference code and DESIGN.md §5. */
export interface GraphSearchParams {
  numEntryPoints: number;
  nCandidates: number;
  maxIter: number;
  earlyStop: boolean;
  topK: number;
  seed: number;
}

/** MS MARCO passage v1: the corpus the paper's presets were tuned on (8,841,823 passages). */
export const MSMARCO_PASSAGES = 8_841_823;

export const GRAPH_PRESET_NAMES = ['efficient1', 'efficient2'] as const;
export type GraphPresetName = (typeof GRAPH_PRESET_NAMES)[number];

/** The paper's settings (Killingback et al. 2025, Table "efficient search"; DESIGN.md §5). */
export const GRAPH_PRESETS: Record<
  GraphPresetName,
  { label: string; numEntryPoints: number; nCandidates: number; maxIter: number }
> = {
  efficient1: { label: 'Efficient 1', numEntryPoints: 10_000, nCandidates: 64, maxIter: 16 },
  efficient2: { label: 'Efficient 2', numEntryPoints: 100_000, nCandidates: 328, maxIter: 20 },
};

export const DEFAULT_GRAPH_SEARCH: Pick<GraphSearchParams, 'earlyStop' | 'topK' | 'seed'> = {
  earlyStop: true,
  topK: 1000,
  seed: 42,
};

export interface ResolvedPreset {
  params: GraphSearchParams;
  /** f = min(1, N / 8,841,823). */
  scale: number;
  /** The rule in words, stored with the run. */
  rule: string;
}

/**
 * A preset for a corpus of `rows` documents. The scored documents of one query are at most
 * numEntryPoints + maxIter · nCandidates · k (k = the graph's degree): the entry points, then per
 * iteration the neighbours of the nCandidates expanded. Scaling numEntryPoints and nCandidates by
 * f = N / 8,841,823 (maxIter, k and topK unchanged) keeps that bound the same *fraction* of the corpus as
 * in the paper: ≤ 1.27 % for Efficient 1, ≤ 8.55 % for Efficient 2 — so the speed-up over exhaustive search
 * stays comparable. Scaling the entry points alone would not: with nCandidates = 64 and k = 100 a
 * 100k-document corpus could be scored up to 100 % within 16 iterations. nCandidates is kept ≥ 1 and
 * numEntryPoints within [nCandidates, N]; below ~70k documents (Efficient 1) the floor of one candidate
 * makes the fraction larger than the paper's.
 */
export function resolvePreset(
  name: GraphPresetName,
  rows: number,
  overrides: Partial<Pick<GraphSearchParams, 'earlyStop' | 'topK' | 'seed'>> = {},
): ResolvedPreset {
  const preset = GRAPH_PRESETS[name];
  if (!preset) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `unknown graph-search preset "${name}"; use ${GRAPH_PRESET_NAMES.join(' or ')}`,
      { field: 'preset' },
    );
  }
  const scale = Math.min(1, rows / MSMARCO_PASSAGES);
  const nCandidates = Math.max(1, Math.round(preset.nCandidates * scale));
  const numEntryPoints = Math.min(rows, Math.max(nCandidates, Math.round(preset.numEntryPoints * scale)));
  const params: GraphSearchParams = {
    numEntryPoints,
    nCandidates,
    maxIter: preset.maxIter,
    ...DEFAULT_GRAPH_SEARCH,
    ...overrides,
  };
  const rule =
    scale === 1
      ? `${preset.label} as published (corpus ≥ MS MARCO's ${MSMARCO_PASSAGES} passages)`
      : `${preset.label} scaled by f = N/${MSMARCO_PASSAGES} = ${scale.toPrecision(4)}: numEntryPoints = clamp(round(${preset.numEntryPoints}·f), nCandidates, N), nCandidates = max(1, round(${preset.nCandidates}·f)), maxIter ${preset.maxIter} unchanged`;
  return { params: checkGraphSearchParams(params, rows), scale, rule };
}

function wholeAtLeast(value: number, min: number, field: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new WorkbenchError('INVALID_ARGUMENT', `${field} must be a whole number ≥ ${min} (got ${value})`, {
      field,
    });
  }
}

/** Checks explicit parameters against a corpus of `rows` documents. */
export function checkGraphSearchParams(p: GraphSearchParams, rows: number): GraphSearchParams {
  wholeAtLeast(p.numEntryPoints, 1, 'numEntryPoints');
  wholeAtLeast(p.nCandidates, 1, 'nCandidates');
  wholeAtLeast(p.maxIter, 1, 'maxIter');
  checkTopK(p.topK);
  if (!Number.isInteger(p.seed) || p.seed < 0 || p.seed > 0xffffffff) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `seed must be a whole number from 0 to 2^32−1 (got ${p.seed})`,
      { field: 'seed' },
    );
  }
  if (p.numEntryPoints > rows) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `numEntryPoints ${p.numEntryPoints} exceeds the corpus of ${rows} documents; use at most ${rows}`,
      {
        field: 'numEntryPoints',
      },
    );
  }
  // A fresh object in one key order, so stored configs of equal settings read alike.
  return {
    numEntryPoints: p.numEntryPoints,
    nCandidates: p.nCandidates,
    maxIter: p.maxIter,
    earlyStop: p.earlyStop,
    topK: p.topK,
    seed: p.seed,
  };
}
