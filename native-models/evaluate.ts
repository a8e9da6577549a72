/**
 * Measures what the model cards and the dataset card report, with the workbench engine itself:
 *
 *   node main/bin/run-ts.mjs native-models/evaluate.ts [--work /tmp/wordnet-demo-eval]
 *
 * Builds the demo dataset (buildWordnetDemo, demo subset) into the work folder, then for its test and dev splits: BM25 (the BEIR importer's FTS5 index, bm25Search) and each
 * package in native-models/packages (exhaustive search: encodeCorpus, flat inner product or exhaustive
 * q-net scoring). Also the "check part" the integration test re-runs (CHECK_QUERIES test queries). Writes
 * packages/<name>/metrics.json, renders packages/<name>/MODEL_CARD.md, writes main/engine/demo/measured.json
 * (the dataset card's numbers) and refreshes the measured block of native-models/README.md.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildWordnetDemo,
  CHECK_DOCUMENTS,
  CHECK_QUERIES,
  type DemoMetrics,
  EXPECTATION_QUERIES,
  evaluateBm25,
  evaluatePackage,
  type Measured,
  rankWithPackage,
  readBeirSplit,
  renderMeasuredBlock,
  renderModelCard,
  selectQueries,
  splitPart,
} from '../main/engine/demo/index.ts';
import type { Run } from '../main/engine/eval/index.ts';
import { validatePackage } from '../main/engine/models/index.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    work: { type: 'string', default: join(tmpdir(), 'wordnet-demo-eval') },
    packages: { type: 'string', default: join(root, 'native-models', 'packages') },
    threads: { type: 'string', default: '2' },
  },
});
const threads = { intraOpNumThreads: Number(values.threads), interOpNumThreads: 1 };
mkdirSync(values.work, { recursive: true });
const data = join(values.work, 'dataset');
const dataset = await buildWordnetDemo(data);

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const fmt = (m: DemoMetrics) =>
  Object.entries(m.measures)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join('  ');

const splits = { test: await readBeirSplit(data, 'test'), dev: await readBeirSplit(data, 'dev') };
const check = splitPart(splits.test, CHECK_QUERIES, CHECK_DOCUMENTS);
const titles = new Map(splits.test.documents.map((d) => [d.docId, d.title]));
/** The top documents of one query of a run, best first (runFromEntries keeps the ranking order). */
const topDocnos = (run: Run, qid: string, k: number) => run.queries.get(qid)?.docnos.slice(0, k) ?? [];
const bm25 = {
  test: await evaluateBm25(data, splits.test, join(values.work, 'store')),
  dev: await evaluateBm25(data, splits.dev, join(values.work, 'store')),
};
log(`bm25 test ${fmt(bm25.test)}`);
log(`bm25 dev  ${fmt(bm25.dev)}`);

const models: Record<
  string,
  { test: DemoMetrics; dev: DemoMetrics; check: DemoMetrics; seconds: { test: number } }
> = {};
for (const name of readdirSync(values.packages).sort()) {
  const dir = join(values.packages, name);
  if (!statSync(dir).isDirectory()) continue;
  await validatePackage(dir, { threads });
  const options = { dataDir: join(values.work, 'artifacts'), threads };
  const started = Date.now();
  const test = await evaluatePackage(dir, splits.test, options);
  const seconds = (Date.now() - started) / 1000;
  const dev = await evaluatePackage(dir, splits.dev, options);
  const part = await evaluatePackage(dir, check, options);
  const fixed = selectQueries(check, check.queryIds.slice(0, EXPECTATION_QUERIES));
  const { run } = await rankWithPackage(dir, fixed, options);
  const expectations = fixed.queryIds.map((qid, i) => ({
    qid,
    query: fixed.queryTexts[i],
    top: topDocnos(run, qid, 3),
  }));
  log(`${name} test ${fmt(test)} (${seconds.toFixed(1)} s)`);
  log(`${name} dev  ${fmt(dev)}`);
  models[name] = { test, dev, check: part, seconds: { test: seconds } };
  const metrics = { test, dev, check: part, expectations, bm25 };
  writeFileSync(join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  const training = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8'));
  writeFileSync(join(dir, 'MODEL_CARD.md'), renderModelCard(dir, metrics, training, titles));
}

const measured: Measured = {
  dataset,
  bm25,
  models: Object.fromEntries(Object.entries(models).map(([k, v]) => [k, { test: v.test, dev: v.dev }])),
};
writeFileSync(
  join(root, 'main', 'engine', 'demo', 'measured.json'),
  `${JSON.stringify(measured, null, 2)}\n`,
);
const readme = join(root, 'native-models', 'README.md');
writeFileSync(readme, renderMeasuredBlock(readFileSync(readme, 'utf8'), measured));
log('wrote metrics.json, MODEL_CARD.md, main/engine/demo/measured.json and the README block');
