import { WorkbenchError } from '../errors.ts';
import { family as familyNamed, familyOrder, NICKNAMES } from './measures/registry.ts';
import type { Aggregate, MeasureFamily, MeasureParams } from './measures/types.ts';
import { cFixed } from './printf.ts';

/** One printed number and the settings that produced it. */
export interface MeasureColumn {
  /** As printed: trec_eval style (`P_10`, `iprec_at_recall_0.50`) or ir_measures style (`RR(rel=2)@10`). */
  name: string;
  /** The trec_eval measure computing it (`P`, `ndcg_cut`, …). */
  measure: string;
  /** Rank cutoff, recall fraction (iprec_at_recall) or multiple of R (Rprec_mult); null for none. */
  cutoff: number | null;
  /** Relevance level for binary decisions; null when the measure ignores it (nDCG, num_ret, …). */
  relevanceLevel: number | null;
  /** Rank depth applied before measuring (ir_measures RR@k); null for the whole ranking. */
  depth: number | null;
  aggregate: Aggregate;
  /** Printed as an integer (%ld) like trec_eval's counts. */
  integer: boolean;
}

/** One computation of a measure family with its parameters, producing one or more columns. */
export interface MeasureInstance {
  family: MeasureFamily;
  params: MeasureParams;
  columns: MeasureColumn[];
}

export interface MeasureDefaults {
  relevanceLevel: number;
  numDocsInCollection: number;
}

/**
 * Turns -m arguments into measure instances. Two name styles are accepted:
 * - trec_eval: `map`, `P.5,10`, `ndcg_cut.10`, `iprec_at_recall.0,.5`, `ndcg.1=3,2=7`, nicknames `official`,
 *   `all_trec`, `set`. Printed in trec_eval's measure table order. Repeating a measure with other cutoffs
 *   adds them (trec_eval keeps only the first -m's cutoffs; the union is the one deliberate difference).
 * - ir_measures: `nDCG@10`, `RR(rel=2)@10`, `AP(rel=2)`, `P@10`, `R@1000`, `Success@1`, `Judged@10`, `NumQ`,
 *   `NumRel`, `NumRet`, `NumRelRet`, `Rprec`, `Bpref`, `infAP`, `IPrec@0.5`, `SetP`, `SetR`, `SetF`, `SetAP`.
 *   `rel=N` sets the relevance level of that measure only; RR@k counts only the first k documents.
 *   Printed after the trec_eval-style ones, in the order given.
 */
export function resolveMeasures(specs: readonly string[], defaults: MeasureDefaults): MeasureInstance[] {
  const trec = new Map<string, TrecRequest>();
  const ir: MeasureInstance[] = [];
  const seenIr = new Set<string>();
  for (const raw of specs) {
    const spec = raw.trim();
    if (isIrMeasuresStyle(spec)) {
      const inst = parseIrMeasure(spec, defaults);
      if (!seenIr.has(inst.columns[0].name)) {
        seenIr.add(inst.columns[0].name);
        ir.push(inst);
      }
    } else {
      addTrecRequest(trec, spec);
    }
  }
  const trecInstances = [...trec.values()]
    .sort((a, b) => familyOrder(a.family.name) - familyOrder(b.family.name))
    .map((r) => trecInstance(r, defaults));
  return [...trecInstances, ...ir];
}

interface TrecRequest {
  family: MeasureFamily;
  /** null: the family's defaults. */
  values: number[] | null;
  gains: Array<[number, number]>;
  /** The parameter text as given, for names of single-valued measures with parameters (trec_eval appends it). */
  printable: string | null;
}

