import { WorkbenchError } from '../errors.ts';
import { compareBytewise } from './order.ts';
import type { Qrels } from './qrels.ts';
import type { Run, RunQuery } from './run.ts';

/** FollowIR's two conditions: the original instruction and the changed one, each with its qrels and run. */
export interface PmrrInput {
  ogQrels: Qrels;
  changedQrels: Qrels;
  ogRun: Run;
  changedRun: Run;
}

export interface PmrrDocument {
  docno: string;
  ogRank: number;
  newRank: number;
  /** new/og − 1 when the document moved up or stayed (≤ 0), 1 − og/new when it moved down (> 0). */
  score: number;
}

export interface PmrrResult {
  /** Mean over queries of the per-query mean, × 100 (as FollowIR reports it). */
  pmrr: number;
  /** Per query: the mean score (not × 100) and the changed documents with their ranks. */
  perQuery: Map<string, { pmrr: number; documents: PmrrDocument[] }>;
  /** Queries with changed judgments that one of the runs lacks: skipped, as the reference skips them. */
  skippedQueries: string[];
}

/**
 * p-MRR (Weller et al., "FollowIR", 2024; reference `calculate_pmrr` in mteb): does the ranking follow the
 * changed instruction? For every document whose label differs between the two qrels (a missing judgment
 * counts as label 0), its rank in the original run (og) and in the changed run (new) are compared; a
 * document absent from a run ranks at (run length + 1). Ranks are those of the reference: score
 * descending, ties kept in run order (Python's stable sort), scores as doubles. Query ids may carry
 * FollowIR's "-og" / "-changed" suffixes; they are stripped before matching.
 */
export function pMRR(input: PmrrInput): PmrrResult {
  const ogQrels = stripSuffix(input.ogQrels, '-og');
  const changedQrels = stripSuffix(input.changedQrels, '-changed');
  const ogRuns = stripSuffix(input.ogRun.queries, '-og');
  const changedRuns = stripSuffix(input.changedRun.queries, '-changed');

  const perQuery = new Map<string, { pmrr: number; documents: PmrrDocument[] }>();
  const skippedQueries: string[] = [];
  const qids = [...new Set([...ogQrels.keys(), ...changedQrels.keys()])].sort(compareBytewise);
  for (const qid of qids) {
    const changed = changedDocnos(ogQrels.get(qid), changedQrels.get(qid));
    if (changed.length === 0) continue;
    const og = ogRuns.get(qid);
    const neu = changedRuns.get(qid);
    if (!og || !neu) {
      skippedQueries.push(qid);
      continue;
    }
    const ogRanks = referenceRanks(og);
    const newRanks = referenceRanks(neu);
    const documents = changed.map((docno): PmrrDocument => {
      const ogRank = ogRanks.get(docno) ?? og.docnos.length + 1;
      const newRank = newRanks.get(docno) ?? neu.docnos.length + 1;
      const score = ogRank >= newRank ? newRank / ogRank - 1 : 1 - ogRank / newRank;
      return { docno, ogRank, newRank, score };
    });
    perQuery.set(qid, { pmrr: documents.reduce((s, d) => s + d.score, 0) / documents.length, documents });
  }
  if (perQuery.size === 0) {
    throw new WorkbenchError(
      'INPUT_EMPTY',
      'p-MRR has nothing to measure: no query has a document whose label differs between the two qrels ' +
        `with both runs present${skippedQueries.length ? ` (skipped for a missing run: ${skippedQueries.slice(0, 5).join(', ')})` : ''}. ` +
        'Check that the original and changed qrels and runs use the same query ids',
    );
  }
  let sum = 0;
  for (const q of perQuery.values()) sum += q.pmrr;
  return { pmrr: (100 * sum) / perQuery.size, perQuery, skippedQueries };
}

function changedDocnos(
  og: Map<string, number> | undefined,
  changed: Map<string, number> | undefined,
): string[] {
  const docnos = new Set([...(og?.keys() ?? []), ...(changed?.keys() ?? [])]);
  return [...docnos].filter((d) => (og?.get(d) ?? 0) !== (changed?.get(d) ?? 0)).sort(compareBytewise);
}

function referenceRanks(query: RunQuery): Map<string, number> {
  const order = [...query.docnos.keys()].sort((i, j) => query.scores[j] - query.scores[i] || i - j);
  const ranks = new Map<string, number>();
  order.forEach((i, r) => {
    ranks.set(query.docnos[i], r + 1);
  });
  return ranks;
}

function stripSuffix<T>(byQid: ReadonlyMap<string, T>, suffix: string): Map<string, T> {
  const out = new Map<string, T>();
  for (const [qid, value] of byQid) out.set(qid.endsWith(suffix) ? qid.slice(0, -suffix.length) : qid, value);
  return out;
}
