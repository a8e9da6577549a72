import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORDS } from '../../../fixtures/models/vocab.ts';

/**
 * A tiny BEIR-format dataset made of the tiny vocabulary's words, so the generated tiny encoders see known
 * tokens: documents are seeded word draws; each query takes words of one "target" document (judged 2) and
 * of a neighbour (judged 1), so BM25 and the encoders have something to find.
 */
export function writeTinyBeir(
  dir: string,
  options: { documents?: number; queries?: number; seed?: number } = {},
): string {
  const docs = options.documents ?? 60;
  const queries = options.queries ?? 12;
  let state = (options.seed ?? 7) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const content = WORDS.slice(17);
  const word = () => content[Math.floor(random() * content.length)];
  const texts: string[] = [];
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  const corpus: string[] = [];
  for (let i = 0; i < docs; i++) {
    const text = Array.from({ length: 6 + Math.floor(random() * 10) }, word).join(' ');
    texts.push(text);
    corpus.push(JSON.stringify({ _id: `d${i}`, title: `${word()} ${word()}`, text }));
  }
  const qs: string[] = [];
  const qrels = ['query-id\tcorpus-id\tscore'];
  for (let q = 0; q < queries; q++) {
    const target = (q * 7) % docs;
    const words = texts[target].split(' ');
    qs.push(JSON.stringify({ _id: `q${q}`, text: `what ${words.slice(0, 3).join(' ')}` }));
    qrels.push(
      `q${q}\td${target}\t2`,
      `q${q}\td${(target + 1) % docs}\t1`,
      `q${q}\td${(target + 2) % docs}\t0`,
    );
  }
  writeFileSync(join(dir, 'corpus.jsonl'), `${corpus.join('\n')}\n`);
  writeFileSync(join(dir, 'queries.jsonl'), `${qs.join('\n')}\n`);
  writeFileSync(join(dir, 'qrels', 'test.tsv'), `${qrels.join('\n')}\n`);
  return dir;
}

/** Runs the real CLI in-process with captured output. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../../../main/cli.ts');
  let stdout = '';
  let stderr = '';
  const io = {
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
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/**
 * A data folder with the tiny dataset ("tiny") and the generated tiny packages registered as "hyp"
 * (Hypencoder) and "be" (bi-encoder).
 */
export async function prepareDataFolder(root: string): Promise<{ data: string; dataset: string }> {
  const { generateTinyPackages } = await import('../../../fixtures/models/generate.ts');
  const data = join(root, 'data');
  const packages = await generateTinyPackages(join(root, 'packages'), { seed: 3, dim: 8 });
  const dataset = writeTinyBeir(join(root, 'tiny-beir'));
  for (const args of [
    ['datasets', 'import', dataset, '--name', 'tiny'],
    ['models', 'import', packages.hypencoder, '--name', 'hyp'],
    ['models', 'import', packages.biencoder, '--name', 'be'],
  ]) {
    const r = await cli(['--data', data, ...args]);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  return { data, dataset };
}
