import type { RankedQuery } from '../ranking.ts';
import { type MeasureFamily, type MeasureParams, perCutoff, RANK_CUTOFFS, single } from './types.ts';

// Graded measures. They ignore the relevance level: the gain of a document is its label (or a gain given
// as `label=gain`), with Järvelin & Kekäläinen's discount log2(rank + 1).

/**
 * trec_eval's gain table (setup_gains in m_ndcg.c): every label 0 … num_rel_levels−1 has gain = label unless
 * overridden, each with the number of judged documents carrying it; sorted by increasing gain.
 */
class GainTable {
  readonly labels: number[] = [];
  readonly gains: number[] = [];
  readonly counts: number[] = [];

  constructor(q: RankedQuery, overrides: MeasureParams['gains']) {
    for (const [label, gain] of overrides) {
      this.labels.push(label);
      this.gains.push(gain);
      this.counts.push(0);
    }
    const { relLevels, numRelLevels } = q.judged;
    for (let level = 0; level < numRelLevels; level++) {
      const j = this.labels.indexOf(level);
      if (j >= 0) {
        this.counts[j] = relLevels[level];
      } else {
        this.labels.push(level);
        this.gains.push(level);
        this.counts.push(relLevels[level]);
      }
    }
    const order = this.gains.map((_, i) => i).sort((a, b) => this.gains[a] - this.gains[b]);
    const pick = <T>(xs: T[]) => order.map((i) => xs[i]);
    this.labels.splice(0, this.labels.length, ...pick(this.labels));
    this.gains.splice(0, this.gains.length, ...pick(this.gains));
    this.counts.splice(0, this.counts.length, ...pick(this.counts));
  }

  gain(rel: number): number {
    const i = this.labels.indexOf(rel);
    return i >= 0 ? this.gains[i] : 0;
  }
}

/**
 * Walks the ideal ranking from the highest gain down, one document at a time, as the trec_eval loops do
 * (`num_at_level`, `cur_level`); `gain` is 0 once no positive gain is left.
 */
class IdealWalk {
  level: number;
  numAtLevel = 0;
  gain: number;

  constructor(private readonly table: GainTable) {
    this.level = table.gains.length - 1;
    this.gain = this.level >= 0 ? table.gains[this.level] : 0;
  }

  step(): void {
    this.numAtLevel++;
    const { counts, gains } = this.table;
    while (this.level >= 0 && this.numAtLevel > counts[this.level]) {
      this.numAtLevel = 1;
      this.level--;
      this.gain = this.level >= 0 ? gains[this.level] : 0;
    }
  }
}

/** ndcg (m_ndcg.c): DCG of the whole ranking over the DCG of all positive-gain judged documents. */
export const ndcg = single(
  'ndcg',
  (q, p) => {
    const table = new GainTable(q, p.gains);
    const ideal = new IdealWalk(table);
    const rels = q.rels;
    let resultsDcg = 0;
    let idealDcg = 0;
    let i = 0;
    for (; i < q.numRet && ideal.gain > 0; i++) {
      const g = table.gain(rels[i]);
      if (g !== 0) resultsDcg += g / Math.log2(i + 2);
      ideal.step();
      if (ideal.gain > 0) idealDcg += ideal.gain / Math.log2(i + 2);
    }
    for (; i < q.numRet; i++) {
      const g = table.gain(rels[i]);
      if (g !== 0) resultsDcg += g / Math.log2(i + 2);
    }
    for (; ideal.gain > 0; i++) {
      ideal.step();
      if (ideal.gain > 0) idealDcg += ideal.gain / Math.log2(i + 2);
    }
    return idealDcg > 0 ? resultsDcg / idealDcg : 0;
  },
  { usesLevel: false, params: 'gains' },
);

/**
 * ndcg_cut (m_ndcg_cut.c): gain = raw label (> 0), discount log2(rank + 1), ideal from the judged label counts
 * (labels ≥ 1). When the ideal DCG is 0 trec_eval leaves the DCG unnormalised; it is 0 then anyway.
 */
export const ndcgCut = perCutoff(
  'ndcg_cut',
  RANK_CUTOFFS,
  (q, p, out, at) => {
    const cutoffs = p.values;
    const rels = q.rels;
    let sum = 0;
    let c = 0;
    for (let i = 0; i < q.numRet && c < cutoffs.length; i++) {
      if (i === cutoffs[c]) out[at + c++] = sum;
      if (c === cutoffs.length) break;
      const gain = rels[i];
      if (gain > 0) sum += gain / Math.log2(i + 2);
    }
    while (c < cutoffs.length) out[at + c++] = sum;

    const { relLevels, numRelLevels } = q.judged;
    let level = numRelLevels - 1;
    if (level < 0) return; // no non-negative label: ideal DCG 0, values stay the (zero) DCG
    let count = 0;
    let idealDcg = 0;
    c = 0;
    for (let i = 0; ; i++) {
      count++;
      while (level > 0 && count > relLevels[level]) {
        level--;
        count = 1;
      }
      if (level === 0) break;
      if (i === cutoffs[c]) {
        if (idealDcg > 0) out[at + c] /= idealDcg;
        if (++c === cutoffs.length) break;
      }
      idealDcg += level / Math.log2(i + 2);
    }
    for (; c < cutoffs.length; c++) if (idealDcg > 0) out[at + c] /= idealDcg;
  },
  { usesLevel: false },
);

