import type { QueryVariationsRepository, VariationSetRecord } from '../attacks/index.ts';
import type { Qrels } from '../eval/index.ts';
import { mulberry32 } from '../search/index.ts';
import { canonicalJson, type DatasetRecord, type Store } from '../store/index.ts';
import type { ExperimentConfig } from './config.ts';
import { qrelsHash } from './evaluate.ts';
import { sha256 } from './plan.ts';

/**
 * The queries a job searches: the dataset's queries of the configured split (or a seeded sample of its
 * judged ones, `maxQueries`), or the same queries' texts from a query-variation set. Ids stay the original
 * query ids, so a varied run is evaluated against the same qrels and compared query by query.
 */

export interface QuerySet {
  ids: string[];
  texts: string[];
  /** sha256 of the (id, text) pairs: names the encoded queries and is recorded with the run. */
  hash: string;
  qrels: Qrels;
  qrelsHash: string;
  split: string | null;
  set: VariationSetRecord | null;
}

type DatasetEntry = ExperimentConfig['datasets'][number];

/** `count` of `items` drawn with a seeded Fisher–Yates shuffle, kept in their original order. */
export function seededSample<T>(items: readonly T[], count: number, seed: number): T[] {
  if (count >= items.length) return [...items];
  const random = mulberry32(seed);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

export class QuerySets {
  private readonly cache = new Map<string, QuerySet>();

  constructor(
    private readonly store: Pick<Store, 'queries' | 'qrels'>,
    private readonly variations: Pick<QueryVariationsRepository, 'require' | 'texts'>,
    private readonly seed: number,
  ) {}

  get(dataset: DatasetRecord, entry: DatasetEntry, setName: string | null): QuerySet {
    const key = `${dataset.id}/${setName ?? ''}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const qrels = this.store.qrels.load(dataset.id, entry.split);
    let queries = this.store.queries.list(dataset.id, entry.split);
    if (entry.maxQueries !== undefined) {
      queries = seededSample(
        queries.filter((q) => qrels.has(q.queryId)),
        entry.maxQueries,
        this.seed,
      );
    }
    let ids = queries.map((q) => q.queryId);
    let texts = queries.map((q) => q.text);
    let set: VariationSetRecord | null = null;
    if (setName !== null) {
      set = this.variations.require(setName);
      const varied = this.variations.texts(set.id);
      // A set may cover only some queries: search those, with their varied texts.
      const keep = ids.map((id, i) => [id, i] as const).filter(([id]) => varied.has(id));
      texts = keep.map(([id]) => varied.get(id)!);
      ids = keep.map(([id]) => id);
    }
    const result: QuerySet = {
      ids,
      texts,
      hash: sha256(canonicalJson(ids.map((id, i) => [id, texts[i]]))),
      qrels,
      qrelsHash: qrelsHash(qrels),
      split: entry.split ?? null,
      set,
    };
    this.cache.set(key, result);
    return result;
  }
}
