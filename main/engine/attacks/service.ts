import { basename } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import { canonicalJson, type DatasetRecord, type Store } from '../store/index.ts';
import {
  GENERATOR_VERSION,
  generateVariations,
  PARAPHRASE_UNAVAILABLE_REASON,
  paraphraseUnavailable,
  resolveSpec,
} from './generate.ts';
import { type ImportOptions, readVariationFile, type VariationFileFormat } from './import.ts';
import { hash32 } from './prng.ts';
import { QueryVariationsRepository, type VariationSetRecord } from './repository.ts';
import {
  ATTACK_FAMILIES,
  type AttackFamily,
  type AttackParams,
  type AttackSpec,
  FAMILY_VARIANTS,
  type QueryInput,
  type QueryVariationView,
} from './types.ts';
import { WordNet } from './wordnet.ts';

export interface FamilyStatus {
  family: AttackFamily;
  /** Variants `attacks generate` can make. */
  variants: readonly string[];
  /** Whether sets of this family can be generated here. */
  generate: boolean;
  /** Why not, when `generate` is false. */
  reason?: string;
}

export interface GenerateRequest {
  dataset: string;
  family: AttackFamily;
  variant?: string;
  /** Seed of the first set; set k (1-based) of `sets` uses seed + k − 1. */
  seed: number;
  sets?: number;
  split?: string;
  params?: AttackParams;
  /** Name of the set; with several sets, the prefix of `NAME/seedS`. */
  name?: string;
}

export interface GeneratedSet {
  set: VariationSetRecord;
  /** false when the very same spec was already stored and is returned as it is. */
  created: boolean;
}

export interface ImportRequest {
  dataset: string;
  format?: VariationFileFormat;
  family?: AttackFamily;
  name?: string;
}

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

/** How an experiment config names its attack sets: stored sets by name and/or specs to generate. */
export const attackConfigSchema = z.object({
  sets: z.array(z.string().min(1)).optional(),
  generate: z
    .array(
      z.object({
        family: z.enum(ATTACK_FAMILIES),
        variant: z.string().optional(),
        seed: z.number().int().min(0),
        sets: z.number().int().min(1).max(100).optional(),
        split: z.string().optional(),
        params: z.record(z.string(), paramValue).optional(),
      }),
    )
    .optional(),
});
export type AttackConfig = z.infer<typeof attackConfigSchema>;

export const MAX_SETS_PER_REQUEST = 100;

/**
 * Generating, importing and finding variation sets of the store's datasets. WordNet is opened on the
 * first synonym request only (its index files are ~6 MB).
 */
export class AttackService {
  readonly repository: QueryVariationsRepository;
  private wordnet: WordNet | undefined;

  constructor(
    private readonly store: Pick<Store, 'db' | 'datasets' | 'queries' | 'transaction'>,
    private readonly openWordNet: () => WordNet = () => new WordNet(),
  ) {
    this.repository = new QueryVariationsRepository(store.db);
  }

  /** Which families can be generated here; paraphrase needs a model that the workbench does not have. */
  families(): FamilyStatus[] {
    return ATTACK_FAMILIES.map((family) =>
      family === 'paraphrase'
        ? { family, variants: [], generate: false, reason: PARAPHRASE_UNAVAILABLE_REASON }
        : { family, variants: FAMILY_VARIANTS[family], generate: true },
    );
  }

