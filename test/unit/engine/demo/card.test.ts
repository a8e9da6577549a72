import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DemoMetrics,
  MEASURED,
  type Measured,
  renderDatasetCard,
  renderMeasuredBlock,
  type WordnetDemoStats,
  wordnetDatasetCard,
} from '../../../../main/engine/demo/index.ts';
import { DEFAULT_SETTINGS } from '../../../../main/engine/eval/index.ts';

const metrics = (ndcg: number, queries = 1222): DemoMetrics => ({
  model: 'm',
  kind: 'bm25',
  split: 'test',
  queries,
  documents: 23453,
  depth: 100,
  measures: { ndcg_cut_10: ndcg, 'RR(rel=2)@10': ndcg - 0.01, 'R(rel=2)@100': 0.5 },
  settings: DEFAULT_SETTINGS,
});

const stats: WordnetDemoStats = {
  subset: 'demo',
  seed: 'seed-x',
  synsets: 117791,
  documents: 23453,
  queries: 23450,
  splits: {
    train: { queries: 21119, judgments: 24720, labels: { '2': 21278, '1': 3442 } },
    dev: { queries: 1109, judgments: 1311, labels: { '2': 1118, '1': 193 } },
    test: { queries: 1222, judgments: 1444, labels: { '2': 1232, '1': 212 } },
  },
  withoutDefinition: 0,
  definitionInLemmas: 3,
  meanDocWords: 10.3,
  meanQueryWords: 9.9,
  files: {},
};

const measured: Measured = {
  dataset: stats,
  bm25: { test: metrics(0.27941), dev: metrics(0.28123, 1109) },
  models: { 'wordnet-tiny-hypencoder': { test: metrics(0.31234), dev: metrics(0.3, 1109) } },
};

describe('dataset card', () => {
  it('states construction, sizes, licence and each system’s numbers with their settings', () => {
    const card = renderDatasetCard(measured);
    expect(card).toContain('| test | 1,222 | 1,232 | 212 |');
    expect(card).toContain('23,453 cards');
    expect(card).toMatch(/WordNet 3\.1 Copyright 2011 by Princeton University/);
    expect(card).toContain('seed `seed-x`');
    expect(card).toMatch(/\| BM25 \(SQLite FTS5, porter\) \| 0\.2794 \| 0\.2694 \| 0\.5000 \| 0\.2812 \|/);
    expect(card).toMatch(/\| wordnet-tiny-hypencoder \| 0\.3123 \|/);
    expect(card).toMatch(/mean over all 1222 judged queries × 23453 cards, exhaustive ranking to depth 100/);
  });

  it('replaces only the block between the README markers', () => {
    const readme = 'intro\n<!-- dataset-card:begin -->\nold\n<!-- dataset-card:end -->\noutro\n';
    const out = renderMeasuredBlock(readme, measured);
    expect(out.startsWith('intro\n<!-- dataset-card:begin -->\n### Dataset card')).toBe(true);
    expect(out.endsWith('<!-- dataset-card:end -->\noutro\n')).toBe(true);
    expect(out).not.toContain('\nold\n');
    expect(renderMeasuredBlock(out, measured)).toBe(out);
  });
});

describe('the shipped dataset card', () => {
  it('is what native-models/README.md shows, measured on the demo test split for every system', () => {
    const readme = readFileSync(new URL('../../../../native-models/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      `<!-- dataset-card:begin -->\n${wordnetDatasetCard()}\n<!-- dataset-card:end -->`,
    );
    const systems = [MEASURED.bm25, ...Object.values(MEASURED.models)];
    expect(Object.keys(MEASURED.models).sort()).toEqual([
      'wordnet-tiny-biencoder',
      'wordnet-tiny-hypencoder',
    ]);
    for (const s of systems) {
      expect(s.test.split).toBe('test');
      expect(s.test.queries).toBe(MEASURED.dataset.splits.test.queries);
      expect(s.test.documents).toBe(MEASURED.dataset.documents);
      expect(s.test.settings.complete).toBe(true);
    }
  });
});
