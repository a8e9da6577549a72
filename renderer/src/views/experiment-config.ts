/**
 * The builder's form and its translation into an experiment config (main/engine/experiments/config.ts).
 * Lists typed as "32, 64" become sweeps (arrays); a single value stays a scalar.
 */

export interface ModelChoice {
  name: string;
  kind: 'hypencoder' | 'biencoder';
  use: boolean;
  /** Hypencoder modes. */
  exhaustive: boolean;
  graph: boolean;
  graphPreset: '' | 'efficient1' | 'efficient2';
  nCandidates: string;
  maxIter: string;
  numEntryPoints: string;
  /** Bi-encoder modes. */
  flat: boolean;
  hnsw: boolean;
  efSearch: string;
}

export interface BuilderForm {
  name: string;
  dataset: string;
  split: string;
  relevanceLevel: number;
  maxQueries: string;
  models: ModelChoice[];
  bm25: boolean;
  k1: string;
  b: string;
  metrics: string;
  baseline: string;
  topK: number;
  attacks: string[];
  latency: boolean;
  latencyQueries: number;
  warmup: number;
  repetitions: number;
  batchSizes: string;
  threads: string;
  provider: 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
}

export function emptyForm(): BuilderForm {
  return {
    name: 'experiment-1',
    dataset: '',
    split: '',
    relevanceLevel: 1,
    maxQueries: '',
    models: [],
    bm25: false,
    k1: '',
    b: '',
    metrics: 'nDCG@10, RR@10, R@100, R@1000',
    baseline: '',
    topK: 100,
    attacks: [],
    latency: false,
    latencyQueries: 50,
    warmup: 5,
    repetitions: 3,
    batchSizes: '1',
    threads: '',
    provider: 'auto',
  };
}

export function modelChoice(name: string, kind: ModelChoice['kind']): ModelChoice {
  return {
    name,
    kind,
    use: false,
    exhaustive: kind === 'hypencoder',
    graph: false,
    graphPreset: '',
    nCandidates: '32, 64',
    maxIter: '16',
    numEntryPoints: '100',
    flat: kind === 'biencoder',
    hnsw: false,
    efSearch: '',
  };
}

/** "32, 64" → [32, 64]; "16" → 16; "" → undefined; anything unparsable is kept so that validation names it. */
export function numberList(text: string): number | number[] | string | undefined {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return text;
  return nums.length === 1 ? nums[0] : nums;
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

export function buildConfig(f: BuilderForm): Record<string, unknown> {
  const models = f.models
    .filter((m) => m.use)
    .map((m) => {
      const modes: Record<string, unknown>[] = [];
      if (m.kind === 'hypencoder') {
        if (m.exhaustive) modes.push({ mode: 'exhaustive' });
        if (m.graph)
          modes.push(
            m.graphPreset
              ? { mode: 'graph', preset: m.graphPreset }
              : {
                  mode: 'graph',
                  params: defined({
                    nCandidates: numberList(m.nCandidates),
                    maxIter: numberList(m.maxIter),
                    numEntryPoints: numberList(m.numEntryPoints),
                  }),
                },
          );
      } else {
        if (m.flat) modes.push({ mode: 'flat' });
        if (m.hnsw)
          modes.push(
            defined({ mode: 'hnsw', params: m.efSearch ? { efSearch: numberList(m.efSearch) } : undefined }),
          );
      }
      return { name: m.name, modes };
    });
  const config: Record<string, unknown> = {
    name: f.name,
    datasets: f.dataset
      ? [
          defined({
            name: f.dataset,
            split: f.split || undefined,
            relevanceLevel: f.relevanceLevel !== 1 ? f.relevanceLevel : undefined,
            maxQueries: numberList(f.maxQueries),
          }),
        ]
      : [],
    models,
    lexical: f.bm25
      ? [
          defined({
            mode: 'bm25',
            params: f.k1 || f.b ? defined({ k1: numberList(f.k1), b: numberList(f.b) }) : undefined,
          }),
        ]
      : [],
    metrics: f.metrics
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
    topK: f.topK,
  };
  if (f.baseline) config.baseline = f.baseline;
  if (f.attacks.length) config.attacks = [...f.attacks];
  if (f.latency) {
    const batchSizes = numberList(f.batchSizes);
    const threads = numberList(f.threads);
    config.latency = defined({
      queries: f.latencyQueries,
      warmup: f.warmup,
      repetitions: f.repetitions,
      batchSizes:
        batchSizes === undefined ? undefined : Array.isArray(batchSizes) ? batchSizes : [batchSizes],
      threads: threads === undefined ? undefined : Array.isArray(threads) ? threads : [threads],
      provider: f.provider,
    });
  }
  return config;
}

/** The system ids the config will have (experiments/plan.ts `systemsOf`), for the baseline choice. */
export function systemIds(config: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const m of (config.models as { name: string; modes: { mode: string; label?: string }[] }[]) ?? [])
    for (const mode of m.modes) ids.push(mode.label ?? `${m.name}/${mode.mode}`);
  const lexical = (config.lexical as { label?: string }[]) ?? [];
  lexical.forEach((l, i) => {
    ids.push(l.label ?? (i === 0 ? 'bm25' : `bm25#${i + 1}`));
  });
  return ids;
}
