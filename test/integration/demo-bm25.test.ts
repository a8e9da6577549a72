import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWordnetDemo, evaluateBm25, MEASURED, readBeirSplit } from '../../main/engine/demo/index.ts';

/**
 * The dataset card's BM25 baseline, reproduced: the demo folder through the BEIR importer (FTS5 index,
 * Porter stemming) and bm25Search for every test query, scored with trec_eval semantics.
 */

const dir = mkdtempSync(join(tmpdir(), 'wb-demo-bm25-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo dataset BM25 baseline', () => {
  it('reproduces the dataset card’s test-split numbers within 1e-4', async () => {
    const data = join(dir, 'dataset');
    const stats = await buildWordnetDemo(data);
    expect(stats.files).toEqual(MEASURED.dataset.files);
    const test = await readBeirSplit(data, 'test');
    const got = await evaluateBm25(data, test, join(dir, 'store'));
    expect(got.queries).toBe(MEASURED.bm25.test.queries);
    for (const [measure, value] of Object.entries(MEASURED.bm25.test.measures)) {
      expect(Math.abs(got.measures[measure] - value), measure).toBeLessThan(1e-4);
    }
  });
});
