import { cFixed, padRight } from './printf.ts';
import type { Evaluation } from './trec-eval.ts';

export interface TrecFormatOptions {
  /** -q: per-query lines before the `all` lines. */
  perQuery?: boolean;
  /** -n: omit the `all` lines. */
  noSummary?: boolean;
}

/**
 * trec_eval's output, byte for byte: `%-22s\t%s\t%6.4f` per value, counts as `%ld`, relstring quoted, the
 * per-query block (query by query, measures in table order) before the `all` block. gm_map, gm_bpref,
 * num_q and runid appear only in the summary, relstring only per query, as in trec_eval.
 */
export function formatTrecEval(evaluation: Evaluation, options: TrecFormatOptions = {}): string {
  const { columns, queries, perQuery, summary, relstrings } = evaluation;
  const out: string[] = [];
  if (options.perQuery) {
    for (let qi = 0; qi < queries.length; qi++) {
      const qid = queries[qi];
      for (let c = 0; c < columns.length; c++) {
        const col = columns[c];
        if (col.aggregate === 'gmean' || col.aggregate === 'numq' || col.aggregate === 'runid') continue;
        if (col.measure === 'relstring') {
          out.push(`${padRight(col.name, 22)}\t${qid}\t'${relstrings?.[qi] ?? ''}'`);
        } else {
          out.push(line(col.name, qid, perQuery[c][qi], col.integer));
        }
      }
    }
  }
  if (!options.noSummary) {
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c];
      if (col.aggregate === 'none') continue;
      if (col.aggregate === 'runid') out.push(`${padRight(col.name, 22)}\tall\t${evaluation.runid}`);
      else out.push(line(col.name, 'all', summary[c], col.integer));
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function line(name: string, qid: string, value: number, integer: boolean): string {
  return `${padRight(name, 22)}\t${qid}\t${integer ? String(Math.trunc(value)) : cFixed(value, 4).padStart(6)}`;
}
