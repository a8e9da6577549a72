import lemmatizer from 'wink-lemmatizer';
import type { Random } from './prng.ts';
import type { Outcome } from './types.ts';
import { WORDNET_POS, type WordNet, type WordNetPos } from './wordnet.ts';
import { isContentWord, isStopWord, letterCount, replaceCore, tokenize } from './words.ts';

/**
 * Synonym (Penha et al., ECIR 2022, textattack's WordSwapWordNet): one content word replaced by a
 * WordNet synonym. Like NLTK's `wordnet.synsets`, an inflected word is first reduced to its base form
 * for each part of speech (wink-lemmatizer: WordNet's exception lists and suffix rules), so "sharks"
 * finds the synsets of "shark". As in textattack, the synonym goes in as WordNet writes it (the base
 * form) and multi-word lemmas ("sous_vide") are not used.
 */

export interface SynonymCandidate {
  word: string;
  pos: WordNetPos;
  offset: number;
}

function baseForms(word: string, pos: WordNetPos): string[] {
  const forms = [word];
  if (pos === 'noun') forms.push(lemmatizer.noun(word));
  else if (pos === 'verb') forms.push(lemmatizer.verb(word));
  else if (pos === 'adj') forms.push(lemmatizer.adjective(word));
  return [...new Set(forms)];
}

/** Single-word synonyms of a word over all its senses, in WordNet's order (part of speech, sense, lemma). */
export function synonymCandidates(wordnet: WordNet, word: string): SynonymCandidate[] {
  const w = word.toLowerCase();
  const own = new Set<string>([w]);
  const lookups: { pos: WordNetPos; offsets: number[] }[] = [];
  for (const pos of WORDNET_POS) {
    for (const form of baseForms(w, pos)) {
      own.add(form);
      lookups.push({ pos, offsets: wordnet.offsets(form, pos) });
    }
  }
  const seen = new Set<string>();
  const out: SynonymCandidate[] = [];
  for (const { pos, offsets } of lookups) {
    for (const offset of offsets) {
      for (const lemma of wordnet.synset(pos, offset).words) {
        if (own.has(lemma) || seen.has(lemma) || !/^[\p{L}][\p{L}'-]*$/u.test(lemma)) continue;
        seen.add(lemma);
        out.push({ word: lemma, pos, offset });
      }
    }
  }
  return out;
}

/**
 * A word worth replacing: a content word whose base forms are not stop words either — the stop-word
 * list has "do" but not "does", and WordNet would otherwise offer "does" (female deer) → "coiffe".
 */
function replaceable(core: string): boolean {
  if (!isContentWord(core) || letterCount(core) < 2) return false;
  const w = core.toLowerCase();
  return !isStopWord(lemmatizer.verb(w)) && !isStopWord(lemmatizer.noun(w));
}

export function replaceWithSynonym(text: string, wordnet: WordNet, rng: Random): Outcome {
  const options = tokenize(text)
    .filter((t) => replaceable(t.core))
    .map((token) => ({ token, candidates: synonymCandidates(wordnet, token.core) }))
    .filter((o) => o.candidates.length > 0);
  if (options.length === 0) return { text: null, reason: 'no content word has a WordNet synonym' };
  const { token, candidates } = rng.pick(options);
  const c = rng.pick(candidates);
  const synonym =
    token.core[0] !== token.core[0].toLowerCase() ? c.word[0].toUpperCase() + c.word.slice(1) : c.word;
  const offset = String(c.offset).padStart(8, '0');
  return {
    text: replaceCore(text, token, synonym),
    edit: `synonym "${token.core}" → "${synonym}" (${c.pos} ${offset})`,
  };
}
