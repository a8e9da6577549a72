import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  buildWordnetDemo,
  type WordnetDemoStats,
  type WordnetSubset,
  wordnetDatasetCard,
} from '../engine/demo/index.ts';
import { WorkbenchError } from '../engine/errors.ts';
import type { CliContext } from './context.ts';

const SUBSETS: readonly WordnetSubset[] = ['demo', 'all'];

function summary(out: string, s: WordnetDemoStats): string {
  const split = (name: 'train' | 'dev' | 'test') => {
    const x = s.splits[name];
    const labels = Object.entries(x.labels)
      .sort(([a], [b]) => Number(b) - Number(a))
      .map(([label, n]) => `${n}×${label}`)
      .join(', ');
    return `  ${name.padEnd(5)} ${String(x.queries).padStart(6)} queries, ${x.judgments} judgments (${labels})`;
  };
  return [
    `WordNet 3.1 concept search (${s.subset === 'all' ? 'all synsets' : 'demo subset'}) written to ${out}`,
    `  cards  ${String(s.documents).padStart(6)} of ${s.synsets} synsets, ${s.meanDocWords.toFixed(1)} words on average`,
    `  queries ${String(s.queries).padStart(5)} definitions, ${s.meanQueryWords.toFixed(1)} words on average`,
    split('train'),
    split('dev'),
    split('test'),
    `  import it with the BEIR importer (corpus.jsonl, queries.jsonl, qrels/{train,dev,test}.tsv)`,
  ].join('\n');
}

/** `demo dataset --out DIR`: builds the WordNet reverse-dictionary dataset as a BEIR folder. */
export function registerDemoCommands(program: Command, ctx: Pick<CliContext, 'out'>): void {
  const demo = program
    .command('demo')
    .description('the bundled demo: WordNet 3.1 concept search and tiny trained models');
  demo
    .command('dataset')
    .description(
      'build the WordNet 3.1 reverse-dictionary dataset (definitions → concept cards) as a BEIR folder',
    )
    .requiredOption('--out <dir>', 'folder to write corpus.jsonl, queries.jsonl and qrels/ into')
    .option(
      '--subset <name>',
      `which synsets become cards: ${SUBSETS.join(' | ')} (demo: a seeded 20 % sample)`,
      'demo',
    )
    .action(async (opts: { out: string; subset: string }) => {
      if (!SUBSETS.includes(opts.subset as WordnetSubset)) {
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `--subset must be one of ${SUBSETS.join(', ')} (got "${opts.subset}")`,
          {
            field: '--subset',
          },
        );
      }
      const out = resolve(opts.out);
      const subset = opts.subset as WordnetSubset;
      // The card's numbers were measured on the demo subset; the full set gets none.
      const card = subset === 'demo' ? wordnetDatasetCard() : undefined;
      const stats = await buildWordnetDemo(out, { subset, ...(card ? { card } : {}) });
      ctx.out(summary(out, stats));
    });
}
