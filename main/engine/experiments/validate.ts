import { resolveSpec } from '../attacks/index.ts';
import { WorkbenchError } from '../errors.ts';
import { resolveMeasures } from '../eval/index.ts';
import type { ModelManifest } from '../models/index.ts';
import { BM25_PARAMETERS, GRAPH_PRESETS } from '../search/index.ts';
import type { DatasetRecord, Store } from '../store/index.ts';
import {
  type ConfigProblem,
  configError,
  type ExperimentConfig,
  ExperimentConfigSchema,
  jsonPath,
} from './config.ts';
import { type GridPoint, gridPoints, type SystemSpec, systemsOf } from './plan.ts';

/**
 * The config checked against the data folder before any work starts: every problem found is reported at
 * once, each with the JSON path of the config entry and what to do. Nothing is written.
 */

export interface ValidationSources {
  store: Pick<Store, 'datasets' | 'queries' | 'qrels' | 'documents'>;
  /** Registered models (main/engine/models `ModelRegistry`). */
  models: {
    has(name: string): boolean;
    get(name: string): { manifest: ModelManifest };
    list(): { name: string }[];
  };
  /** Stored query-variation sets by name (attacks `QueryVariationsRepository`). */
  variationSets: { get(name: string): { datasetName: string } | undefined };
}

export interface ValidatedExperiment {
  config: ExperimentConfig;
  systems: SystemSpec[];
  /** Every grid point by id. */
  points: Map<string, GridPoint>;
  /** The baseline grid point's id, when the config names one. */
  baseline: string | null;
  datasets: DatasetRecord[];
}

const MODE_KIND: Record<string, 'hypencoder' | 'biencoder' | null> = {
  exhaustive: 'hypencoder',
  graph: 'hypencoder',
  flat: 'biencoder',
  hnsw: 'biencoder',
  rerank: null,
  bm25: null,
};

/** A grid point by id, or the only grid point of a system by the system's id. */
export function findPoint(
  id: string,
  systems: readonly SystemSpec[],
  points: ReadonlyMap<string, GridPoint>,
): { point?: GridPoint; problem?: string } {
  const point = points.get(id);
  if (point) return { point };
  const system = systems.find((s) => s.id === id);
  if (!system) return {};
  const all = gridPoints(system);
  if (all.length === 1) return { point: all[0] };
  return {
    problem: `"${id}" sweeps ${all[0].swept.join(', ')} (${all.length} grid points); name one of them, e.g. "${all[0].id}"`,
  };
}

/** Checks a config against the data folder; throws one error naming every problem's JSON path. */
export function validateExperiment(
  config: ExperimentConfig,
  sources: ValidationSources,
  file = 'config',
): ValidatedExperiment {
  const { problems, validated } = findProblems(config, sources);
  if (problems.length) throw configError(file, problems);
  return validated;
}

/**
 * For a config builder: the shape (schema) and then the data-folder checks, as a list of problems instead
 * of an error, with the config (defaults filled in) when its shape is valid.
 */
export function checkExperimentConfig(
  json: unknown,
  sources: ValidationSources,
): { config: ExperimentConfig | null; problems: ConfigProblem[] } {
  const parsed = ExperimentConfigSchema.safeParse(json);
  if (!parsed.success)
    return {
      config: null,
      problems: parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
    };
  return { config: parsed.data, problems: findProblems(parsed.data, sources).problems };
}

