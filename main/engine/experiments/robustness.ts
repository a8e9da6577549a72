import {
  ATTACK_FAMILIES,
  type AttackFamily,
  evaluateRobustness,
  type FamilyStatus,
  formatRobustnessTable,
  type QueryVariationsRepository,
  type RobustnessTable,
  type RobustnessTableEntry,
  robustnessTable,
  type VariationSetRecord,
  type VariationText,
} from '../attacks/index.ts';
import { resolveMeasures } from '../eval/index.ts';
import type { MetricSettings, Store } from '../store/index.ts';
import { storedMeasures } from './compare.ts';
import { parseExperimentConfig } from './config.ts';
import { describeSettings } from './format.ts';
import { gridPoints, systemsOf } from './plan.ts';
import type { ExperimentsRepository, JobRecord } from './repository.ts';

/**
 * The robustness table of a finished experiment (attacks `robustnessTable`): per dataset and measure, one
 * row per attack group (family/variant), one column per grid point, each cell the relative drop of the
 * measure from the original queries to the group's sets. Built from the per-query values stored with the
 * runs and the stored variation texts, so it is the same table on every re-read of the same runs. A family
 * with no set in the experiment is listed with the reason (paraphrase: it cannot be generated here).
 */

export interface AbsentFamily {
  family: AttackFamily;
  reason: string;
}

export interface ExperimentRobustness {
  dataset: string;
  split: string | null;
  /** The measure as stored with the runs (the metric's column name, e.g. `nDCG@10`). */
  measure: string;
  /** Settings of the original runs' values (the varied runs' share them but for the qrels' query set). */
  settings: MetricSettings | null;
  /** Original queries evaluated per grid point (the sample when `maxQueries` is set). */
  queries: number;
  maxQueries: number | null;
  sampleSeed: number;
  table: RobustnessTable;
  entries: RobustnessTableEntry[];
  sets: VariationSetRecord[];
  absent: AbsentFamily[];
}

export interface ExperimentRobustnessSources {
  store: Pick<Store, 'runs' | 'metrics' | 'queries' | 'datasets'>;
  experiments: Pick<ExperimentsRepository, 'require' | 'jobs'>;
  variations: Pick<QueryVariationsRepository, 'require' | 'variations'>;
  /** Which families can be generated here (AttackService `families()`). */
  families: readonly FamilyStatus[];
}

function perQuery(
  store: ExperimentRobustnessSources['store'],
  runId: number,
  measure: string,
): { values: Map<string, number>; settings: MetricSettings | null } {
  const m = storedMeasures(store, runId).find((x) => x.measure === measure);
  return { values: m?.perQuery ?? new Map(), settings: m?.settings ?? null };
}

/**
 * One `ExperimentRobustness` per dataset and measure of the config (every measure by default) that has
 * attack sets; grid points whose original run did not succeed are left out, as are sets whose run did not.
 */
