import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BEIR_FILES,
  buildCollection,
  buildWordnetDemo,
  defaultDictDir,
  normaliseForMatch,
  queryIdOf,
  readWordnet,
  SPLITS,
  type Synset,
  splitOf,
  type WordnetDemoStats,
} from '../../../../main/engine/demo/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-wordnet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const jsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, string>);
function qrelsOf(path: string): [string, string, number][] {
  const [header, ...rows] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  expect(header).toBe('query-id\tcorpus-id\tscore');
  return rows.map((r) => {
    const [q, d, s] = r.split('\t');
    return [q, d, Number(s)];
  });
}

let synsets: Synset[];
let all: ReturnType<typeof buildCollection>;
let first: WordnetDemoStats;
let second: WordnetDemoStats;
beforeAll(async () => {
  synsets = await readWordnet(defaultDictDir());
  all = buildCollection(synsets, 'all');
  first = await buildWordnetDemo(join(dir, 'a'));
  second = await buildWordnetDemo(join(dir, 'b'));
});

describe('WordNet 3.1 concept-search dataset', () => {
  it('reads every synset of the four data files', () => {
    // WordNet 3.1: 82,192 noun, 13,789 verb, 18,185 adjective (incl. satellites) and 3,625 adverb synsets.
    expect(synsets).toHaveLength(117791);
    expect(new Set(synsets.map((s) => s.id)).size).toBe(117791);
  });

  it('writes the same bytes every time (file hashes and content hashes agree)', () => {
    expect(second.files).toEqual(first.files);
    for (const [name, hash] of Object.entries(first.files)) expect(sha256(join(dir, 'b', name))).toBe(hash);
    expect(Object.keys(first.files).sort()).toEqual(
      [BEIR_FILES.corpus, BEIR_FILES.queries, ...SPLITS.map(BEIR_FILES.qrels), BEIR_FILES.licence].sort(),
    );
  });

  it('has the documented demo sizes: a 20 % subset with ≥ 1,000 test queries', () => {
    expect(first.subset).toBe('demo');
    expect(first.documents).toBeGreaterThan(0.19 * 117791);
    expect(first.documents).toBeLessThan(0.21 * 117791);
    expect(first.splits.test.queries).toBeGreaterThanOrEqual(1000);
    expect(first.splits.train.queries + first.splits.dev.queries + first.splits.test.queries).toBe(
      first.queries,
    );
    const corpus = jsonl(join(dir, 'a', BEIR_FILES.corpus));
    const queries = jsonl(join(dir, 'a', BEIR_FILES.queries));
    expect(corpus).toHaveLength(first.documents);
    expect(queries).toHaveLength(first.queries);
    expect(readFileSync(join(dir, 'a', BEIR_FILES.licence), 'utf8')).toMatch(
      /WordNet 3\.1 Copyright 2011 by Princeton University/,
    );
  });

  it('keeps splits disjoint, each query in the split of its synset, with its own card at 2', () => {
    const corpusIds = new Set(jsonl(join(dir, 'a', BEIR_FILES.corpus)).map((d) => d._id));
    const seen = new Map<string, string>();
    for (const split of SPLITS) {
      const rows = qrelsOf(join(dir, 'a', BEIR_FILES.qrels(split)));
      const perQuery = new Map<string, Map<string, number>>();
      for (const [q, d, s] of rows) {
        if (!perQuery.has(q)) perQuery.set(q, new Map());
        perQuery.get(q)!.set(d, s);
      }
      expect(rows.filter(([, d]) => !corpusIds.has(d))).toEqual([]);
      expect(rows.filter(([, , s]) => s !== 1 && s !== 2)).toEqual([]);
      expect(perQuery.size).toBe(first.splits[split].queries);
      expect(rows).toHaveLength(first.splits[split].judgments);
      const wrong: string[] = [];
      for (const [q, docs] of perQuery) {
        const own = q.slice(1);
        if (seen.has(q) || q !== queryIdOf(own) || docs.get(own) !== 2 || splitOf(own) !== split)
          wrong.push(q);
        seen.set(q, split);
      }
      expect(wrong).toEqual([]);
    }
    expect(seen.size).toBe(first.queries);
  });

  it('never lets a card contain its own definition (all synsets)', () => {
    const built = all;
    const cards = new Map(built.cards.map((c) => [c.id, normaliseForMatch(`${c.title} ${c.text}`)]));
    expect(built.cards).toHaveLength(117791);
    expect(built.queries.length).toBe(117791 - built.withoutDefinition - built.definitionInLemmas);
    expect(built.definitionInLemmas).toBeLessThan(50);
    const leaks: string[] = [];
    for (const q of built.queries) {
      for (const [doc, label] of built.qrels.get(q.id) ?? []) {
        if (label === 2 && cards.get(doc)!.includes(normaliseForMatch(q.text)))
          leaks.push(`${q.id} → ${doc}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('builds the dog card from lemmas, hypernyms and examples, and grades its hypernyms 1', () => {
    const built = all;
    const dog = built.cards.find((c) => c.id === 'n02086723')!;
    expect(dog.title).toBe('dog, domestic dog, Canis familiaris');
    expect(dog.text).toBe(
      'noun. kind of: canine, canid, domestic animal, domesticated animal. examples: the dog barked all night.',
    );
    const query = built.queries.find((q) => q.id === 'qn02086723')!;
    expect(query.text).toMatch(/^a member of the genus Canis/);
    expect(query.text).not.toMatch(/barked/);
    const labels = new Map(built.qrels.get('qn02086723'));
    expect(labels.get('n02086723')).toBe(2);
    const canine = synsets.find(
      (s) => s.words[0] === 'canine' && s.type === 'n' && dog.text.includes('canine'),
    )!;
    expect(labels.get(canine.id)).toBe(1);
  });
});
