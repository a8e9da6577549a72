import { gainFamilies } from './gain.ts';
import { interpolatedFamilies } from './interp.ts';
import { judgedFamilies } from './judged.ts';
import { rankedFamilies } from './ranked.ts';
import { setFamilies } from './set.ts';
import type { MeasureFamily } from './types.ts';

const byName = new Map<string, MeasureFamily>();
for (const f of [
  ...setFamilies,
  ...rankedFamilies,
  ...interpolatedFamilies,
  ...judgedFamilies,
  ...gainFamilies,
]) {
  byName.set(f.name, f);
}

/**
 * trec_eval 9.0.x's measure table order (measures.c): measures are computed and printed in this order,
 * whatever order -m named them in. `judged` (ir_measures) is not a trec_eval measure and comes last.
 */
export const TREC_ORDER: readonly string[] = [
  'runid',
  'num_q',
  'num_ret',
  'num_rel',
  'num_rel_ret',
  'map',
  'gm_map',
  'Rprec',
  'bpref',
  'recip_rank',
  'iprec_at_recall',
  'P',
  'relstring',
  'recall',
  'infAP',
  'gm_bpref',
  'Rprec_mult',
  'utility',
  '11pt_avg',
  'binG',
  'G',
  'ndcg',
  'ndcg_rel',
  'Rndcg',
  'ndcg_cut',
  'map_cut',
  'relative_P',
  'success',
  'set_P',
  'set_relative_P',
  'set_recall',
  'set_map',
  'set_F',
  'num_nonrel_judged_ret',
  'judged',
];

/** trec_eval's measure nicknames (measures.c), limited to the measures of the qrels/trec_results formats. */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  official: [
    'runid',
    'num_q',
    'num_ret',
    'num_rel',
    'num_rel_ret',
    'map',
    'gm_map',
    'Rprec',
    'bpref',
    'recip_rank',
    'iprec_at_recall',
    'P',
  ],
  all_trec: TREC_ORDER.filter((n) => n !== 'judged'),
  set: [
    'runid',
    'num_q',
    'num_ret',
    'num_rel',
    'num_rel_ret',
    'utility',
    'set_P',
    'set_recall',
    'set_relative_P',
    'set_map',
    'set_F',
  ],
};

export function family(name: string): MeasureFamily | undefined {
  return byName.get(name);
}

export function familyOrder(name: string): number {
  return TREC_ORDER.indexOf(name);
}
