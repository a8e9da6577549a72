import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AttackService,
  GENERATOR_VERSION,
  QueryVariationsRepository,
  resolveSpec,
} from '../../../../main/engine/attacks/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  MIGRATIONS,
  migrate,
  openStore,
  SCHEMA_VERSION,
  type Store,
} from '../../../../main/engine/store/index.ts';
import { addDataset, OWN_QUERIES } from './helpers.ts';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-attacks-store-'));
  store = openStore(dir, { now: () => new Date('2026-01-02T03:04:05Z') });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const error = (fn: () => unknown): WorkbenchError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected an error');
};

describe('QueryVariationsRepository', () => {
  it('creates its tables on a migrated store, and again without harm', () => {
    const repo = new QueryVariationsRepository(store.db);
    new QueryVariationsRepository(store.db);
    const tables = store.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'query_variation%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual(['query_variation_sets', 'query_variations']);
    expect(repo.list()).toEqual([]);
  });

  it('stores a set with its rows in order, with the original texts', () => {
    const id = addDataset(store, 'own', OWN_QUERIES.slice(0, 2));
    const repo = new QueryVariationsRepository(store.db, () => '2026-01-02T03:04:05.000Z');
    const set = repo.create(
      {
        datasetId: id,
        name: 'own/x',
        family: 'ordering',
        variant: 'shuffle',
        seed: 5,
        params: { b: 1, a: true },
        split: null,
        source: 'generated',
        sourcePath: null,
        generatorVersion: GENERATOR_VERSION,
        summary: { queries: 2, changed: 1, noCandidate: 0 },
      },
      [
        { queryId: 'o2', text: 'france? capital', changed: true, edit: 'word order 2 1' },
        { queryId: 'o1', text: 'Hypernetworks for information retrieval', changed: false, edit: 'none' },
      ],
    );
    expect(set).toMatchObject({
      name: 'own/x',
      datasetName: 'own',
      seed: 5,
      params: { a: true, b: 1 },
      createdAt: '2026-01-02T03:04:05.000Z',
    });
    expect(store.db.prepare('SELECT params FROM query_variation_sets').pluck().get()).toBe(
      '{"a":true,"b":1}',
    );
    expect(repo.views(set.id)).toEqual([
      {
        queryId: 'o2',
        text: 'france? capital',
        changed: true,
        edit: 'word order 2 1',
        original: 'what is the capital of france?',
      },
      {
        queryId: 'o1',
        text: 'Hypernetworks for information retrieval',
        changed: false,
        edit: 'none',
        original: 'Hypernetworks for information retrieval',
      },
    ]);
    expect(repo.texts(set.id).get('o2')).toBe('france? capital');
    const again = error(() => repo.create({ ...set, name: 'own/x' }, []));
    expect(again.code).toBe('CONFLICT');
  });

  it('enforces a seed for generated sets and none needed for imported ones', () => {
    const id = addDataset(store, 'own', OWN_QUERIES.slice(0, 1));
    const repo = new QueryVariationsRepository(store.db);
    const base = {
      datasetId: id,
      family: 'misspelling' as const,
      variant: 'imported',
      params: {},
      split: null,
      sourcePath: '/x.tsv',
      summary: { queries: 0, changed: 0, noCandidate: 0 },
    };
    expect(() =>
      repo.create({ ...base, name: 'a', seed: null, source: 'generated', generatorVersion: null }, []),
    ).toThrow(/CHECK constraint/);
    expect(
      repo.create({ ...base, name: 'b', seed: null, source: 'imported', generatorVersion: null }, []).seed,
    ).toBeNull();
  });

  it('goes away with its dataset, rows included', () => {
    const svc = new AttackService(store);
    addDataset(store, 'own', OWN_QUERIES);
    svc.generate({ dataset: 'own', family: 'ordering', seed: 1, sets: 2 });
    expect(store.db.prepare('SELECT count(*) FROM query_variations').pluck().get()).toBe(40);
    store.datasets.delete('own');
    expect(svc.list()).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM query_variations').pluck().get()).toBe(0);
  });

  it('has its tables from the store migrations', () => {
    const db = new Database(':memory:');
    expect(migrate(db, MIGRATIONS)).toBe(SCHEMA_VERSION);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'query_variation%'")
      .pluck()
      .all();
    expect(tables.sort()).toEqual(['query_variation_sets', 'query_variations']);
    db.close();
  });
});

