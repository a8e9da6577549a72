import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli.ts';
import { importDataset, planImport } from '../../main/engine/datasets/index.ts';
import { DATASET_CARD_FILE, wordnetDatasetCard } from '../../main/engine/demo/index.ts';
import { openStore } from '../../main/engine/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--data', join(dir, 'data'), ...args], {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
  });
  return { code, stdout, stderr };
}

describe('workbench demo dataset', () => {
  it('writes the WordNet concept-search BEIR folder that the BEIR importer takes as is', async () => {
    const out = join(dir, 'wordnet');
    const r = await run(['demo', 'dataset', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/WordNet 3\.1 concept search \(demo subset\)/);
    const test = /test +(\d+) queries/.exec(r.stdout);
    expect(Number(test?.[1])).toBeGreaterThanOrEqual(1000);
    const cards = readFileSync(join(out, 'corpus.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    expect(r.stdout).toContain(`cards   ${cards} of 117791 synsets`);

    const store = openStore(join(dir, 'store'));
    try {
      // Every split, as the demo imports it; the full-text index is the BM25 test's (demo-bm25.test.ts).
      const result = await importDataset(
        store,
        planImport({ path: out, name: 'wordnet-demo', fullText: false }),
      );
      expect(result.documents).toBe(cards);
      expect(result.queries).toBe(Number(/queries (\d+) definitions/.exec(r.stdout)?.[1]));
      expect(result.dataset.stats.splits.test.judgments).toBe(
        Number(/test +\d+ queries, (\d+) judgments/.exec(r.stdout)?.[1]),
      );
      expect(result.dataset.stats.splits.test.queries).toBe(Number(test?.[1]));
      // The dataset card travels with the folder and is kept with the dataset.
      expect(result.card.card?.file).toBe(DATASET_CARD_FILE);
      expect(result.card.card?.text).toBe(wordnetDatasetCard());
      expect(store.datasets.card(result.dataset.id)?.text).toContain('| BM25 (SQLite FTS5, porter) |');
      expect(result.dataset.stats.unknownQrels.unknownDocuments).toBe(0);
      expect(result.dataset.stats.judgmentsPerLabel).toMatchObject({
        '1': expect.any(Number),
        '2': expect.any(Number),
      });
    } finally {
      store.close();
    }
  });

  it('names the option and the choices when the subset is unknown', async () => {
    const r = await run(['demo', 'dataset', '--out', join(dir, 'x'), '--subset', 'nouns']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--subset must be one of demo, all \(got "nouns"\)/);
  });
});
