import { WorkbenchError } from '../errors.ts';
import { defaultMisspellingParams, type MisspellingParams, misspell } from './misspelling.ts';
import { dropStopWords, dropWord } from './naturality.ts';
import { shuffleWords } from './ordering.ts';
import { queryRandom } from './prng.ts';
import { replaceWithSynonym } from './synonym.ts';
import {
  ATTACK_FAMILIES,
  type AttackFamily,
  type AttackParams,
  type AttackSpec,
  FAMILY_VARIANTS,
  type GeneratedVariations,
  type MisspellingVariant,
  type Outcome,
  type QueryInput,
  type QueryVariation,
} from './types.ts';
import type { WordNet } from './wordnet.ts';
import { isChanged } from './words.ts';

/**
 * Version of the generators' algorithms, stored with every generated set: a set is reused for the same
 * spec only when it was made by the same version, so a changed algorithm never hides behind an old set.
 */
export const GENERATOR_VERSION = 1;

/** Tunable parameters per variant with their defaults; the DL-typo recipe is fixed by definition. */
function defaultParams(family: AttackFamily, variant: string): AttackParams {
  if (family === 'misspelling' && variant !== 'dl-typo') {
    return { ...defaultMisspellingParams(variant as MisspellingVariant) };
  }
  return {};
}

function invalid(field: string, message: string): WorkbenchError {
  return new WorkbenchError('INVALID_ARGUMENT', message, { field });
}

export function isAttackFamily(name: string): name is AttackFamily {
  return (ATTACK_FAMILIES as readonly string[]).includes(name);
}

/** The spec with its variant and every parameter filled in, or an INVALID_ARGUMENT naming the bad part. */
export function resolveSpec(spec: AttackSpec): Required<AttackSpec> {
  const { family } = spec;
  if (!isAttackFamily(family)) {
    throw invalid('family', `unknown attack family "${family}". Families: ${ATTACK_FAMILIES.join(', ')}`);
  }
  const variants: readonly string[] = FAMILY_VARIANTS[family];
  const variant = spec.variant || variants[0];
  if (!variants.includes(variant)) {
    throw invalid(
      'variant',
      `family ${family} has no variant "${variant}". Variants: ${variants.join(', ')}`,
    );
  }
  if (!Number.isSafeInteger(spec.seed) || spec.seed < 0) {
    throw invalid('seed', `seed must be a whole number ≥ 0 (got ${spec.seed})`);
  }
  const defaults = defaultParams(family, variant);
  const params: AttackParams = { ...defaults };
  for (const [key, value] of Object.entries(spec.params ?? {})) {
    if (!(key in defaults)) {
      if (family === 'misspelling' && variant === 'dl-typo') {
        throw invalid(
          `params.${key}`,
          'the DL-typo recipe is fixed (words of ≥ 3 letters, no stop words, lower-cased); tune a single-edit variant (swap, qwerty, insert, delete, substitute) instead',
        );
      }
      const known = Object.keys(defaults);
      throw invalid(
        `params.${key}`,
        `${family}/${variant} has no parameter "${key}". ${known.length ? `Parameters: ${known.join(', ')}` : 'It takes no parameters'}`,
      );
    }
    if (typeof value !== typeof defaults[key]) {
      throw invalid(
        `params.${key}`,
        `parameter "${key}" of ${family}/${variant} must be a ${typeof defaults[key]} (got ${JSON.stringify(value)})`,
      );
    }
    if (key === 'minWordLength' && (!Number.isInteger(value) || (value as number) < 1)) {
      throw invalid(`params.${key}`, `minWordLength must be a whole number ≥ 1 (got ${value})`);
    }
    params[key] = value;
  }
  return { family, variant, seed: spec.seed, params };
}

/** The generator of one resolved spec, query by query; each query draws from its own seeded stream. */
function outcomeFor(spec: Required<AttackSpec>, query: QueryInput, wordnet: WordNet | undefined): Outcome {
  const rng = queryRandom(`${spec.family}/${spec.variant}`, spec.seed, query.queryId);
  switch (spec.family) {
    case 'misspelling': {
      const variant = spec.variant as MisspellingVariant;
      const params = { ...defaultMisspellingParams(variant), ...spec.params } as MisspellingParams;
      return misspell(query.text, variant, params, rng);
    }
    case 'naturality':
      return spec.variant === 'drop-word' ? dropWord(query.text, rng) : dropStopWords(query.text);
    case 'ordering':
      return shuffleWords(query.text, rng);
    case 'synonym':
      if (!wordnet) throw new WorkbenchError('INTERNAL', 'synonym attack without a WordNet reader');
      return replaceWithSynonym(query.text, wordnet, rng);
    case 'paraphrase':
      throw paraphraseUnavailable();
  }
}

export const PARAPHRASE_UNAVAILABLE_REASON =
  'needs a paraphrase model (back-translation or a paraphraser), and none is installed; import paraphrases made elsewhere with `attacks import FILE --family paraphrase` (TSV) or a query-variation CSV';

export function paraphraseUnavailable(): WorkbenchError {
  return new WorkbenchError('UNAVAILABLE', `paraphrase: ${PARAPHRASE_UNAVAILABLE_REASON}`, {
    field: 'family',
  });
}

/**
 * Generates one variation set: every query in the given order, with its varied text, whether it changed
 * and the edit (or why there was none). Deterministic: the same spec and query (id, text) always give
 * the same variation, whatever the other queries are.
 */
export function generateVariations(
  queries: readonly QueryInput[],
  spec: AttackSpec,
  wordnet?: WordNet,
): GeneratedVariations {
  const resolved = resolveSpec(spec);
  if (resolved.family === 'paraphrase') throw paraphraseUnavailable();
  const variations: QueryVariation[] = [];
  let changed = 0;
  let noCandidate = 0;
  for (const q of queries) {
    const outcome = outcomeFor(resolved, q, wordnet);
    if (outcome.text === null) {
      noCandidate++;
      variations.push({ queryId: q.queryId, text: q.text, changed: false, edit: outcome.reason });
      continue;
    }
    const isNew = isChanged(q.text, outcome.text);
    if (isNew) changed++;
    variations.push({ queryId: q.queryId, text: outcome.text, changed: isNew, edit: outcome.edit });
  }
  return { spec: resolved, variations, summary: { queries: queries.length, changed, noCandidate } };
}
