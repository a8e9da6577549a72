import type { RankedQuery } from '../ranking.ts';
import {
  type MeasureFamily,
  type MeasureParams,
  MIN_GEO_MEAN,
  perCutoff,
  RANK_CUTOFFS,
  single,
} from './types.ts';

// Rank-based binary measures, each a port of trec_eval 9.0.x's m_<name>.c: relevant means label ≥ level,
// and the loops compare `rels[i] >= level` exactly as trec_eval does (so a negative -l also counts
// unjudged documents, as it does there).

/** Uninterpolated average precision over all relevant documents in the qrels (m_map.c). */
export function averagePrecision(q: RankedQuery, level: number): number {
  const rels = q.rels;
  let relSoFar = 0;
  let sum = 0;
  for (let i = 0; i < rels.length; i++) {
    if (rels[i] >= level) {
      relSoFar++;
      sum += relSoFar / (i + 1);
    }
  }
  return relSoFar ? sum / q.numRel(level) : 0;
}

export const map = single('map', (q, p) => averagePrecision(q, p.level));

/** Per query the log of AP floored at MIN_GEO_MEAN; the summary is the geometric mean (m_gm_map.c). */
export const gmMap = single(
  'gm_map',
  (q, p) => Math.log(Math.max(averagePrecision(q, p.level), MIN_GEO_MEAN)),
  {
    aggregate: 'gmean',
  },
);

/** Precision after R documents, R = number of relevant documents (m_Rprec.c). */
export const rprec = single('Rprec', (q, p) => {
  const numRel = q.numRel(p.level);
  const look = Math.min(q.numRet, numRel);
  if (look === 0) return 0;
  let rel = 0;
  for (let i = 0; i < look; i++) if (q.rels[i] >= p.level) rel++;
  return rel / numRel;
});

/** 1 / rank of the first relevant document, no cutoff (m_recip_rank.c); `depth` gives ir_measures' RR@k. */
export const recipRank = single('recip_rank', (q, p) => {
  const rels = q.rels;
  const n = Math.min(rels.length, p.depth);
  for (let i = 0; i < n; i++) if (rels[i] >= p.level) return 1 / (i + 1);
  return 0;
});

/** Relevant documents in the top k for every cutoff k, in one pass; missing ranks count non-relevant. */
function relevantAtCutoffs(
  q: RankedQuery,
  p: MeasureParams,
  visit: (k: number, rel: number, idx: number) => void,
) {
  const cutoffs = p.values;
  const rels = q.rels;
  let relSoFar = 0;
  let c = 0;
  for (let i = 0; i < rels.length && c < cutoffs.length; i++) {
    while (c < cutoffs.length && i === cutoffs[c]) visit(cutoffs[c], relSoFar, c++);
    if (rels[i] >= p.level) relSoFar++;
  }
  while (c < cutoffs.length) visit(cutoffs[c], relSoFar, c++);
}

/** P_k divides by k (m_P.c). */
export const precision = perCutoff('P', RANK_CUTOFFS, (q, p, out, at) => {
  relevantAtCutoffs(q, p, (k, rel, c) => {
    out[at + c] = rel / k;
  });
});

/** recall_k divides by all relevant documents in the qrels; 0 when there are none (m_recall.c). */
export const recall = perCutoff('recall', RANK_CUTOFFS, (q, p, out, at) => {
  const numRel = q.numRel(p.level);
  if (numRel === 0) return;
  relevantAtCutoffs(q, p, (_k, rel, c) => {
    out[at + c] = rel / numRel;
  });
});

/** relative_P_k divides by min(k, R) (m_rel_P.c). */
export const relativeP = perCutoff('relative_P', RANK_CUTOFFS, (q, p, out, at) => {
  const numRel = q.numRel(p.level);
  if (numRel === 0) return;
  relevantAtCutoffs(q, p, (k, rel, c) => {
    out[at + c] = rel / Math.min(k, numRel);
  });
});

/** success_k: 1 when a relevant document is in the top k (m_success.c). */
export const success = perCutoff('success', [1, 5, 10], (q, p, out, at) => {
  relevantAtCutoffs(q, p, (_k, rel, c) => {
    out[at + c] = rel ? 1 : 0;
  });
});

/** AP counting only relevant documents in the top k, still divided by all relevant (m_map_cut.c). */
export const mapCut = perCutoff('map_cut', RANK_CUTOFFS, (q, p, out, at) => {
  const numRel = q.numRel(p.level);
  if (numRel === 0) return;
  const cutoffs = p.values;
  const rels = q.rels;
  let relSoFar = 0;
  let sum = 0;
  let c = 0;
  for (let i = 0; i < rels.length && c < cutoffs.length; i++) {
    while (c < cutoffs.length && i === cutoffs[c]) out[at + c++] = sum / numRel;
    if (rels[i] >= p.level) {
      relSoFar++;
      sum += relSoFar / (i + 1);
    }
  }
  while (c < cutoffs.length) out[at + c++] = sum / numRel;
});

/** binG (m_binG.c): each relevant document gains 1/log2(rank + 2 − relevant so far). */
export const binG = single('binG', (q, p) => {
  const rels = q.rels;
  let relSoFar = 0;
  let sum = 0;
  for (let i = 0; i < rels.length; i++) {
    if (rels[i] >= p.level) {
      relSoFar++;
      sum += 1 / Math.log2(3 + i - relSoFar);
    }
  }
  return relSoFar ? sum / q.numRel(p.level) : 0;
});

/**
 * ir_measures' Judged@k (not a trec_eval measure): the share of the top k documents that carry a judgment
 * (label ≥ 0; a negative label is unjudged here as everywhere in trec_eval), divided by min(k, retrieved)
 * as ir_measures does; 0 for an empty ranking.
 */
export const judged = perCutoff(
  'judged',
  [10],
  (q, p, out, at) => {
    const rels = q.rels;
    const cutoffs = p.values;
    for (let c = 0; c < cutoffs.length; c++) {
      const k = Math.min(cutoffs[c], rels.length);
      let n = 0;
      for (let i = 0; i < k; i++) if (rels[i] >= 0) n++;
      out[at + c] = k ? n / k : 0;
    }
  },
  { usesLevel: false },
);

export const rankedFamilies: readonly MeasureFamily[] = [
  map,
  gmMap,
  rprec,
  recipRank,
  precision,
  recall,
  relativeP,
  success,
  mapCut,
  binG,
  judged,
];
