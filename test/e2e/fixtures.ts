import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTinyPackages } from '../fixtures/models/generate.ts';
import { writeTinyBeir } from '../unit/engine/experiments/helpers.ts';

export interface E2eInputs {
  beir: string;
  hypencoder: string;
  biencoder: string;
  /** A JSONL corpus big enough that its import is still running when the test cancels it. */
  bigCorpus: string;
}

/** The tiny dataset's card: the Datasets view renders it. */
export const TINY_CARD = `### Tiny synthetic collection

Words of the tiny models' vocabulary, for the end-to-end tests.

| split | queries | judgments |
|---|---:|---:|
| test | 10 | 30 |
`;

/** The tiny dataset (words of the tiny models' vocabulary) and the tiny generated model packages. */
export async function makeInputs(dir: string): Promise<E2eInputs> {
  const beir = writeTinyBeir(join(dir, 'tiny-beir'), { documents: 200, queries: 10 });
  writeFileSync(join(beir, 'DATASET_CARD.md'), TINY_CARD);
  const pkgs = await generateTinyPackages(join(dir, 'packages'), { seed: 11, dim: 16 });
  mkdirSync(join(dir, 'big'), { recursive: true });
  const bigCorpus = join(dir, 'big', 'big.jsonl');
  const words = 'query document passage retrieval neural ranking hypernetwork weights lexical dense'.split(
    ' ',
  );
  const lines: string[] = [];
  for (let i = 0; i < 300_000; i++) {
    const text = Array.from({ length: 24 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    lines.push(`{"_id":"b${i}","title":"t${i}","text":"${text}"}`);
  }
  writeFileSync(bigCorpus, `${lines.join('\n')}\n`);
  return { beir, hypencoder: pkgs.hypencoder, biencoder: pkgs.biencoder, bigCorpus };
}
