import { type MeasureFamily, single } from './types.ts';

// Counts and unranked (set) measures over the retrieved set, ports of trec_eval's m_num_*.c and m_set_*.c.

const count = (name: string, usesLevel: boolean, compute: MeasureFamily['compute']): MeasureFamily => ({
  name,
  params: 'none',
  defaults: [],
  usesLevel,
  aggregate: 'sum',
  integer: true,
  width: () => 1,
  compute,
});

/** Printed once, in the summary: the run's tag. Its value is carried by the evaluation, not per query. */
export const runid: MeasureFamily = {
  ...count('runid', false, () => {}),
  aggregate: 'runid',
};

/** The number of queries averaged over (all qrels queries under -c). */
export const numQ: MeasureFamily = {
  ...count('num_q', false, (_q, _p, out, at) => {
    out[at] = 1;
  }),
  aggregate: 'numq',
};

export const numRet = count('num_ret', false, (q, _p, out, at) => {
  out[at] = q.numRet;
});

export const numRel = count('num_rel', true, (q, p, out, at) => {
  out[at] = q.numRel(p.level);
});

export const numRelRet = count('num_rel_ret', true, (q, p, out, at) => {
  out[at] = q.numRelRet(p.level);
});

export const numNonrelJudgedRet = count('num_nonrel_judged_ret', true, (q, p, out, at) => {
  out[at] = q.numRet - q.numNonpool - q.numUnjudgedInPool - q.numRelRet(p.level);
});

export const setP = single('set_P', (q, p) => (q.numRet ? q.numRelRet(p.level) / q.numRet : 0));

export const setRecall = single('set_recall', (q, p) => {
  const rel = q.numRel(p.level);
  return rel ? q.numRelRet(p.level) / rel : 0;
});

export const setRelativeP = single('set_relative_P', (q, p) => {
  const rel = q.numRel(p.level);
  return q.numRet && rel ? q.numRelRet(p.level) / Math.min(q.numRet, rel) : 0;
});

/** Recall × precision of the retrieved set (m_set_map.c). */
export const setMap = single('set_map', (q, p) => {
  const rel = q.numRel(p.level);
  const relRet = q.numRelRet(p.level);
  return q.numRet && rel ? (relRet * relRet) / (q.numRet * rel) : 0;
});

/** van Rijsbergen's F with beta given as the parameter (default 1) (m_set_F.c). */
export const setF = single(
  'set_F',
  (q, p) => {
    const relRet = q.numRelRet(p.level);
    if (!relRet) return 0;
    const precision = relRet / q.numRet;
    const recall = relRet / q.numRel(p.level);
    const beta = p.values[0];
    return ((beta + 1) * precision * recall) / (beta * precision + recall);
  },
  { params: 'numbers', defaults: [1.0] },
);

/** Linear utility a·relret + b·nonrelret + c·relnotret + d·nonrelnotret (m_utility.c); d needs -N. */
export const utility = single(
  'utility',
  (q, p) => {
    const [a, b, c, d] = p.values;
    const rel = q.numRel(p.level);
    const relRet = q.numRelRet(p.level);
    return (
      a * relRet +
      b * (q.numRet - relRet) +
      c * (rel - relRet) +
      d * (p.numDocsInCollection + relRet - q.numRet - rel)
    );
  },
  { params: 'numbers', defaults: [1.0, -1.0, 0.0, 0.0] },
);

/**
 * The labels of the first N documents as text (m_relstring.c), per query only. The value slot stays 0; the
 * text is built by `relstring` below and kept beside the numbers.
 */
export const relstringFamily: MeasureFamily = {
  ...single('relstring', () => 0, { params: 'numbers', defaults: [10] }),
  aggregate: 'none',
};

/** One character per document: the label if 0–9, '>' above 9, '-' not in the pool, '.' pooled but unjudged. */
export function relstring(rels: Int32Array, length: number): string {
  const n = Math.max(0, Math.min(Math.trunc(length), rels.length));
  let s = '';
  for (let i = 0; i < n; i++) {
    const rel = rels[i];
    s += rel > 9 ? '>' : rel >= 0 ? String(rel) : rel === -1 ? '-' : rel === -2 ? '.' : '<';
  }
  return s;
}

export const setFamilies: readonly MeasureFamily[] = [
  runid,
  numQ,
  numRet,
  numRel,
  numRelRet,
  numNonrelJudgedRet,
  setP,
  setRecall,
  setRelativeP,
  setMap,
  setF,
  utility,
  relstringFamily,
];
