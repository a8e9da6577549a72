import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWordnetDemo } from '../../main/engine/demo/index.ts';
import { readPackage } from '../../main/engine/models/index.ts';

/**
 * Train/serve skew guard: the demo models were trained on token ids from native-models/wordpiece.py; the
 * workbench tokenizes with @huggingface/tokenizers and models/tokenizer.ts. Both must agree id for id on the
 * demo's own texts (and on text the data does not contain: accents, CJK, symbols). Needs python3 (no torch).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = join(root, 'native-models', 'packages', 'wordnet-tiny-biencoder');
const python = [process.env.WORKBENCH_PYTHON, 'python3', '/usr/bin/python3'].find(
  (p) =>
    p !== undefined && spawnSync(p, ['-c', 'import json, unicodedata'], { encoding: 'utf8' }).status === 0,
);
if (!python) console.warn('demo-tokenizer: skipped, no python3');

const dir = mkdtempSync(join(tmpdir(), 'wb-demo-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKENIZER_FOR_SKIP = fileURLToPath(
  new URL('../../native-models/packages/wordnet-tiny-biencoder/tokenizer.json', import.meta.url),
);
if (!existsSync(TOKENIZER_FOR_SKIP))
  console.warn(`SKIPPED demo tokenizer test: ${TOKENIZER_FOR_SKIP} is not built`);

describe.skipIf(!python || !existsSync(TOKENIZER_FOR_SKIP))(
  'demo tokenizer: Python (training) vs the workbench (retrieval)',
  () => {
    it('gives the same ids for 3,000 demo texts and awkward Unicode', async () => {
      const data = join(dir, 'data');
      await buildWordnetDemo(data);
      const lines = (f: string) =>
        readFileSync(join(data, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { title?: string; text: string });
      const texts = [
        ...lines('queries.jsonl')
          .slice(0, 1500)
          .map((q) => q.text),
        ...lines('corpus.jsonl')
          .slice(0, 1500)
          .map((d) => `${d.title} ${d.text}`.trim()),
        'Café naïve résumé — “quotes” $5^2 `x` 中文字 Ünïcödé\u00a0nbsp\ttab',
        'a'.repeat(150),
      ];
      const input = join(dir, 'texts.json');
      writeFileSync(input, JSON.stringify(texts));
      const script = [
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(join(root, 'native-models'))})`,
        'from wordpiece import load_tokenizer_json',
        `wp = load_tokenizer_json(${JSON.stringify(join(pkg, 'tokenizer.json'))})`,
        `texts = json.load(open(${JSON.stringify(input)}))`,
        'print(json.dumps([wp.encode(t, 64) for t in texts]))',
      ].join('\n');
      const r = spawnSync(python!, ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(r.status, r.stderr).toBe(0);
      const expected = JSON.parse(r.stdout) as number[][];
      const { tokenizer } = readPackage(pkg);
      const batch = tokenizer.batch(texts, 64);
      const mismatches: number[] = [];
      for (let i = 0; i < texts.length; i++) {
        const row = Array.from(
          batch.inputIds.subarray(i * batch.length, i * batch.length + batch.tokenCounts[i]),
          Number,
        );
        if (row.join() !== expected[i].join()) mismatches.push(i);
      }
      expect(mismatches.map((i) => texts[i])).toEqual([]);
    });
  },
);