function addTrecRequest(requests: Map<string, TrecRequest>, spec: string): void {
  const dot = spec.indexOf('.');
  const name = dot === -1 ? spec : spec.slice(0, dot);
  const paramText = dot === -1 ? null : spec.slice(dot + 1);
  const nickname = NICKNAMES[name];
  if (nickname) {
    if (paramText !== null) throw badMeasure(spec, `"${name}" is a set of measures and takes no parameters`);
    for (const n of nickname) if (!requests.has(n)) requests.set(n, defaultRequest(familyNamed(n)!));
    return;
  }
  const fam = familyNamed(name);
  if (!fam || fam.name === 'judged') throw badMeasure(spec, unknownMeasureHint(name));
  const previous = requests.get(name);
  if (paramText === null) {
    if (!previous) requests.set(name, defaultRequest(fam));
    return;
  }
  if (paramText === '') throw badMeasure(spec, 'nothing after the "."');
  const parsed = parseTrecParams(fam, paramText, spec);
  if (!previous || (previous.values === null && previous.printable === null && previous.gains.length === 0)) {
    requests.set(name, parsed);
    return;
  }
  if (fam.params === 'cutoffs' || fam.params === 'fractions') {
    previous.values = [...new Set([...(previous.values ?? []), ...(parsed.values ?? [])])].sort(
      (a, b) => a - b,
    );
    return;
  }
  if (previous.printable !== parsed.printable) {
    throw badMeasure(spec, `${name} is given twice with different parameters ("${previous.printable}")`);
  }
}

function defaultRequest(fam: MeasureFamily): TrecRequest {
  return { family: fam, values: null, gains: [], printable: null };
}

function parseTrecParams(fam: MeasureFamily, text: string, spec: string): TrecRequest {
  const parts = text.split(',');
  switch (fam.params) {
    case 'none':
      throw badMeasure(spec, `${fam.name} takes no parameters`);
    case 'cutoffs': {
      const values = parts.map((p) => {
        if (!/^\d+$/.test(p) || Number(p) <= 0) {
          throw badMeasure(spec, `cutoff "${p}" is not a positive integer`);
        }
        return Number(p);
      });
      return { family: fam, values: sortedUnique(values, spec), gains: [], printable: text };
    }
    case 'fractions':
      return {
        family: fam,
        values: sortedUnique(
          parts.map((p) => number(p, spec)),
          spec,
        ),
        gains: [],
        printable: text,
      };
    case 'numbers': {
      const values = parts.map((p) => number(p, spec));
      if (fam.name === 'utility' && values.length !== 4) {
        throw badMeasure(spec, 'utility takes exactly four coefficients a,b,c,d');
      }
      return { family: fam, values, gains: [], printable: text };
    }
    case 'gains': {
      const gains = parts.map((p): [number, number] => {
        const m = /^([+-]?\d+)=(.+)$/.exec(p);
        if (!m) throw badMeasure(spec, `"${p}" is not of the form label=gain`);
        return [Number(m[1]), number(m[2], spec)];
      });
      return { family: fam, values: null, gains, printable: text };
    }
  }
}

function trecInstance(r: TrecRequest, defaults: MeasureDefaults): MeasureInstance {
  const fam = r.family;
  const values = r.values ?? [...fam.defaults];
  const params: MeasureParams = {
    level: defaults.relevanceLevel,
    values,
    gains: r.gains,
    depth: Number.POSITIVE_INFINITY,
    numDocsInCollection: defaults.numDocsInCollection,
  };
  const level = fam.usesLevel ? defaults.relevanceLevel : null;
  const column = (name: string, cutoff: number | null): MeasureColumn => ({
    name,
    measure: fam.name,
    cutoff,
    relevanceLevel: level,
    depth: null,
    aggregate: fam.aggregate,
    integer: fam.integer,
  });
  let columns: MeasureColumn[];
  if (fam.params === 'cutoffs') columns = values.map((k) => column(`${fam.name}_${k}`, k));
  else if (fam.params === 'fractions') columns = values.map((f) => column(`${fam.name}_${cFixed(f, 2)}`, f));
  else columns = [column(r.printable === null ? fam.name : `${fam.name}_${r.printable}`, null)];
  return { family: fam, params, columns };
}

// --- ir_measures style ---------------------------------------------------------------------------------

