import { describe, expect, it } from 'vitest';
import { buildCard, hypernymIds, type Synset } from '../../../../main/engine/demo/index.ts';

const synset = (over: Partial<Synset>): Synset => ({
  id: 'n00000001',
  type: 'n',
  words: ['puppy'],
  pointers: [],
  gloss: 'a young dog',
  ...over,
});
const lookup = (table: Synset[]) => (id: string) => table.find((s) => s.id === id);

describe('buildCard', () => {
  const canine = synset({ id: 'n00000002', words: ['dog', 'domestic dog', 'Canis familiaris', 'pooch'] });
  const zoology = synset({ id: 'n00000003', words: ['zoology', 'zoological science'] });

  it('names lemmas, hypernyms (≤ 3 lemmas), domains (first lemma) and examples, never the definition', () => {
    const s = synset({
      pointers: [
        { symbol: '@', target: canine.id },
        { symbol: ';c', target: zoology.id },
        { symbol: '~', target: 'n00000009' },
      ],
      gloss: 'a young dog; "the puppy chewed the shoe"; "a young dog is a puppy"',
    });
    const { card, definition, definitionInLemmas } = buildCard(s, lookup([canine, zoology]));
    expect(definition).toBe('a young dog');
    expect(card.title).toBe('puppy');
    // The second example quotes the definition, so it is left out.
    expect(card.text).toBe(
      'noun. kind of: dog, domestic dog, Canis familiaris. domain: zoology. examples: the puppy chewed the shoe.',
    );
    expect(definitionInLemmas).toBe(false);
    expect(hypernymIds(s)).toEqual([canine.id]);
  });

  it('drops a hypernym name equal to the definition and flags definitions spelled by the lemmas', () => {
    const s = synset({
      words: ['mutt', 'dog'],
      gloss: 'dog',
      pointers: [{ symbol: '@i', target: canine.id }],
    });
    const { card, definitionInLemmas } = buildCard(s, lookup([canine]));
    // "domestic dog" contains the definition "dog" too: containment, not equality, is the rule.
    expect(card.text).toBe('noun. kind of: Canis familiaris.');
    expect(definitionInLemmas).toBe(true);
  });

  it('gives adjective satellites their head adjective', () => {
    const head = synset({ id: 'a00000010', type: 'a', words: ['large', 'big'] });
    const s = synset({
      id: 'a00000011',
      type: 's',
      words: ['huge'],
      gloss: 'unusually great in size',
      pointers: [{ symbol: '&', target: head.id }],
    });
    expect(buildCard(s, lookup([head])).card.text).toBe('adjective. similar to: large, big.');
  });
});
