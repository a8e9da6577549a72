import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttackService, QueryVariationsRepository } from '../../../../main/engine/attacks/index.ts';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import {
  checkExperimentConfig,
  ExperimentRunner,
  parseExperimentConfig,
} from '../../../../main/engine/experiments/index.ts';
import { ModelRegistry } from '../../../../main/engine/models/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { cli, prepareDataFolder } from './helpers.ts';

let root: string;
let data: string;
let store: Store;
let runner: ExperimentRunner;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wb-exp-validate-'));
  ({ data } = await prepareDataFolder(root));
  store = openStore(data);
  runner = new ExperimentRunner({ store, dataDir: data });
  // A variation set of the dataset, for the attack checks.
  new AttackService(store).generate({ dataset: 'tiny', family: 'ordering', seed: 1, name: 'tiny-shuffled' });
});
afterAll(() => {
  store?.close();
  rmSync(root, { recursive: true, force: true });
});

const base = {
  name: 'v',
  datasets: [{ name: 'tiny' }],
  models: [
    { name: 'hyp', modes: [{ mode: 'exhaustive' }] },
    { name: 'be', modes: [{ mode: 'flat' }] },
  ],
  metrics: ['nDCG@10'],
};

function rejected(config: unknown): { fields: string[]; message: string } {
  try {
    runner.prepare(parseExperimentConfig(config, 'exp.json'), { file: 'exp.json' });
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    const e = err as WorkbenchError;
    expect(e.code).toBe('INVALID_ARGUMENT');
    return {
      fields: ((e.details?.issues ?? []) as string[]).map((i) => i.split(': ')[0]),
      message: e.message,
    };
  }
  throw new Error('expected the config to be rejected');
}