interface IrName {
  canonical: string;
  /** trec_eval family without / with a cutoff. */
  family: string;
  cutoffFamily?: string;
  cutoff: 'none' | 'optional' | 'required';
  /** Whether `rel=` is accepted (the measure uses a relevance level). */
  rel: boolean;
  /** RR@k: the cutoff is a rank depth, not a family cutoff. */
  cutoffIsDepth?: boolean;
  /** IPrec@r: the cutoff is a recall fraction. */
  cutoffIsFraction?: boolean;
}

const IR_NAMES: Record<string, IrName> = {
  AP: { canonical: 'AP', family: 'map', cutoffFamily: 'map_cut', cutoff: 'optional', rel: true },
  P: { canonical: 'P', family: 'P', cutoffFamily: 'P', cutoff: 'required', rel: true },
  R: { canonical: 'R', family: 'recall', cutoffFamily: 'recall', cutoff: 'required', rel: true },
  RR: { canonical: 'RR', family: 'recip_rank', cutoff: 'optional', rel: true, cutoffIsDepth: true },
  nDCG: { canonical: 'nDCG', family: 'ndcg', cutoffFamily: 'ndcg_cut', cutoff: 'optional', rel: false },
  Success: {
    canonical: 'Success',
    family: 'success',
    cutoffFamily: 'success',
    cutoff: 'required',
    rel: true,
  },
  Judged: { canonical: 'Judged', family: 'judged', cutoffFamily: 'judged', cutoff: 'required', rel: false },
  NumQ: { canonical: 'NumQ', family: 'num_q', cutoff: 'none', rel: false },
  NumRel: { canonical: 'NumRel', family: 'num_rel', cutoff: 'none', rel: true },
  NumRet: { canonical: 'NumRet', family: 'num_ret', cutoff: 'none', rel: false },
  NumRelRet: { canonical: 'NumRelRet', family: 'num_rel_ret', cutoff: 'none', rel: true },
  Rprec: { canonical: 'Rprec', family: 'Rprec', cutoff: 'none', rel: true },
  Bpref: { canonical: 'Bpref', family: 'bpref', cutoff: 'none', rel: true },
  infAP: { canonical: 'infAP', family: 'infAP', cutoff: 'none', rel: true },
  IPrec: {
    canonical: 'IPrec',
    family: 'iprec_at_recall',
    cutoffFamily: 'iprec_at_recall',
    cutoff: 'required',
    rel: true,
    cutoffIsFraction: true,
  },
  SetP: { canonical: 'SetP', family: 'set_P', cutoff: 'none', rel: true },
  SetR: { canonical: 'SetR', family: 'set_recall', cutoff: 'none', rel: true },
  SetF: { canonical: 'SetF', family: 'set_F', cutoff: 'none', rel: true },
  SetAP: { canonical: 'SetAP', family: 'set_map', cutoff: 'none', rel: true },
};
const IR_ALIASES: Record<string, string> = {
  MAP: 'AP',
  MRR: 'RR',
  NDCG: 'nDCG',
  Recall: 'R',
  BPref: 'Bpref',
  Precision: 'P',
};

function irName(name: string): IrName | undefined {
  return IR_NAMES[IR_ALIASES[name] ?? name];
}

function isIrMeasuresStyle(spec: string): boolean {
  if (spec.includes('@') || spec.includes('(')) return true;
  const name = spec.split('.')[0];
  return !familyNamed(name) && !NICKNAMES[name] && irName(spec) !== undefined;
}

const IR_SYNTAX = /^([A-Za-z][A-Za-z0-9_]*)(?:\(([^()]*)\))?(?:@([0-9]*\.?[0-9]+))?$/;

