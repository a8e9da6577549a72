import { ensureFullTextIndex, importDataset, planImport } from '../datasets/index.ts';
import { type RunEntry, runFromEntries } from '../eval/index.ts';
import { bm25Search } from '../search/index.ts';
import { openStore } from '../store/index.ts';
import type { BeirSplit } from './beir.ts';
import { DEMO_DEPTH, type DemoMetrics, metricsOf } from './evaluate.ts';

/**
 * The dataset card's lexical baseline: the demo folder imported by the workbench's BEIR importer into a
 * store in `dataDir` (its FTS5 index, Porter stemming), every query of `split` ranked by `bm25Search`, the
 * run scored like the models' (evaluate.ts).
 */
export async function evaluateBm25(
  beirDir: string,
  split: BeirSplit,
  dataDir: string,
  name = 'wordnet-demo',
): Promise<DemoMetrics> {
  const store = openStore(dataDir);
  try {
    // One import per split (same corpus, so the same FTS5 statistics): the importer's split assignment
    // is slow for the 23k queries of all splits together.
    const datasetName = `${name}-${split.split}`;
    const dataset =
      store.datasets.get(datasetName) ??
      (
        await importDataset(
          store,
          planImport({ path: beirDir, name: datasetName, format: 'beir', split: split.split }),
        )
      ).dataset;
    await ensureFullTextIndex(store, dataset.id); // a kept store whose index build was interrupted
    const run: RunEntry[] = [];
    for (let i = 0; i < split.queryIds.length; i++) {
      const ranking = bm25Search(store.documents, dataset.id, split.queryTexts[i], DEMO_DEPTH);
      for (let r = 0; r < ranking.docnos.length; r++)
        run.push({ qid: split.queryIds[i], docno: ranking.docnos[r], score: ranking.scores[r] });
    }
    return metricsOf(runFromEntries('bm25', run), split, 'bm25 (SQLite FTS5, porter)', 'bm25');
  } finally {
    store.close();
  }
}