function findProblems(
  config: ExperimentConfig,
  sources: ValidationSources,
): { problems: ConfigProblem[]; validated: ValidatedExperiment } {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const { store } = sources;

  const datasets: DatasetRecord[] = [];
  const known = () => store.datasets.list().map((d) => d.name);
  config.datasets.forEach((d, i) => {
    const path = `datasets[${i}]`;
    const dataset = store.datasets.get(d.name);
    if (!dataset) {
      const names = known();
      problem(
        `${path}.name`,
        `no dataset named "${d.name}" in this data folder. ${names.length ? `Known: ${names.join(', ')}` : 'Import one with `workbench datasets import`'}`,
      );
      return;
    }
    datasets.push(dataset);
    if (config.datasets.findIndex((x) => x.name === d.name) !== i)
      problem(`${path}.name`, `dataset "${d.name}" is listed twice; list it once`);
    if (!dataset.hasCorpus || dataset.stats.documents === 0)
      problem(`${path}.name`, `dataset "${d.name}" has no passages to search; import it with its corpus`);
    const queries = store.queries.list(dataset.id, d.split);
    if (queries.length === 0) {
      const splits = Object.keys(store.queries.countBySplit(dataset.id)).filter(Boolean);
      problem(
        d.split === undefined ? `${path}.name` : `${path}.split`,
        d.split === undefined
          ? `dataset "${d.name}" has no queries; attach topics to it`
          : `dataset "${d.name}" has no queries in split "${d.split}"${splits.length ? `; its splits: ${splits.join(', ')}` : '; its queries have no split: leave "split" out'}`,
      );
    } else if (store.qrels.load(dataset.id, d.split).size === 0) {
      problem(
        d.split === undefined ? `${path}.name` : `${path}.split`,
        `dataset "${d.name}" has no qrels${d.split === undefined ? '' : ` for split "${d.split}"`}; attach qrels to evaluate against`,
      );
    }
  });
  const minDocuments = Math.min(...datasets.map((d) => d.stats.documents));

  config.metrics.forEach((m, i) => {
    try {
      resolveMeasures([m], { relevanceLevel: 1, numDocsInCollection: 0 });
    } catch (err) {
      problem(`metrics[${i}]`, (err as Error).message);
    }
  });

  const manifests = new Map<string, ModelManifest>();
  config.models.forEach((m, i) => {
    if (!sources.models.has(m.name)) {
      const names = sources.models.list().map((x) => x.name);
      problem(
        `models[${i}].name`,
        `no model named "${m.name}" is registered. ${names.length ? `Known: ${names.join(', ')}` : 'Import one with `workbench models import DIR`'}`,
      );
      return;
    }
    manifests.set(m.name, sources.models.get(m.name).manifest);
  });

  const systems = systemsOf(config);
  const points = new Map<string, GridPoint>();
  const seen = new Map<string, string>();
  for (const s of systems) {
    const other = seen.get(s.id);
    if (other !== undefined)
      problem(
        `${s.path}${s.mode === 'bm25' || s.model ? '.label' : ''}`,
        `system id "${s.id}" is also the id of ${other}; give one of them another "label"`,
      );
    seen.set(s.id, s.path);
    for (const p of gridPoints(s)) points.set(p.id, p);

    const manifest = s.model ? manifests.get(s.model) : undefined;
    const needs = MODE_KIND[s.mode];
    if (manifest && needs && manifest.kind !== needs) {
      problem(
        `${s.path}.mode`,
        needs === 'hypencoder'
          ? `"${s.mode}" search scores documents with a q-net, but "${s.model}" is a bi-encoder; use "flat" or "hnsw" for it`
          : `"${s.mode}" search ranks by query embedding, but "${s.model}" is a Hypencoder (its queries become q-nets); use "exhaustive" or "graph" for it`,
      );
    }
    if (s.mode === 'graph') {
      const g = s.grid;
      const explicit = ['numEntryPoints', 'nCandidates', 'maxIter'].filter((n) => g[n] !== undefined);
      if (!s.preset && explicit.length > 0 && explicit.length < 3) {
        problem(
          `${s.path}.params`,
          `graph search without a preset needs numEntryPoints, nCandidates and maxIter (missing: ${['numEntryPoints', 'nCandidates', 'maxIter'].filter((n) => !explicit.includes(n)).join(', ')}); give them, or a "preset" (${Object.keys(GRAPH_PRESETS).join(', ')})`,
        );
      }
      (g.numEntryPoints ?? []).forEach((v, k) => {
        if (Number.isFinite(minDocuments) && (v as number) > minDocuments) {
          problem(
            `${s.path}.params.numEntryPoints${g.numEntryPoints.length > 1 ? `[${k}]` : ''}`,
            `numEntryPoints ${v} exceeds the ${minDocuments} documents of the smallest dataset; use at most ${minDocuments}`,
          );
        }
      });
    }
    if (s.mode === 'bm25') {
      for (const name of ['k1', 'b'] as const) {
        (s.grid[name] ?? []).forEach((v) => {
          if (v !== BM25_PARAMETERS[name])
            problem(
              `${s.path}.params.${name}`,
              `SQLite FTS5's bm25() has ${name} fixed at ${BM25_PARAMETERS[name]} (got ${v}); leave "${name}" out or set it to ${BM25_PARAMETERS[name]}`,
            );
        });
      }
    }
  }

  for (const s of systems) {
    if (s.mode !== 'rerank' || s.over === undefined) continue;
    const found = findPoint(s.over, systems, points);
    if (found.problem) problem(`${s.path}.over`, found.problem);
    else if (!found.point)
      problem(
        `${s.path}.over`,
        `no system "${s.over}" in this config; systems: ${systems.map((x) => x.id).join(', ')}`,
      );
    else if (found.point.system.mode === 'rerank')
      problem(`${s.path}.over`, `"${s.over}" is itself a re-ranking; re-rank a first-stage system`);
  }

  let baseline: string | null = null;
  if (config.baseline !== undefined) {
    const found = findPoint(config.baseline, systems, points);
    if (found.problem) problem('baseline', found.problem);
    else if (!found.point)
      problem(
        'baseline',
        `"${config.baseline}" names no system of this config; systems: ${[...points.keys()].join(', ')}`,
      );
    else baseline = found.point.id;
  }

  const attacks = config.attacks;
  const setNames = Array.isArray(attacks) ? attacks : (attacks.sets ?? []);
  setNames.forEach((name, k) => {
    const path = Array.isArray(attacks) ? `attacks[${k}]` : `attacks.sets[${k}]`;
    const set = sources.variationSets.get(name);
    if (!set)
      problem(path, `no query-variation set named "${name}"; list them with \`workbench attacks list\``);
    else if (!config.datasets.some((d) => d.name === set.datasetName))
      problem(
        path,
        `variation set "${name}" belongs to dataset "${set.datasetName}", which this config does not evaluate`,
      );
  });
  if (!Array.isArray(attacks)) {
    (attacks.generate ?? []).forEach((g, k) => {
      try {
        if (g.family === 'paraphrase')
          throw new WorkbenchError(
            'UNAVAILABLE',
            'paraphrases cannot be generated here (no paraphrase model); import them with `attacks import`',
            { field: 'family' },
          );
        resolveSpec({ family: g.family, variant: g.variant ?? '', seed: g.seed, params: g.params });
      } catch (err) {
        const field = (err as WorkbenchError).details?.field;
        problem(`attacks.generate[${k}]${field ? `.${field}` : ''}`, (err as Error).message);
      }
    });
  }

  return { problems, validated: { config, systems, points, baseline, datasets } };
}