function parseIrMeasure(spec: string, defaults: MeasureDefaults): MeasureInstance {
  const m = IR_SYNTAX.exec(spec);
  if (!m) throw badMeasure(spec, 'expected Name, Name@k or Name(rel=N)@k');
  const [, rawName, paramText, cutoffText] = m;
  const info = irName(rawName);
  if (!info) throw badMeasure(spec, unknownMeasureHint(rawName));
  let level = defaults.relevanceLevel;
  let relGiven: number | null = null;
  if (paramText !== undefined && paramText.trim() !== '') {
    for (const part of paramText.split(',')) {
      const [key, value] = part.split('=').map((s) => s.trim());
      if (key !== 'rel') throw badMeasure(spec, `parameter "${key}" is not supported (only rel=N)`);
      if (!info.rel) {
        throw badMeasure(
          spec,
          `${info.canonical} does not use a relevance level` +
            (info.family === 'ndcg' ? ": trec_eval's nDCG uses the raw label as gain" : ''),
        );
      }
      if (!/^[+-]?\d+$/.test(value ?? '')) throw badMeasure(spec, `rel must be an integer, got "${value}"`);
      relGiven = Number(value);
      level = relGiven;
    }
  }
  let cutoff: number | null = null;
  if (cutoffText !== undefined) {
    if (info.cutoff === 'none') throw badMeasure(spec, `${info.canonical} takes no @cutoff`);
    cutoff = Number(cutoffText);
    if (info.cutoffIsFraction ? !(cutoff >= 0 && cutoff <= 1) : !Number.isInteger(cutoff) || cutoff <= 0) {
      throw badMeasure(
        spec,
        info.cutoffIsFraction
          ? 'the recall point must lie in [0, 1]'
          : 'the cutoff must be a positive integer',
      );
    }
  } else if (info.cutoff === 'required') {
    throw badMeasure(spec, `${info.canonical} needs a cutoff, e.g. ${info.canonical}@10`);
  }
  const familyName = cutoff !== null && !info.cutoffIsDepth ? info.cutoffFamily! : info.family;
  const fam = familyNamed(familyName)!;
  const name =
    info.canonical +
    (relGiven !== null ? `(rel=${relGiven})` : '') +
    (cutoff !== null ? `@${cutoffText}` : '');
  const params: MeasureParams = {
    level,
    values: cutoff !== null && !info.cutoffIsDepth ? [cutoff] : [...fam.defaults],
    gains: [],
    depth: info.cutoffIsDepth && cutoff !== null ? cutoff : Number.POSITIVE_INFINITY,
    numDocsInCollection: defaults.numDocsInCollection,
  };
  const column: MeasureColumn = {
    name,
    measure: fam.name,
    cutoff: info.cutoffIsDepth ? null : cutoff,
    relevanceLevel: fam.usesLevel ? level : null,
    depth: info.cutoffIsDepth ? cutoff : null,
    aggregate: fam.aggregate,
    integer: fam.integer,
  };
  return { family: fam, params, columns: [column] };
}

// --- helpers -------------------------------------------------------------------------------------------

function number(text: string, spec: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw badMeasure(spec, `"${text}" is not a number`);
  return v;
}

function sortedUnique(values: number[], spec: string): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw badMeasure(spec, `duplicate cutoff ${sorted[i]}`);
  }
  return sorted;
}

function unknownMeasureHint(name: string): string {
  const irGuess = Object.keys(IR_NAMES).find((k) => k.toLowerCase() === name.toLowerCase());
  const trecGuess = familyNamed(name.toLowerCase());
  const guess = irGuess ?? (trecGuess && trecGuess.name !== 'judged' ? trecGuess.name : undefined);
  return `unknown measure "${name}"${guess ? ` (did you mean ${guess}?)` : ''}`;
}

function badMeasure(spec: string, problem: string): WorkbenchError {
  return new WorkbenchError(
    'INVALID_ARGUMENT',
    `measure "${spec}": ${problem}. Use trec_eval names (map, P.10, ndcg_cut.10, recip_rank, all_trec) or ` +
      'ir_measures names (AP, P@10, nDCG@10, RR(rel=2)@10, R@1000, Success@1, Judged@10)',
    { field: 'measure', measure: spec },
  );
}