  generate(request: GenerateRequest): GeneratedSet[] {
    const count = request.sets ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_SETS_PER_REQUEST) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `--sets must be a whole number from 1 to ${MAX_SETS_PER_REQUEST} (got ${count})`,
        { field: 'sets' },
      );
    }
    if (request.family === 'paraphrase') throw paraphraseUnavailable();
    const first = resolveSpec({
      family: request.family,
      variant: request.variant ?? '',
      seed: request.seed,
      params: request.params,
    });
    const dataset = this.store.datasets.require(request.dataset);
    const queries = this.queriesOf(dataset, request.split);
    const split = request.split ?? null;
    const out: GeneratedSet[] = [];
    for (let k = 0; k < count; k++) {
      const spec = { ...first, seed: first.seed + k };
      const existing = this.repository.findGenerated(dataset.id, spec, split, GENERATOR_VERSION);
      if (existing) {
        out.push({ set: existing, created: false });
        continue;
      }
      const generated = generateVariations(
        queries,
        spec,
        spec.family === 'synonym' ? this.wordNet() : undefined,
      );
      const name = this.nameFor(dataset, spec, split, request.name, count);
      const set = this.repository.create(
        {
          datasetId: dataset.id,
          name,
          family: spec.family,
          variant: spec.variant,
          seed: spec.seed,
          params: spec.params,
          split,
          source: 'generated',
          sourcePath: null,
          generatorVersion: GENERATOR_VERSION,
          summary: generated.summary,
        },
        generated.variations,
      );
      out.push({ set, created: true });
    }
    return out;
  }

  async import(path: string, request: ImportRequest): Promise<VariationSetRecord[]> {
    const dataset = this.store.datasets.require(request.dataset);
    const originals = new Map(this.store.queries.list(dataset.id).map((q) => [q.queryId, q.text]));
    const options: ImportOptions = { format: request.format, family: request.family, originals };
    const imported = await readVariationFile(path, options);
    const base = request.name ?? `${dataset.name}/${basename(path).replace(/\.(tsv|csv|txt)(\.gz)?$/i, '')}`;
    return this.store.transaction(() =>
      imported.map((set) =>
        this.repository.create(
          {
            datasetId: dataset.id,
            name: imported.length === 1 ? base : `${base}/${set.variant}`,
            family: set.family,
            variant: set.variant,
            seed: null,
            params: set.originalMismatches > 0 ? { originalMismatches: set.originalMismatches } : {},
            split: null,
            source: 'imported',
            sourcePath: path,
            generatorVersion: null,
            summary: set.summary,
          },
          set.variations,
        ),
      ),
    );
  }

  list(dataset?: string): VariationSetRecord[] {
    return dataset === undefined
      ? this.repository.list()
      : this.repository.list(this.store.datasets.require(dataset).id);
  }

  show(name: string): { set: VariationSetRecord; variations: QueryVariationView[] } {
    const set = this.repository.require(name);
    return { set, variations: this.repository.views(set.id) };
  }

  delete(name: string): void {
    if (!this.repository.delete(name)) this.repository.require(name);
  }

  /**
   * The sets an experiment config asks for on one dataset: named sets must exist and belong to the
   * dataset; specs are generated when missing and reused when stored, so a re-run with the same seeds
   * encodes the very same texts.
   */
  resolve(dataset: string, config: AttackConfig): VariationSetRecord[] {
    const parsed = attackConfigSchema.parse(config);
    const out: VariationSetRecord[] = [];
    for (const name of parsed.sets ?? []) {
      const set = this.repository.require(name);
      if (set.datasetName !== dataset) {
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `variation set "${name}" belongs to dataset "${set.datasetName}", not "${dataset}"`,
          { field: 'attacks.sets', name },
        );
      }
      out.push(set);
    }
    for (const g of parsed.generate ?? []) {
      out.push(...this.generate({ dataset, ...g }).map((r) => r.set));
    }
    return out;
  }

  close(): void {
    this.wordnet?.close();
    this.wordnet = undefined;
  }

  private wordNet(): WordNet {
    this.wordnet ??= this.openWordNet();
    return this.wordnet;
  }

  private queriesOf(dataset: DatasetRecord, split: string | undefined): QueryInput[] {
    const queries = this.store.queries.list(dataset.id, split);
    if (queries.length === 0) {
      const splits = Object.keys(this.store.queries.countBySplit(dataset.id)).filter(Boolean);
      throw new WorkbenchError(
        'NOT_FOUND',
        split === undefined
          ? `dataset "${dataset.name}" has no queries. Attach topics to it first`
          : `dataset "${dataset.name}" has no queries in split "${split}".${splits.length ? ` Splits: ${splits.join(', ')}` : ' Its queries have no split: leave out --split'}`,
        { field: 'split' },
      );
    }
    return queries.map((q) => ({ queryId: q.queryId, text: q.text }));
  }

  /** DATASET/FAMILY-VARIANT/seedS[/SPLIT], with a short hash of non-default parameters. */
  private nameFor(
    dataset: DatasetRecord,
    spec: Required<AttackSpec>,
    split: string | null,
    name: string | undefined,
    count: number,
  ): string {
    if (name !== undefined) return count === 1 ? name : `${name}/seed${spec.seed}`;
    const defaults = resolveSpec({ family: spec.family, variant: spec.variant, seed: 0 }).params;
    const custom = canonicalJson(spec.params) !== canonicalJson(defaults);
    const tag = custom
      ? `~${hash32(canonicalJson(spec.params)).toString(16).padStart(8, '0').slice(0, 6)}`
      : '';
    return `${dataset.name}/${spec.family}-${spec.variant}${tag}/seed${spec.seed}${split ? `/${split}` : ''}`;
  }
}