describe('AttackService', () => {
  it('generates N seeded sets with consecutive seeds and returns the stored set for the same spec', () => {
    addDataset(store, 'own', OWN_QUERIES);
    const svc = new AttackService(store);
    const first = svc.generate({ dataset: 'own', family: 'misspelling', seed: 1, sets: 3 });
    expect(first.map((r) => [r.set.name, r.set.seed, r.created])).toEqual([
      ['own/misspelling-dl-typo/seed1', 1, true],
      ['own/misspelling-dl-typo/seed2', 2, true],
      ['own/misspelling-dl-typo/seed3', 3, true],
    ]);
    const again = svc.generate({ dataset: 'own', family: 'misspelling', variant: 'dl-typo', seed: 2 });
    expect(again).toEqual([{ set: first[1].set, created: false }]);
    // Set k of a batch is the same set as a single generation with seed + k − 1.
    const texts = svc.repository.texts(first[2].set.id);
    svc.delete(first[2].set.name);
    const single = svc.generate({ dataset: 'own', family: 'misspelling', seed: 3 })[0];
    expect(single.created).toBe(true);
    expect(svc.repository.texts(single.set.id)).toEqual(texts);
  });

  it('names sets by dataset, attack, parameters, seed and split', () => {
    addDataset(
      store,
      'own',
      OWN_QUERIES.map((q, i) => ({ ...q, split: i < 5 ? 'dev' : 'test' })),
    );
    const svc = new AttackService(store);
    const [dev] = svc.generate({
      dataset: 'own',
      family: 'naturality',
      variant: 'drop-word',
      seed: 4,
      split: 'dev',
    });
    expect(dev.set.name).toBe('own/naturality-drop-word/seed4/dev');
    expect(dev.set.summary.queries).toBe(5);
    const [tuned] = svc.generate({
      dataset: 'own',
      family: 'misspelling',
      variant: 'swap',
      seed: 4,
      params: { minWordLength: 5 },
    });
    expect(tuned.set.name).toMatch(/^own\/misspelling-swap~[0-9a-f]{6}\/seed4$/);
    expect(tuned.set.params).toEqual(
      resolveSpec({ family: 'misspelling', variant: 'swap', seed: 4, params: { minWordLength: 5 } }).params,
    );
    const named = svc.generate({ dataset: 'own', family: 'ordering', seed: 1, sets: 2, name: 'mine' });
    expect(named.map((r) => r.set.name)).toEqual(['mine/seed1', 'mine/seed2']);
    expect(
      error(() => svc.generate({ dataset: 'own', family: 'ordering', seed: 1, split: 'train' })).message,
    ).toMatch(/no queries in split "train".*Splits: dev, test/);
  });

  it('refuses what it cannot do, saying why', () => {
    addDataset(store, 'own', OWN_QUERIES);
    const svc = new AttackService(store);
    expect(error(() => svc.generate({ dataset: 'nope', family: 'ordering', seed: 1 })).code).toBe(
      'NOT_FOUND',
    );
    expect(error(() => svc.generate({ dataset: 'own', family: 'paraphrase', seed: 1 })).code).toBe(
      'UNAVAILABLE',
    );
    expect(
      error(() => svc.generate({ dataset: 'own', family: 'ordering', seed: 1, sets: 0 })).details?.field,
    ).toBe('sets');
    expect(svc.families().find((f) => f.family === 'paraphrase')).toMatchObject({
      generate: false,
      reason: expect.stringMatching(/paraphrase model/),
    });
    expect(error(() => svc.show('own/none')).message).toMatch(/no variation set named "own\/none"/);
  });

  it('imports a CSV as one set per method, all or nothing', async () => {
    addDataset(store, 'own', OWN_QUERIES);
    const svc = new AttackService(store);
    const header = 'dataset,q_id,method,transformation_type,original_query,variation,valid\n';
    const good = join(dir, 'v.csv');
    writeFileSync(
      good,
      `${header}x,o1,A,ordering,q,retrieval information,True\nx,o2,B,synonym,q,what is the cap of france?,True\n`,
    );
    const sets = await svc.import(good, { dataset: 'own' });
    expect(sets.map((s) => [s.name, s.family, s.variant, s.source, s.seed])).toEqual([
      ['own/v/A', 'ordering', 'A', 'imported', null],
      ['own/v/B', 'synonym', 'B', 'imported', null],
    ]);
    expect(sets[0].params).toEqual({ originalMismatches: 1 });
    const bad = join(dir, 'w.csv');
    writeFileSync(bad, `${header}x,o1,A,ordering,q,a b,True\nx,zz,B,ordering,q,c d,True\n`);
    await expect(svc.import(bad, { dataset: 'own' })).rejects.toThrow(/w\.csv:3: query "zz"/);
    expect(svc.list('own').map((s) => s.name)).toEqual(['own/v/A', 'own/v/B']);
  });

  it('resolves an experiment config: named sets of the dataset plus specs, generated once', () => {
    addDataset(store, 'own', OWN_QUERIES);
    addDataset(store, 'other', OWN_QUERIES.slice(0, 2));
    const svc = new AttackService(store);
    const [named] = svc.generate({ dataset: 'own', family: 'ordering', seed: 8 });
    const config = {
      sets: [named.set.name],
      generate: [
        { family: 'misspelling' as const, seed: 1, sets: 2 },
        { family: 'synonym' as const, seed: 1 },
      ],
    };
    const first = svc.resolve('own', config);
    expect(first.map((s) => s.name)).toEqual([
      'own/ordering-shuffle/seed8',
      'own/misspelling-dl-typo/seed1',
      'own/misspelling-dl-typo/seed2',
      'own/synonym-wordnet/seed1',
    ]);
    expect(svc.resolve('own', config)).toEqual(first);
    expect(error(() => svc.resolve('other', { sets: [named.set.name] })).message).toMatch(
      /belongs to dataset "own"/,
    );
    expect(() => svc.resolve('own', { generate: [{ family: 'typo', seed: 1 }] } as never)).toThrow();
    svc.close();
  });
});
