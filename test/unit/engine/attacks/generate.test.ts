import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttackFamily,
  FAMILY_VARIANTS,
  generateVariations,
  isChanged,
  type QueryInput,
  resolveSpec,
  WordNet,
} from '../../../../main/engine/attacks/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { DL19_TOPICS, HAS_DL19, OWN_QUERIES, readTopics } from './helpers.ts';

const wordnet = new WordNet();
afterAll(() => wordnet.close());

const GENERATED = (Object.entries(FAMILY_VARIANTS) as [AttackFamily, readonly string[]][])
  .filter(([f]) => f !== 'paraphrase')
  .flatMap(([family, variants]) => variants.map((variant) => ({ family, variant })));

/**
 * "Each family changes ≥ 90 % of the queries it applies to": a query a generator applies to is one it
 * found a candidate for (a word to misspell, a stop word to drop, a synonym…); the rest are flagged.
 */
function checkChangeRate(queries: QueryInput[], label: string): void {
  for (const { family, variant } of GENERATED) {
    for (const seed of [1, 2, 3]) {
      const g = generateVariations(queries, { family, variant, seed }, wordnet);
      const applied = g.summary.queries - g.summary.noCandidate;
      expect(applied, `${label} ${family}/${variant}: applies to some queries`).toBeGreaterThan(0);
      expect(
        g.summary.changed / applied,
        `${label} ${family}/${variant} seed ${seed}`,
      ).toBeGreaterThanOrEqual(0.9);
      // `changed` is exactly "differs in more than case and spacing".
      g.variations.forEach((v, i) => {
        expect(v.changed).toBe(isChanged(queries[i].text, v.text));
      });
    }
  }
}

describe('every family changes the queries it applies to', () => {
  it('on our own query list', () => checkChangeRate(OWN_QUERIES, 'own'));

  describe.skipIf(!HAS_DL19)('on TREC DL 2019', () => {
    it('≥ 90 % changed for every family and variant; misspelling, ordering and drop-word change all 43', () => {
      const topics = readTopics(DL19_TOPICS);
      checkChangeRate(topics, 'DL19');
      for (const { family, variant } of GENERATED) {
        const g = generateVariations(topics, { family, variant, seed: 1 }, wordnet);
        if (family === 'misspelling' || family === 'ordering' || variant === 'drop-word')
          expect(g.summary.changed).toBe(43);
      }
      // Seven DL 2019 queries hold no stop word of the list (e.g. "definition declaratory judgment").
      expect(
        generateVariations(topics, { family: 'naturality', variant: 'drop-stopwords', seed: 1 }).summary,
      ).toEqual({
        queries: 43,
        changed: 36,
        noCandidate: 7,
      });
      // "definition of a sigmet": no content word has a WordNet synonym.
      expect(
        generateVariations(topics, { family: 'synonym', variant: 'wordnet', seed: 1 }, wordnet).summary
          .noCandidate,
      ).toBe(1);
    });
  });
});

describe('determinism', () => {
  it('the same spec gives the same texts; another seed gives others', () => {
    for (const { family, variant } of GENERATED) {
      const a = generateVariations(OWN_QUERIES, { family, variant, seed: 9 }, wordnet);
      const b = generateVariations(OWN_QUERIES, { family, variant, seed: 9 }, wordnet);
      expect(b).toEqual(a);
      if (variant !== 'drop-stopwords') {
        const c = generateVariations(OWN_QUERIES, { family, variant, seed: 10 }, wordnet);
        expect(c.variations.map((v) => v.text)).not.toEqual(a.variations.map((v) => v.text));
      }
    }
  });

  it("a query's variation does not depend on the other queries or their order", () => {
    const reversed = [...OWN_QUERIES].reverse();
    const subset = OWN_QUERIES.filter((_, i) => i % 3 === 0);
    for (const { family, variant } of GENERATED) {
      const all = new Map(
        generateVariations(OWN_QUERIES, { family, variant, seed: 4 }, wordnet).variations.map((v) => [
          v.queryId,
          v,
        ]),
      );
      for (const v of generateVariations(reversed, { family, variant, seed: 4 }, wordnet).variations)
        expect(v).toEqual(all.get(v.queryId));
      for (const v of generateVariations(subset, { family, variant, seed: 4 }, wordnet).variations)
        expect(v).toEqual(all.get(v.queryId));
    }
  });
});

describe('specs', () => {
  const error = (fn: () => unknown): WorkbenchError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(WorkbenchError);
      return err as WorkbenchError;
    }
    throw new Error('expected an error');
  };

  it('fills the default variant and parameters', () => {
    expect(resolveSpec({ family: 'misspelling', variant: '', seed: 3 })).toEqual({
      family: 'misspelling',
      variant: 'dl-typo',
      seed: 3,
      params: {},
    });
    expect(
      resolveSpec({ family: 'misspelling', variant: 'qwerty', seed: 3, params: { minWordLength: 5 } }).params,
    ).toEqual({
      minWordLength: 5,
      skipStopWords: true,
      lowercase: false,
    });
  });

  it('names the bad part of a spec', () => {
    expect(
      error(() => resolveSpec({ family: 'typo' as AttackFamily, variant: '', seed: 1 })).details?.field,
    ).toBe('family');
    const v = error(() => resolveSpec({ family: 'ordering', variant: 'reverse', seed: 1 }));
    expect(v.message).toMatch(/no variant "reverse".*shuffle/);
    expect(error(() => resolveSpec({ family: 'ordering', variant: '', seed: -1 })).details?.field).toBe(
      'seed',
    );
    expect(error(() => resolveSpec({ family: 'ordering', variant: '', seed: 1.5 })).details?.field).toBe(
      'seed',
    );
    expect(
      error(() =>
        resolveSpec({ family: 'misspelling', variant: 'dl-typo', seed: 1, params: { minWordLength: 4 } }),
      ).message,
    ).toMatch(/recipe is fixed/);
    expect(
      error(() =>
        resolveSpec({ family: 'misspelling', variant: 'swap', seed: 1, params: { minWordLength: 'x' } }),
      ).message,
    ).toMatch(/must be a number/);
    expect(
      error(() =>
        resolveSpec({ family: 'misspelling', variant: 'swap', seed: 1, params: { minWordLength: 0 } }),
      ).message,
    ).toMatch(/≥ 1/);
    expect(
      error(() => resolveSpec({ family: 'ordering', variant: '', seed: 1, params: { k: 1 } })).message,
    ).toMatch(/takes no parameters/);
  });

  it('parameters change what is eligible', () => {
    const q = [{ queryId: 'x', text: 'the cat sat on a mat' }];
    expect(
      generateVariations(q, {
        family: 'misspelling',
        variant: 'delete',
        seed: 1,
        params: { minWordLength: 4 },
      }).summary.noCandidate,
    ).toBe(1);
    const g = generateVariations(q, {
      family: 'misspelling',
      variant: 'delete',
      seed: 1,
      params: { minWordLength: 1, skipStopWords: false },
    });
    expect(g.summary.changed).toBe(1);
  });

  it('paraphrase is unavailable, never faked', () => {
    const e = error(() => generateVariations(OWN_QUERIES, { family: 'paraphrase', variant: '', seed: 1 }));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toMatch(/paraphrase model.*attacks import/);
  });
});