export function experimentRobustness(
  sources: ExperimentRobustnessSources,
  name: string,
  options: { measures?: readonly string[] } = {},
): ExperimentRobustness[] {
  const { store, experiments, variations } = sources;
  const experiment = experiments.require(name);
  const config = parseExperimentConfig(experiment.config, `experiment "${name}"`);
  const measures = resolveMeasures(options.measures ?? config.metrics, {
    relevanceLevel: 1,
    numDocsInCollection: 0,
  }).flatMap((i) => i.columns.map((c) => c.name));
  const points = systemsOf(config).flatMap((s) => gridPoints(s));
  const done = experiments
    .jobs(experiment.id)
    .filter((j): j is JobRecord & { runId: number } => j.status === 'succeeded' && j.runId !== null);
  const out: ExperimentRobustness[] = [];
  for (const entry of config.datasets) {
    const jobs = done.filter((j) => j.dataset === entry.name);
    const setNames = [...new Set(jobs.flatMap((j) => (j.querySet === null ? [] : [j.querySet])))];
    if (setNames.length === 0) continue;
    const sets = setNames.map((s) => variations.require(s));
    const texts = new Map(
      sets.map((s) => [
        s.name,
        new Map(
          variations
            .variations(s.id)
            .map((v): [string, VariationText] => [
              v.queryId,
              { text: v.text, changed: v.changed, edit: v.edit },
            ]),
        ),
      ]),
    );
    const dataset = store.datasets.require(entry.name);
    const originalTexts = new Map(
      store.queries.list(dataset.id, entry.split).map((q) => [q.queryId, q.text] as const),
    );
    for (const measure of measures) {
      let settings: MetricSettings | null = null;
      let queries = 0;
      const entries: RobustnessTableEntry[] = [];
      for (const point of points) {
        const original = jobs.find((j) => j.point === point.id && j.querySet === null);
        if (!original) continue;
        const base = perQuery(store, original.runId, measure);
        settings ??= base.settings;
        queries = Math.max(queries, base.values.size);
        const report = evaluateRobustness({
          measure,
          original: base.values,
          originalTexts: new Map([...base.values.keys()].map((q) => [q, originalTexts.get(q) ?? ''])),
          sets: sets.flatMap((set) => {
            const job = jobs.find((j) => j.point === point.id && j.querySet === set.name);
            if (!job) return [];
            return [
              {
                set: set.name,
                family: set.family,
                variant: set.variant,
                values: perQuery(store, job.runId, measure).values,
                variations: texts.get(set.name),
              },
            ];
          }),
        });
        const { model, mode } = columnOf(point);
        entries.push({ model, mode, report });
      }
      if (entries.length === 0) continue;
      const table = robustnessTable(entries);
      const present = new Set(table.rows.map((r) => r.family));
      out.push({
        dataset: entry.name,
        split: entry.split ?? null,
        measure,
        settings,
        queries,
        maxQueries: entry.maxQueries ?? null,
        sampleSeed: config.seed,
        table,
        entries,
        sets,
        absent: ATTACK_FAMILIES.filter((f) => !present.has(f)).map((family) => ({
          family,
          reason: sources.families.find((s) => s.family === family)?.generate
            ? 'not in this experiment'
            : `unavailable (no ${family} model or imported set)`,
        })),
      });
    }
  }
  return out;
}

/** A model's grid point as "MODEL (MODE[params])"; BM25 as "bm25 (lexical)". */
function columnOf(point: ReturnType<typeof gridPoints>[number]): { model: string; mode: string } {
  const s = point.system;
  if (s.model === null) return { model: point.id, mode: 'lexical' };
  const extra = point.id.startsWith(s.id) ? point.id.slice(s.id.length) : ` ${point.id}`;
  return { model: s.model, mode: `${s.mode}${extra}` };
}

/** Which seeds made the sets, per group: "misspelling/dl-typo seeds 11, 12, 13". */
function seedsLine(sets: readonly VariationSetRecord[]): string {
  const groups = new Map<string, string[]>();
  for (const s of sets) {
    const group = `${s.family}/${s.variant}`;
    groups.set(group, [...(groups.get(group) ?? []), s.seed === null ? 'imported' : String(s.seed)]);
  }
  return [...groups].map(([g, seeds]) => `${g} ${seeds.join(', ')}`).join('; ');
}

/** The table with what produced it: dataset, query sample, measure settings, the sets' seeds, absent families. */
export function formatExperimentRobustness(r: ExperimentRobustness): string {
  const sample =
    r.maxQueries === null
      ? `${r.queries} queries`
      : `${r.queries} queries (a seeded sample of at most ${r.maxQueries} judged queries, seed ${r.sampleSeed})`;
  const changed = r.entries[0]?.report.sets ?? [];
  const lines = [
    `robustness on ${r.dataset}${r.split ? ` (${r.split} split)` : ''}, ${sample}`,
    formatRobustnessTable(r.table),
    ...r.absent.map((a) => `${a.family}: ${a.reason}`),
    `# ${r.measure}: ${r.settings ? describeSettings(r.settings) : 'settings not stored'}; paired by query id`,
    `# query sets (seeds): ${seedsLine(r.sets)}`,
  ];
  if (changed.length) {
    const least = changed.reduce((a, b) =>
      b.changedQueries / b.queries < a.changedQueries / a.queries ? b : a,
    );
    lines.push(
      `# changed queries: at least ${least.changedQueries} of ${least.queries} per set (${least.group}); a cell counts sets with a paired t-test p < 0.05`,
    );
  }
  return lines.join('\n');
}
