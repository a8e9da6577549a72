import type { RankedQuery } from '../ranking.ts';
import type { MeasureFamily, MeasureParams } from './types.ts';
import { RECALL_FRACTIONS } from './types.ts';

/**
 * trec_eval 9.x turns a recall fraction into a number of relevant documents by adding 0.9 and truncating
 * (`(long)(p * R + 0.9)`); 10.0 switched to lround. Kept as 9.x does it, in the same double arithmetic.
 */
function relCount(fraction: number, numRel: number): number {
  return Math.trunc(fraction * numRel + 0.9);
}

/**
 * Interpolated precision at recall points (m_iprec_at_recall.c): Int_Prec(r) = max precision at any rank
 * whose recall ≥ r, walking the ranking backwards. An empty ranking gives 0/0 as in trec_eval.
 */
function interpolatedPrecision(
  q: RankedQuery,
  p: MeasureParams,
  visit: (idx: number, value: number) => void,
) {
  const fractions = p.values;
  const numRel = q.numRel(p.level);
  const numRelRet = q.numRelRet(p.level);
  const cutoffs = fractions.map((f) => relCount(f, numRel));
  let cut = cutoffs.length - 1;
  while (cut >= 0 && cutoffs[cut] > numRelRet) cut--;
  const rels = q.rels;
  let intPrecis = numRelRet / q.numRet;
  let relSoFar = numRelRet;
  for (let i = q.numRet; i > 0 && relSoFar > 0; i--) {
    const precis = relSoFar / i;
    if (intPrecis < precis) intPrecis = precis;
    if (rels[i - 1] >= p.level) {
      while (cut >= 0 && relSoFar === cutoffs[cut]) visit(cut--, intPrecis);
      relSoFar--;
    }
  }
  while (cut >= 0) visit(cut--, intPrecis);
}

export const iprecAtRecall: MeasureFamily = {
  name: 'iprec_at_recall',
  params: 'fractions',
  defaults: RECALL_FRACTIONS,
  usesLevel: true,
  aggregate: 'mean',
  integer: false,
  width: (values) => values.length,
  compute(q, p, out, at) {
    interpolatedPrecision(q, p, (idx, value) => {
      out[at + idx] = value;
    });
  },
};

/** Mean of the interpolated precisions at the given recall points (m_11pt_avg.c); unreached points add 0. */
export const elevenPtAvg: MeasureFamily = {
  name: '11pt_avg',
  params: 'numbers',
  defaults: RECALL_FRACTIONS,
  usesLevel: true,
  aggregate: 'mean',
  integer: false,
  width: () => 1,
  compute(q, p, out, at) {
    // trec_eval sorts nothing here, but the interpolation walk needs ascending points.
    const sorted: MeasureParams = { ...p, values: [...p.values].sort((a, b) => a - b) };
    let sum = 0;
    interpolatedPrecision(q, sorted, (_idx, value) => {
      sum += value;
    });
    out[at] = sum / p.values.length;
  },
};

/** Precision at multiples of R (m_Rprec_mult.c); past the end of the ranking, relevant retrieved / cutoff. */
export const rprecMult: MeasureFamily = {
  name: 'Rprec_mult',
  params: 'fractions',
  defaults: [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0],
  usesLevel: true,
  aggregate: 'mean',
  integer: false,
  width: (values) => values.length,
  compute(q, p, out, at) {
    const numRel = q.numRel(p.level);
    const numRelRet = q.numRelRet(p.level);
    const cutoffs = p.values.map((f) => relCount(f, numRel));
    let cut = cutoffs.length - 1;
    while (cut >= 0 && cutoffs[cut] > q.numRet) {
      out[at + cut] = numRelRet / cutoffs[cut];
      cut--;
    }
    const rels = q.rels;
    let relSoFar = numRelRet;
    for (let i = q.numRet; i > 0 && relSoFar > 0; i--) {
      const precis = relSoFar / i;
      while (cut >= 0 && i === cutoffs[cut]) out[at + cut--] = precis;
      if (rels[i - 1] >= p.level) relSoFar--;
    }
  },
};

export const interpolatedFamilies: readonly MeasureFamily[] = [iprecAtRecall, elevenPtAvg, rprecMult];
