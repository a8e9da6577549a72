import { createHash } from 'node:crypto';
import type { GraphPresetName, SearchMode } from '../search/index.ts';
import { canonicalJson } from '../store/index.ts';
import type { ExperimentConfig } from './config.ts';

/**
 * Expansion of a config into systems, grid points and jobs. A system is one configured retriever (a model in
 * one search mode, or BM25); its swept parameters (arrays) expand into grid points, the cartesian product in
 * the order the parameters are listed; every grid point runs on every dataset and on every query set
 * (the original queries, then each attack set). Re-ranking jobs come after the jobs of the systems they
 * re-rank, so a base run always exists when it is needed.
 */

export type ConfigMode = 'exhaustive' | 'graph' | 'flat' | 'hnsw' | 'bm25' | 'rerank';

/** Config mode → SearchService mode. */
export const SEARCH_MODE_OF: Record<ConfigMode, SearchMode> = {
  exhaustive: 'qnet',
  graph: 'qnet-graph',
  flat: 'flat',
  hnsw: 'hnsw',
  bm25: 'bm25',
  rerank: 'rerank',
};

/** Which parameters each mode sweeps, in the order their grid is expanded. */
export const SWEEPABLE: Record<ConfigMode, readonly string[]> = {
  exhaustive: [],
  graph: ['numEntryPoints', 'nCandidates', 'maxIter', 'earlyStop'],
  flat: [],
  hnsw: ['M', 'efConstruction', 'efSearch'],
  bm25: ['k1', 'b'],
  rerank: ['depth'],
};

export type ParamValue = number | boolean;

export interface SystemSpec {
  /** The label, else `MODEL/MODE`, else `bm25` (numbered when repeated: `bm25#2`). */
  id: string;
  /** JSON path of the system's entry, e.g. `models[1].modes[0]`. */
  path: string;
  model: string | null;
  mode: ConfigMode;
  searchMode: SearchMode;
  preset?: GraphPresetName;
  /** Graph search: neighbour-graph build settings and the entry-point seed. */
  graph?: { neighbours?: number; metric?: 'l2' | 'ip'; seed: number };
  /** Re-ranking: the system id whose run is re-scored. */
  over?: string;
  /** Parameter → its values (one value: fixed, several: swept). */
  grid: Record<string, ParamValue[]>;
}

export interface GridPoint {
  system: SystemSpec;
  /** The system id, with the swept parameters' values when there are any: `hyp/graph[nCandidates=32,maxIter=8]`. */
  id: string;
  params: Record<string, ParamValue>;
  /** Names of the parameters this system sweeps (more than one value). */
  swept: string[];
}

export interface JobSpec {
  /** 0-based order of execution. */
  position: number;
  /** sha256 of everything that decides the job's run: the same key means the same run. */
  key: string;
  runName: string;
  dataset: string;
  datasetIndex: number;
  system: string;
  point: string;
  params: Record<string, ParamValue>;
  /** A variation set's name, or null for the dataset's own queries. */
  querySet: string | null;
}

const asArray = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

function normalPreset(p: string | undefined): GraphPresetName | undefined {
  if (p === undefined) return undefined;
  return p.replace('-', '') as GraphPresetName;
}

/** The systems of a config, in config order: models' modes first, then lexical ones. */
export function systemsOf(config: ExperimentConfig): SystemSpec[] {
  const out: SystemSpec[] = [];
  config.models.forEach((m, i) => {
    m.modes.forEach((mode, j) => {
      const grid: Record<string, ParamValue[]> = {};
      const system: SystemSpec = {
        id: mode.label ?? `${m.name}/${mode.mode}`,
        path: `models[${i}].modes[${j}]`,
        model: m.name,
        mode: mode.mode,
        searchMode: SEARCH_MODE_OF[mode.mode],
        grid,
      };
      if (mode.mode === 'graph') {
        const p = mode.params ?? {};
        system.preset = normalPreset(mode.preset);
        system.graph = { neighbours: p.neighbours, metric: p.metric, seed: p.seed ?? config.seed };
        for (const name of SWEEPABLE.graph) {
          const values = asArray(p[name as keyof typeof p] as ParamValue | ParamValue[] | undefined);
          if (values) grid[name] = values;
        }
      } else if (mode.mode === 'hnsw') {
        const p = mode.params ?? {};
        for (const name of SWEEPABLE.hnsw) {
          const values = asArray(p[name as keyof typeof p]);
          if (values) grid[name] = values;
        }
      } else if (mode.mode === 'rerank') {
        system.over = mode.over;
        grid.depth = asArray(mode.depth) ?? [100];
      }
      out.push(system);
    });
  });
  let bm25 = 0;
  config.lexical.forEach((l, i) => {
    bm25++;
    const grid: Record<string, ParamValue[]> = {};
    for (const name of SWEEPABLE.bm25) {
      const values = asArray(l.params?.[name as 'k1' | 'b']);
      if (values) grid[name] = values;
    }
    out.push({
      id: l.label ?? (bm25 === 1 ? 'bm25' : `bm25#${bm25}`),
      path: `lexical[${i}]`,
      model: null,
      mode: 'bm25',
      searchMode: 'bm25',
      grid,
    });
  });
  return out;
}

/** The cartesian product of a system's parameter values, first parameter varying slowest. */
export function gridPoints(system: SystemSpec): GridPoint[] {
  const names = Object.keys(system.grid);
  const swept = names.filter((n) => system.grid[n].length > 1);
  let combos: Record<string, ParamValue>[] = [{}];
  for (const name of names) {
    const next: Record<string, ParamValue>[] = [];
    for (const c of combos) for (const v of system.grid[name]) next.push({ ...c, [name]: v });
    combos = next;
  }
  return combos.map((params) => ({
    system,
    params,
    swept,
    id: swept.length ? `${system.id}[${swept.map((n) => `${n}=${params[n]}`).join(',')}]` : system.id,
  }));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A run name without white space (it is the TREC tag too). */
function runNameOf(experiment: string, dataset: string, point: string, querySet: string | null): string {
  const set =
    querySet === null
      ? ''
      : `@${querySet.startsWith(`${dataset}/`) ? querySet.slice(dataset.length + 1) : querySet}`;
  return `${experiment}/${dataset}/${point}${set}`.replace(/\s+/g, '_');
}

/**
 * Every job of the config, in execution order: per dataset, per query set, the non-re-ranking grid points in
 * config order, then the re-ranking ones. `querySets` gives each dataset's variation sets by name.
 */
export function expandJobs(
  config: ExperimentConfig,
  querySets: ReadonlyMap<string, readonly string[]>,
): JobSpec[] {
  const systems = systemsOf(config);
  const ordered = [
    ...systems.filter((s) => s.mode !== 'rerank'),
    ...systems.filter((s) => s.mode === 'rerank'),
  ];
  const jobs: JobSpec[] = [];
  config.datasets.forEach((d, datasetIndex) => {
    for (const querySet of [null, ...(querySets.get(d.name) ?? [])]) {
      for (const system of ordered) {
        for (const point of gridPoints(system)) {
          const key = sha256(
            canonicalJson({
              dataset: d,
              querySet,
              seed: config.seed,
              topK: config.topK,
              system: { ...system, id: undefined, path: undefined, grid: undefined },
              params: point.params,
            }),
          );
          jobs.push({
            position: jobs.length,
            key,
            runName: runNameOf(config.name, d.name, point.id, querySet),
            dataset: d.name,
            datasetIndex,
            system: system.id,
            point: point.id,
            params: point.params,
            querySet,
          });
        }
      }
    }
  });
  return jobs;
}
