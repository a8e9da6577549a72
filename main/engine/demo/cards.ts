import { normaliseForMatch, splitGloss } from './gloss.ts';
import type { Synset, SynsetType } from './wndb.ts';

/**
 * Concept cards: what a reverse dictionary retrieves. A card names the concept (its lemmas), shows it in use
 * (the gloss's quoted examples) and places it (hypernyms, topic/region/usage domains, and for adjective
 * satellites the head adjective they are similar to), but never carries the definition: the definition is
 * the query, so a card that quoted it would make the task string matching.
 */

export interface Card {
  id: string;
  /** Lemmas, comma separated. */
  title: string;
  text: string;
}

const POS_NAME: Record<SynsetType, string> = {
  n: 'noun',
  v: 'verb',
  a: 'adjective',
  s: 'adjective',
  r: 'adverb',
};

/** wndb pointer symbols used on cards. `@i` is the instance hypernym (Paris → national capital). */
export const HYPERNYM_POINTERS = new Set(['@', '@i']);
/** Domain of synset: topic, region, usage (wndb(5WN) `;c` `;r` `;u`). */
export const DOMAIN_POINTERS = new Set([';c', ';r', ';u']);
const SIMILAR_POINTER = '&';

/** At most this many lemmas of a related synset are named (some have a dozen spellings). */
const RELATED_LEMMAS = 3;

export type SynsetLookup = (id: string) => Synset | undefined;

function relatedNames(
  synset: Synset,
  symbols: ReadonlySet<string>,
  lookup: SynsetLookup,
  lemmas: number,
): string[] {
  const names: string[] = [];
  for (const p of synset.pointers) {
    if (!symbols.has(p.symbol)) continue;
    const target = lookup(p.target);
    if (!target) continue;
    for (const w of target.words.slice(0, lemmas)) if (!names.includes(w)) names.push(w);
  }
  return names;
}

/**
 * The card of `synset`. Any example or related name that contains the synset's own definition is left out
 * (short definitions such as "a dog" can reappear verbatim in an example); `definitionInLemmas` tells the
 * caller when even the lemmas contain it, in which case the synset cannot be a query.
 */
export function buildCard(
  synset: Synset,
  lookup: SynsetLookup,
): { card: Card; definition: string; definitionInLemmas: boolean } {
  const { definition, examples } = splitGloss(synset.gloss);
  const needle = normaliseForMatch(definition);
  const keep = (s: string) => needle === '' || !normaliseForMatch(s).includes(needle);
  const hypernyms = relatedNames(synset, HYPERNYM_POINTERS, lookup, RELATED_LEMMAS).filter(keep);
  const domains = relatedNames(synset, DOMAIN_POINTERS, lookup, 1).filter(keep);
  const similar =
    synset.type === 's'
      ? relatedNames(synset, new Set([SIMILAR_POINTER]), lookup, RELATED_LEMMAS).filter(keep)
      : [];
  const parts = [POS_NAME[synset.type]];
  if (hypernyms.length) parts.push(`kind of: ${hypernyms.join(', ')}`);
  if (similar.length) parts.push(`similar to: ${similar.join(', ')}`);
  if (domains.length) parts.push(`domain: ${domains.join(', ')}`);
  const shown = examples.filter(keep);
  if (shown.length) parts.push(`examples: ${shown.join(' | ')}`);
  const title = synset.words.join(', ');
  return {
    card: { id: synset.id, title, text: `${parts.join('. ')}.` },
    definition,
    definitionInLemmas: needle !== '' && normaliseForMatch(title).includes(needle),
  };
}

/** Direct hypernyms (ids), the cards the relevance rule grades 1. */
export function hypernymIds(synset: Synset): string[] {
  const ids: string[] = [];
  for (const p of synset.pointers)
    if (HYPERNYM_POINTERS.has(p.symbol) && !ids.includes(p.target)) ids.push(p.target);
  return ids;
}
