import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../../main/engine/errors.ts';
import { parseExperimentConfig, parseExperimentJson } from '../../../../main/engine/experiments/config.ts';

function problem(json: unknown): WorkbenchError {
  try {
    parseExperimentConfig(json, 'exp.json');
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbenchError);
    return err as WorkbenchError;
  }
  throw new Error('expected the config to be rejected');
}

const minimal = { name: 'x', datasets: [{ name: 'scifact' }], lexical: [{ mode: 'bm25' }] };

describe('experiment config', () => {
  it('fills defaults', () => {
    const c = parseExperimentConfig(minimal);
    expect(c.metrics).toEqual(['nDCG@10', 'RR@10', 'R@100', 'R@1000']);
    expect(c.topK).toBe(1000);
    expect(c.seed).toBe(42);
    expect(c.models).toEqual([]);
  });

  it('accepts sweeps as arrays', () => {
    const c = parseExperimentConfig({
      ...minimal,
      models: [
        { name: 'hyp', modes: [{ mode: 'graph', params: { nCandidates: [32, 64], maxIter: [8, 16] } }] },
      ],
    });
    const mode = c.models[0].modes[0];
    expect(mode.mode === 'graph' && mode.params?.nCandidates).toEqual([32, 64]);
  });

  it('names the JSON path of an invalid parameter', () => {
    const err = problem({
      ...minimal,
      models: [{ name: 'hyp', modes: [{ mode: 'graph', params: { nCandidates: 0 } }] }],
    });
    expect(err.message).toContain('models[0].modes[0].params.nCandidates');
    expect(err.details?.field).toBe('models[0].modes[0].params.nCandidates');
  });

  it('rejects unknown modes, unknown keys and configs without systems', () => {
    expect(problem({ ...minimal, models: [{ name: 'm', modes: [{ mode: 'ivf' }] }] }).message).toContain(
      'models[0].modes[0].mode',
    );
    expect(problem({ ...minimal, lexical: [{ mode: 'bm25', params: { k3: 1 } }] }).message).toContain(
      'lexical[0].params',
    );
    expect(problem({ name: 'x', datasets: [{ name: 'd' }] }).message).toContain('no systems');
  });

  it('reports JSON syntax errors with the file', () => {
    expect(() => parseExperimentJson('{"name": ', 'exp.json')).toThrow(/exp\.json: not valid JSON/);
  });
});

describe('experiment config: attacks, labels and limits', () => {
  it('accepts attack sets as a list of names or as sets + generate specs', () => {
    expect(parseExperimentConfig({ ...minimal, attacks: ['s1'] }).attacks).toEqual(['s1']);
    const c = parseExperimentConfig({
      ...minimal,
      attacks: { generate: [{ family: 'misspelling', seed: 1, sets: 10 }] },
    });
    expect(c.attacks).toEqual({ generate: [{ family: 'misspelling', seed: 1, sets: 10 }] });
    expect(problem({ ...minimal, attacks: { generate: [{ family: 'typo', seed: 1 }] } }).message).toContain(
      'attacks',
    );
  });

  it('refuses labels and names that cannot be part of a run name, and topK above trec_eval depth 1000', () => {
    expect(problem({ ...minimal, lexical: [{ mode: 'bm25', label: 'my bm25' }] }).details?.field).toBe(
      'lexical[0].label',
    );
    expect(problem({ ...minimal, name: 'two words' }).details?.field).toBe('name');
    expect(problem({ ...minimal, topK: 5000 }).details?.field).toBe('topK');
  });

  it('fills the latency profile defaults', () => {
    const c = parseExperimentConfig({ ...minimal, latency: {} });
    expect(c.latency).toEqual({ queries: 100, warmup: 5, repetitions: 3, batchSizes: [1], provider: 'cpu' });
  });
});
