import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AttackService,
  evaluateRobustness,
  formatRobustnessTable,
  type RobustnessTableEntry,
  robustnessTable,
  STOP_WORDS,
  type VariationSetRecord,
} from '../../main/engine/attacks/index.ts';
import { evaluate, runFromEntries } from '../../main/engine/eval/index.ts';
import { emptyDatasetStats, openStore, type Store } from '../../main/engine/store/index.ts';

/**
 * The robustness experiment end to end on a real collection, with two lexical "models" standing in for
 * the neural ones (the experiment runner will feed real ones the same way): every family that can be
 * generated, a robustness table of the relative nDCG@10 drop per family and model, and the same table
 * again from a fresh data folder with the same seeds.
 */
const SCIFACT = fileURLToPath(new URL('../../../shared/datasets/scifact', import.meta.url));
const HAS_SCIFACT = existsSync(join(SCIFACT, 'corpus.jsonl'));
if (!HAS_SCIFACT) console.warn(`attacks experiment test: ${SCIFACT} not found — skipped`);

const QUERIES_EVALUATED = 60;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function loadSciFact(store: Store): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(join(SCIFACT, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
    const [qid, docno, rel] = line.split('\t');
    if (!qid) continue;
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid)?.set(docno, Number(rel));
  }
  store.transaction(() => {
    const id = store.datasets.create(
      { name: 'scifact', format: 'beir', sourcePath: SCIFACT, contentHash: 'scifact', hasCorpus: true },
      emptyDatasetStats(),
    );
    for (const line of readFileSync(join(SCIFACT, 'corpus.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      const d = JSON.parse(line) as { _id: string; title: string; text: string };
      store.documents.insert(id, d._id, d.title, d.text);
    }
    for (const line of readFileSync(join(SCIFACT, 'queries.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      const q = JSON.parse(line) as { _id: string; text: string };
      if (qrels.has(q._id)) store.queries.insert(id, q._id, 'test', q.text);
    }
    store.documents.buildFullTextIndex(id);
    store.datasets.update(id, {
      contentHash: 'scifact',
      hasCorpus: true,
      stats: emptyDatasetStats(),
      status: 'ready',
    });
  });
  return qrels;
}

/**
 * FTS5 BM25 over title and text, or over titles only: two retrievers that see the same queries. Stop
 * words are left out of the match, as a BM25 retriever's analyser would (and an OR over "of" and "the"
 * costs a scan of the whole index).
 */
const MODELS = {
  'bm25-all': (terms: string) => terms,
  'bm25-title': (terms: string) => `{title} : (${terms})`,
};

function perQueryNdcg(
  store: Store,
  qrels: Map<string, Map<string, number>>,
  model: keyof typeof MODELS,
  texts: Map<string, string>,
): Map<string, number> {
  const datasetId = store.datasets.require('scifact').id;
  const entries: { qid: string; docno: string; score: number }[] = [];
  for (const [qid, text] of texts) {
    const words = new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
    const terms = [...words]
      .filter((t) => !STOP_WORDS.has(t))
      .map((t) => `"${t}"`)
      .join(' OR ');
    const hits = terms ? store.documents.searchFullText(datasetId, MODELS[model](terms), 100) : [];
    // A query with no hit still counts (nDCG 0): a dummy document no qrels judge.
    if (hits.length === 0) entries.push({ qid, docno: 'none', score: 0 });
    for (const h of hits) entries.push({ qid, docno: h.docId, score: h.score });
  }
  const ev = evaluate(qrels, runFromEntries(model, entries), ['ndcg_cut.10']);
  const column = ev.columns.findIndex((c) => c.name === 'ndcg_cut_10');
  return new Map(ev.queries.map((qid, i) => [qid, ev.perQuery[column][i]]));
}

function experiment(): { table: string; sets: VariationSetRecord[]; entries: RobustnessTableEntry[] } {
  const dir = mkdtempSync(join(tmpdir(), 'wb-attacks-exp-'));
  dirs.push(dir);
  const store = openStore(dir);
  try {
    const qrels = loadSciFact(store);
    const attacks = new AttackService(store);
    const generate = attacks.families().flatMap((f) =>
      f.generate
        ? f.variants.map((variant) => ({
            family: f.family,
            variant,
            seed: 11,
            sets: variant === 'dl-typo' ? 3 : 1,
          }))
        : [],
    );
    const sets = attacks.resolve('scifact', { generate });
    attacks.close();
    const queries = store.queries.list(store.datasets.require('scifact').id).slice(0, QUERIES_EVALUATED);
    const originalTexts = new Map(queries.map((q) => [q.queryId, q.text]));
    const entries = (Object.keys(MODELS) as (keyof typeof MODELS)[]).map((model) => {
      const report = evaluateRobustness({
        measure: 'ndcg_cut_10',
        original: perQueryNdcg(store, qrels, model, originalTexts),
        originalTexts,
        sets: sets.map((set) => {
          const rows = attacks.repository.variations(set.id).filter((v) => originalTexts.has(v.queryId));
          return {
            set: set.name,
            family: set.family,
            variant: set.variant,
            values: perQueryNdcg(store, qrels, model, new Map(rows.map((v) => [v.queryId, v.text]))),
            variations: new Map(rows.map((v) => [v.queryId, v])),
          };
        }),
      });
      return { model, mode: 'exhaustive', report };
    });
    return { table: formatRobustnessTable(robustnessTable(entries)), sets, entries };
  } finally {
    store.close();
  }
}

describe.skipIf(!HAS_SCIFACT)('robustness experiment on SciFact (every family that can be generated)', () => {
  it('produces the table, and a re-run with the same seeds reproduces it exactly', () => {
    const first = experiment();
    const groups = first.entries[0].report.groups;
    expect(groups.map((g) => g.group)).toEqual([
      'misspelling/dl-typo',
      'misspelling/swap',
      'misspelling/qwerty',
      'misspelling/insert',
      'misspelling/delete',
      'misspelling/substitute',
      'naturality/drop-stopwords',
      'naturality/drop-word',
      'ordering/shuffle',
      'synonym/wordnet',
    ]);
    expect(groups[0].sets).toBe(3);
    for (const entry of first.entries) {
      const byGroup = new Map(entry.report.groups.map((g) => [g.group, g]));
      // A bag-of-words retriever cannot see word order: shuffling changes nothing.
      expect(byGroup.get('ordering/shuffle')?.absoluteDrop.mean).toBeCloseTo(0, 12);
      // Misspelled words do not match their index terms: nDCG@10 drops.
      expect(byGroup.get('misspelling/dl-typo')?.relativeDrop?.mean).toBeGreaterThan(0.02);
      for (const s of entry.report.sets) expect(s.queries).toBe(QUERIES_EVALUATED);
    }
    console.log(first.table);
    const second = experiment();
    expect(second.sets.map((s) => [s.name, s.summary])).toEqual(first.sets.map((s) => [s.name, s.summary]));
    expect(second.table).toBe(first.table);
    expect(second.entries.map((e) => e.report)).toEqual(first.entries.map((e) => e.report));
  });
});
