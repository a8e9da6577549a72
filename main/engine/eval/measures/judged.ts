import { type RankedQuery, RELVALUE_NONPOOL, RELVALUE_UNJUDGED } from '../ranking.ts';
import { INFAP_EPSILON, type MeasureFamily, MIN_GEO_MEAN, single } from './types.ts';

// Measures built for incomplete judgments: they skip retrieved documents that are not in the pool.

/**
 * bpref (m_bpref.c, Buckley & Voorhees SIGIR 2004): for each judged relevant document, the fraction of the
 * first R judged non-relevant documents ranked below it, with R = min(relevant, judged non-relevant).
 */
export function bprefValue(q: RankedQuery, level: number): number {
  const numRel = q.numRel(level);
  const numNonrel = q.judged.numNonrel(level);
  const rels = q.rels;
  let nonrelSoFar = 0;
  let bpref = 0;
  for (let j = 0; j < rels.length; j++) {
    const rel = rels[j];
    if (rel === RELVALUE_NONPOOL || rel === RELVALUE_UNJUDGED) continue;
    if (rel >= 0 && rel < level) {
      nonrelSoFar++;
    } else if (nonrelSoFar > 0) {
      bpref += 1 - Math.min(nonrelSoFar, numRel) / Math.min(numNonrel, numRel);
    } else {
      bpref += 1;
    }
  }
  return numRel ? bpref / numRel : bpref;
}

export const bpref = single('bpref', (q, p) => bprefValue(q, p.level));

/** log of bpref floored at MIN_GEO_MEAN; geometric mean in the summary (m_gm_bpref.c). */
export const gmBpref = single(
  'gm_bpref',
  (q, p) => Math.log(Math.max(bprefValue(q, p.level), MIN_GEO_MEAN)),
  {
    aggregate: 'gmean',
  },
);

/** Inferred AP (m_infap.c, Yilmaz & Aslam CIKM 2006): pooled-but-unjudged documents are sampled out. */
export const infAP = single('infAP', (q, p) => {
  const level = p.level;
  const rels = q.rels;
  let nonrelSoFar = 0;
  let relSoFar = 0;
  let poolUnjudgedSoFar = 0;
  let infAp = 0;
  for (let j = 0; j < rels.length; j++) {
    const rel = rels[j];
    if (rel === RELVALUE_NONPOOL) continue;
    if (rel === RELVALUE_UNJUDGED) {
      poolUnjudgedSoFar++;
      continue;
    }
    if (rel >= 0 && rel < level) {
      nonrelSoFar++;
      continue;
    }
    relSoFar++;
    if (j === 0) {
      infAp += 1;
    } else {
      const fj = j;
      infAp +=
        1 / (fj + 1) +
        (fj / (fj + 1)) *
          ((relSoFar - 1 + nonrelSoFar + poolUnjudgedSoFar) / fj) *
          ((relSoFar - 1 + INFAP_EPSILON) / (relSoFar - 1 + nonrelSoFar + 2 * INFAP_EPSILON));
    }
  }
  const numRel = q.numRel(level);
  return numRel ? infAp / numRel : infAp;
});

export const judgedFamilies: readonly MeasureFamily[] = [bpref, gmBpref, infAP];
