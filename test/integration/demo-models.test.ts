import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BeirSplit,
  buildWordnetDemo,
  CHECK_DOCUMENTS,
  CHECK_QUERIES,
  checkSamples,
  evaluatePackage,
  type PackageMetrics,
  rankWithPackage,
  readBeirSplit,
  SAMPLE_ATOL,
  selectQueries,
  splitPart,
} from '../../main/engine/demo/index.ts';
import { validatePackage } from '../../main/engine/models/index.ts';

/**
 * The shipped demo packages (native-models/packages), loaded as the workbench loads them:
 * - ORT vs PyTorch: samples.json (exporter's PyTorch outputs) reproduced within SAMPLE_ATOL + SAMPLE_RTOL·|x|;
 * - the model cards' test-split metrics within 1e-4: in full for the bi-encoder, and for both models on the
 *   documented check part (CHECK_QUERIES test queries over CHECK_DOCUMENTS cards plus the judged ones), since
 *   the Hypencoder's exhaustive q-net over the whole split takes about a minute on 2 cores;
 * - the recorded top cards of fixed queries.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const packagesDir = join(root, 'native-models', 'packages');
const PACKAGES = ['wordnet-tiny-biencoder', 'wordnet-tiny-hypencoder'];
const shipped = PACKAGES.every((p) => existsSync(join(packagesDir, p, 'model.json')));
if (!shipped) {
  console.warn(
    `SKIPPED demo package tests: ${PACKAGES.join(', ')} are not in native-models/packages (build them: native-models/README.md)`,
  );
}

const work = mkdtempSync(join(tmpdir(), 'wb-demo-models-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let test: BeirSplit;
let check: BeirSplit;
beforeAll(async () => {
  if (!shipped) return;
  const data = join(work, 'dataset');
  await buildWordnetDemo(data);
  test = await readBeirSplit(data, 'test');
  check = splitPart(test, CHECK_QUERIES, CHECK_DOCUMENTS);
});

describe.skipIf(!shipped).each(PACKAGES)('%s', (name) => {
  const dir = join(packagesDir, name);
  const metrics = () => JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as PackageMetrics;

  it('is a valid package whose card states its metrics', async () => {
    const report = await validatePackage(dir);
    expect(report.graphs.map((g) => g.role)).toEqual(['query', 'doc']);
    // Committed to the repository: under 10 MB each (the Hypencoder's graphs share one weights.bin).
    const bytes = Object.keys(
      JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).provenance.files,
    ).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThan(10e6);
    const card = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
    const m = metrics();
    expect(card).toContain(m.test.measures.ndcg_cut_10.toFixed(4));
    expect(card).toContain(m.check.measures.ndcg_cut_10.toFixed(4));
    expect(card).toMatch(/Training budget: \d+\.\d minutes/);
  });

  it('reproduces the exporter’s PyTorch outputs with onnxruntime', async () => {
    const result = await checkSamples(dir);
    expect(result.tokenMismatches).toEqual([]);
    expect(result.maxDiff.docEmbeddings).toBeLessThan(SAMPLE_ATOL * 10);
    expect(result.worstRatio).toBeLessThanOrEqual(1);
    expect(result.pass).toBe(true);
  });

  it('reproduces the model card’s check-part metrics within 1e-4', async () => {
    const m = metrics();
    expect(check.queryIds).toHaveLength(m.check.queries);
    expect(check.documents).toHaveLength(m.check.documents);
    const got = await evaluatePackage(dir, check, { dataDir: join(work, 'artifacts') });
    for (const [measure, value] of Object.entries(m.check.measures)) {
      expect(Math.abs(got.measures[measure] - value), measure).toBeLessThan(1e-4);
    }
  });

  it('ranks the recorded top cards first for the fixed queries', async () => {
    const m = metrics();
    const fixed = selectQueries(
      check,
      m.expectations.map((e) => e.qid),
    );
    expect(fixed.queryTexts).toEqual(m.expectations.map((e) => e.query));
    const { run } = await rankWithPackage(dir, fixed, { dataDir: join(work, 'artifacts') });
    for (const e of m.expectations)
      expect(run.queries.get(e.qid)?.docnos.slice(0, e.top.length), e.qid).toEqual(e.top);
  });
});

describe.skipIf(!shipped)('demo packages against BM25', () => {
  it('both beat BM25 in test nDCG@10 on the demo dataset (as recorded by the engine)', () => {
    for (const name of PACKAGES) {
      const file = join(packagesDir, name, 'metrics.json');
      expect(existsSync(file)).toBe(true);
      const m = JSON.parse(readFileSync(file, 'utf8')) as PackageMetrics;
      expect(m.test.measures.ndcg_cut_10).toBeGreaterThan(m.bm25.test.measures.ndcg_cut_10);
    }
  });
});

// The bi-encoder's full test split is seconds (flat inner product); the Hypencoder's exhaustive q-net over
// 1,222 queries × 23,453 cards is about a minute on 2 cores, so it is checked on the check part above.
describe.skipIf(!shipped)('wordnet-tiny-biencoder on the full test split', () => {
  it('reproduces the model card’s test-split metrics within 1e-4', async () => {
    const dir = join(packagesDir, 'wordnet-tiny-biencoder');
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as PackageMetrics;
    const got = await evaluatePackage(dir, test, { dataDir: join(work, 'artifacts') });
    expect(got.queries).toBe(m.test.queries);
    for (const [measure, value] of Object.entries(m.test.measures)) {
      expect(Math.abs(got.measures[measure] - value), measure).toBeLessThan(1e-4);
    }
  });
});
