/** Shapes shared by the generators, the importers, the store and the robustness report. */

export const ATTACK_FAMILIES = ['misspelling', 'naturality', 'ordering', 'synonym', 'paraphrase'] as const;
export type AttackFamily = (typeof ATTACK_FAMILIES)[number];

/** Generated variants per family, the default first (Penha et al., ECIR 2022; DESIGN.md §7). */
export const FAMILY_VARIANTS = {
  misspelling: ['dl-typo', 'swap', 'qwerty', 'insert', 'delete', 'substitute'],
  naturality: ['drop-stopwords', 'drop-word'],
  ordering: ['shuffle'],
  synonym: ['wordnet'],
  paraphrase: ['model'],
} as const satisfies Record<AttackFamily, readonly string[]>;

export type MisspellingVariant = (typeof FAMILY_VARIANTS)['misspelling'][number];
export type CharacterEdit = Exclude<MisspellingVariant, 'dl-typo'>;

export interface QueryInput {
  queryId: string;
  text: string;
}

/** One query of a variation set: the varied text, whether it differs from the original, and the edit. */
export interface QueryVariation {
  queryId: string;
  text: string;
  /** Differs from the original in more than case and whitespace (see words.ts `isChanged`). */
  changed: boolean;
  /** What was done ("qwerty "pelvic" → "pslvic"") or, when unchanged, why ("no stop word to drop"). */
  edit: string;
}

/** Variation plus the original text, for reports and `attacks show`. */
export interface QueryVariationView extends QueryVariation {
  original: string;
}

/** Parameters of a generator; every value is recorded with the set so that it can be regenerated. */
export type AttackParams = Record<string, string | number | boolean>;

/** What a generated set is a function of: the same spec over the same queries gives the same texts. */
export interface AttackSpec {
  family: AttackFamily;
  variant: string;
  seed: number;
  params?: AttackParams;
}

export interface VariationSummary {
  queries: number;
  changed: number;
  /** Queries the generator could not apply to (no eligible word, no synonym, nothing to drop). */
  noCandidate: number;
}

export interface GeneratedVariations {
  spec: Required<AttackSpec>;
  variations: QueryVariation[];
  summary: VariationSummary;
}

/** Result of one query's generator: `text` null when the generator has no candidate for this query. */
export type Outcome = { text: string; edit: string } | { text: null; reason: string };