/** ndcg_rel (m_ndcg_rel.c): nDCG averaged at each relevant (positive-gain) document. */
export const ndcgRel = single(
  'ndcg_rel',
  (q, p) => {
    const table = new GainTable(q, p.gains);
    const ideal = new IdealWalk(table);
    const rels = q.rels;
    let resultsDcg = 0;
    let idealDcg = 0;
    let sum = 0;
    let numRelRet = 0;
    let numRel = 0;
    let i = 0;
    for (; i < q.numRet && ideal.gain > 0; i++) {
      const g = table.gain(rels[i]);
      if (g !== 0) resultsDcg += g / Math.log2(i + 2);
      ideal.step();
      if (ideal.gain > 0) {
        numRel++;
        idealDcg += ideal.gain / Math.log2(i + 2);
      }
      if (g > 0) {
        sum += resultsDcg / idealDcg;
        numRelRet++;
      }
    }
    for (; i < q.numRet; i++) {
      const g = table.gain(rels[i]);
      if (g !== 0) resultsDcg += g / Math.log2(i + 2);
      if (g > 0) {
        sum += resultsDcg / idealDcg;
        numRelRet++;
      }
    }
    for (; ideal.gain > 0; i++) {
      ideal.step();
      if (ideal.gain > 0) {
        numRel++;
        idealDcg += ideal.gain / Math.log2(i + 2);
      }
    }
    sum += ((numRel - numRelRet) * resultsDcg) / idealDcg;
    return sum > 0 ? sum / numRel : 0;
  },
  { usesLevel: false, params: 'gains' },
);

/** Rndcg (m_Rndcg.c): nDCG averaged at each point where the ideal gain changes, and at the end of the ranking. */
export const rndcg = single(
  'Rndcg',
  (q, p) => {
    if (q.numRel(p.level) === 0) return 0;
    const table = new GainTable(q, p.gains);
    const ideal = new IdealWalk(table);
    const rels = q.rels;
    let resultsDcg = 0;
    let idealDcg = 0;
    let sum = 0;
    let changes = 0;
    let oldIdealGain = ideal.gain;
    let i = 0;
    for (; i < q.numRet && ideal.gain > 0; i++) {
      const g = table.gain(rels[i]);
      ideal.step();
      if (oldIdealGain !== ideal.gain) {
        if (idealDcg > 0) {
          sum += resultsDcg / idealDcg;
          changes++;
        }
        oldIdealGain = ideal.gain;
      }
      if (g !== 0) resultsDcg += g / Math.log2(i + 2);
      if (ideal.gain > 0) idealDcg += ideal.gain / Math.log2(i + 2);
    }
    if (i < q.numRet) {
      for (; i < q.numRet; i++) {
        const g = table.gain(rels[i]);
        if (g !== 0) resultsDcg += g / Math.log2(i + 2);
      }
      if (idealDcg > 0) {
        sum += resultsDcg / idealDcg;
        changes++;
      }
    }
    for (; ideal.gain > 0; i++) {
      ideal.step();
      if (oldIdealGain !== ideal.gain) {
        if (idealDcg > 0) {
          sum += resultsDcg / idealDcg;
          changes++;
        }
        oldIdealGain = ideal.gain;
      }
      if (ideal.gain > 0) idealDcg += ideal.gain / Math.log2(i + 2);
    }
    return sum / changes;
  },
  { params: 'gains' },
);

/**
 * G (m_G.c, experimental in trec_eval): each document's gain over log2(2 + ideal cost so far − gain so far),
 * normalised by the total ideal gain.
 */
export const gMeasure = single(
  'G',
  (q, p) => {
    const table = new GainTable(q, p.gains);
    const ideal = new IdealWalk(table);
    const rels = q.rels;
    const minCost = 1;
    let resultsG = 0;
    let sumResults = 0;
    let sumIdeal = 0;
    let sumCost = 0;
    let i = 0;
    for (; i < q.numRet && ideal.gain > 0; i++) {
      const g = table.gain(rels[i]);
      sumResults += g;
      ideal.step();
      if (ideal.gain > 0) sumIdeal += ideal.gain;
      sumCost += Math.max(ideal.gain, minCost);
      if (g !== 0) resultsG += g / Math.log2(2 + sumCost - sumResults);
    }
    for (; i < q.numRet; i++) {
      const g = table.gain(rels[i]);
      sumResults += g;
      sumCost += minCost;
      if (g !== 0) resultsG += g / Math.log2(2 + sumCost - sumResults);
    }
    for (; ideal.gain > 0; i++) {
      ideal.step();
      if (ideal.gain > 0) sumIdeal += ideal.gain;
    }
    return sumIdeal > 0 ? resultsG / sumIdeal : 0;
  },
  { usesLevel: false, params: 'gains' },
);

export const gainFamilies: readonly MeasureFamily[] = [ndcg, ndcgCut, ndcgRel, rndcg, gMeasure];