describe('experiment configs checked against the data folder', () => {
  it('names the JSON path of every problem, with what to do', () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { ...base, models: [{ name: 'nope', modes: [{ mode: 'flat' }] }] },
        'models[0].name',
        /no model named "nope".*Known: be, hyp/,
      ],
      [
        { ...base, datasets: [{ name: 'missing' }] },
        'datasets[0].name',
        /no dataset named "missing".*Known: tiny/,
      ],
      [
        { ...base, datasets: [{ name: 'tiny', split: 'dev' }] },
        'datasets[0].split',
        /no queries in split "dev".*splits: test/,
      ],
      [
        { ...base, models: [{ name: 'be', modes: [{ mode: 'graph' }] }] },
        'models[0].modes[0].mode',
        /q-net, but "be" is a bi-encoder; use "flat" or "hnsw"/,
      ],
      [
        { ...base, models: [{ name: 'hyp', modes: [{ mode: 'flat' }] }] },
        'models[0].modes[0].mode',
        /"hyp" is a Hypencoder.*use "exhaustive" or "graph"/,
      ],
      [
        { ...base, models: [{ name: 'hyp', modes: [{ mode: 'rerank', over: 'bm25' }] }] },
        'models[0].modes[0].over',
        /no system "bm25"/,
      ],
      [
        {
          ...base,
          models: [
            {
              name: 'hyp',
              modes: [
                { mode: 'graph', params: { numEntryPoints: 5, nCandidates: [1, 2], maxIter: 2 } },
                { mode: 'rerank', over: 'hyp/graph' },
              ],
            },
          ],
        },
        'models[0].modes[1].over',
        /sweeps nCandidates \(2 grid points\); name one of them, e.g. "hyp\/graph\[nCandidates=1\]"/,
      ],
      [
        { ...base, baseline: 'bm25' },
        'baseline',
        /names no system of this config; systems: hyp\/exhaustive, be\/flat/,
      ],
      [{ ...base, metrics: ['nDCG@ten'] }, 'metrics[0]', /nDCG@ten/],
      [
        {
          ...base,
          models: [
            {
              name: 'hyp',
              modes: [{ mode: 'graph', params: { numEntryPoints: [10, 61], nCandidates: 2, maxIter: 2 } }],
            },
          ],
        },
        'models[0].modes[0].params.numEntryPoints[1]',
        /exceeds the 60 documents/,
      ],
      [
        { ...base, models: [{ name: 'hyp', modes: [{ mode: 'graph', params: { nCandidates: 2 } }] }] },
        'models[0].modes[0].params',
        /missing: numEntryPoints, maxIter/,
      ],
      [{ ...base, lexical: [{ mode: 'bm25', params: { k1: 0.9 } }] }, 'lexical[0].params.k1', /fixed at 1.2/],
      [{ ...base, attacks: ['no-such-set'] }, 'attacks[0]', /no query-variation set named "no-such-set"/],
      [
        { ...base, attacks: { generate: [{ family: 'paraphrase', seed: 1 }] } },
        'attacks.generate[0].family',
        /paraphrase/,
      ],
      [
        {
          ...base,
          attacks: {
            generate: [{ family: 'misspelling', variant: 'dl-typo', seed: 1, params: { lowercase: true } }],
          },
        },
        'attacks.generate[0].params.lowercase',
        /DL-typo recipe is fixed/,
      ],
      [
        { ...base, models: [{ name: 'hyp', modes: [{ mode: 'exhaustive' }, { mode: 'exhaustive' }] }] },
        'models[0].modes[1].label',
        /also the id of models\[0\].modes\[0\]/,
      ],
    ];
    for (const [config, field, message] of cases) {
      const r = rejected(config);
      expect(r.fields, JSON.stringify(config)).toContain(field);
      expect(r.message).toMatch(message);
    }
    // Several problems are reported together.
    const many = rejected({
      ...base,
      datasets: [{ name: 'missing' }],
      models: [{ name: 'nope', modes: [{ mode: 'flat' }] }],
      baseline: 'x',
    });
    expect(many.fields).toEqual(['datasets[0].name', 'models[0].name', 'baseline']);
  });

  it('lists the problems for a config builder without throwing, shape first', () => {
    const sources = {
      store,
      models: new ModelRegistry(data),
      variationSets: new QueryVariationsRepository(store.db),
    };
    const shape = checkExperimentConfig(
      { ...base, topK: 0, models: [{ name: 'hyp', modes: [{ mode: 'ivf' }] }] },
      sources,
    );
    expect(shape.config).toBeNull();
    expect(shape.problems.map((p) => p.path).sort()).toEqual(['models[0].modes[0].mode', 'topK']);
    const meaning = checkExperimentConfig(
      { ...base, baseline: 'nope', models: [{ name: 'be', modes: [{ mode: 'exhaustive' }] }] },
      sources,
    );
    expect(meaning.config?.topK).toBe(1000);
    expect(meaning.problems.map((p) => p.path)).toEqual(['models[0].modes[0].mode', 'baseline']);
    expect(checkExperimentConfig(base, sources).problems).toEqual([]);
  });

  it('accepts a valid config and refuses a second experiment of the same name', () => {
    const ok = runner.check(
      parseExperimentConfig({ ...base, baseline: 'be/flat', attacks: ['tiny-shuffled'] }),
    );
    expect(ok.baseline).toBe('be/flat');
    runner.prepare(parseExperimentConfig({ ...base, name: 'twice' }));
    expect(rejected({ ...base, name: 'twice' }).message).toMatch(
      /experiment named "twice" exists.*experiments resume twice/,
    );
  });

  it('rejects a bad config from the CLI before any work: no experiment, no run, no artifact', async () => {
    const file = join(root, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ ...base, name: 'bad', models: [{ name: 'be', modes: [{ mode: 'graph' }] }] }),
    );
    const before = readdirSync(data).sort();
    const r = await cli(['--data', data, 'run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bad\.json: invalid experiment config: models\[0\]\.modes\[0\]\.mode: "graph" search scores documents with a q-net/,
    );
    expect(readdirSync(data).sort()).toEqual(before);
    expect(existsSync(join(data, 'artifacts'))).toBe(false);
    expect(store.runs.list()).toEqual([]);
    expect(runner.experiments.get('bad')).toBeUndefined();

    const syntax = join(root, 'syntax.json');
    writeFileSync(syntax, '{"name": "x",');
    expect((await cli(['--data', data, 'run', syntax])).stderr).toMatch(/syntax\.json: not valid JSON/);
    const good = join(root, 'good.json');
    writeFileSync(good, JSON.stringify({ ...base, name: 'good' }));
    const check = await cli(['--data', data, 'run', '--check', good]);
    expect(check).toMatchObject({ code: 0, stdout: `${good}: valid\n` });
    expect(runner.experiments.get('good')).toBeUndefined();
  });
});
