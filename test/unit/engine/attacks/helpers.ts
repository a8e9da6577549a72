import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { QueryInput } from '../../../../main/engine/attacks/index.ts';
import { emptyDatasetStats, type Store } from '../../../../main/engine/store/index.ts';

/** ../shared/datasets relative to the repository root. */
export const SHARED_DATASETS = fileURLToPath(new URL('../../../../../shared/datasets', import.meta.url));
export const DL19_TOPICS = `${SHARED_DATASETS}/trec-dl-2019-passage/topics.tsv`;
export const HAS_DL19 = existsSync(DL19_TOPICS);
if (!HAS_DL19) console.warn(`attacks tests: ${DL19_TOPICS} not found — the TREC DL 2019 checks are skipped`);

export function readTopics(path: string): QueryInput[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [queryId, text] = l.split('\t');
      return { queryId, text };
    });
}

/** Queries of our own: capitals, punctuation, digits, apostrophes, short words, stop words only. */
export const OWN_QUERIES: QueryInput[] = [
  { queryId: 'o1', text: 'Hypernetworks for information retrieval' },
  { queryId: 'o2', text: 'what is the capital of france?' },
  { queryId: 'o3', text: 'how do sharks sleep' },
  { queryId: 'o4', text: "children's vaccination schedule 2024" },
  { queryId: 'o5', text: 'symptoms of vitamin d deficiency' },
  { queryId: 'o6', text: 'best running shoes for flat feet' },
  { queryId: 'o7', text: 'difference between weather and climate' },
  { queryId: 'o8', text: 'how to bake sourdough bread at home' },
  { queryId: 'o9', text: 'COVID-19 transmission in schools' },
  { queryId: 'o10', text: 'why is the sky blue' },
  { queryId: 'o11', text: 'cheap flights london to new york' },
  { queryId: 'o12', text: 'effects of caffeine on sleep quality' },
  { queryId: 'o13', text: 'python list comprehension examples' },
  { queryId: 'o14', text: 'who painted the mona lisa' },
  { queryId: 'o15', text: 'treatment for lower back pain' },
  { queryId: 'o16', text: 'average rainfall in seattle per year' },
  { queryId: 'o17', text: 'how many bones in the human body' },
  { queryId: 'o18', text: 'define photosynthesis' },
  { queryId: 'o19', text: 'largest ocean on earth' },
  { queryId: 'o20', text: 'renewable energy sources list' },
];

/** A committed dataset with queries only, written through the store's own repositories. */
export function addDataset(store: Store, name: string, queries: (QueryInput & { split?: string })[]): number {
  return store.transaction(() => {
    const id = store.datasets.create(
      { name, format: 'trec', sourcePath: `/data/${name}`, contentHash: name, hasCorpus: false },
      emptyDatasetStats(),
    );
    for (const q of queries) store.queries.insert(id, q.queryId, q.split ?? null, q.text);
    store.datasets.update(id, {
      contentHash: name,
      hasCorpus: false,
      stats: { ...emptyDatasetStats(), queries: queries.length },
      status: 'ready',
    });
    return id;
  });
}
