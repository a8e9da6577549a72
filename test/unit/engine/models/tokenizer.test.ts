import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../../../../main/engine/models/index.ts';
import { tinyVocab, tokenizerJson } from '../../../fixtures/models/vocab.ts';

const vocab = tinyVocab();
const json = tokenizerJson(vocab);
const tok = WordPieceTokenizer.fromJson(json);
const id = (t: string) => vocab.indexOf(t);
const tmp = mkdtempSync(join(tmpdir(), 'wb-tokenizer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('WordPieceTokenizer (bert-base-uncased behaviour)', () => {
  it('lower-cases, strips accents and splits punctuation', () => {
    expect(tok.tokenize('Héllo, World!')).toEqual(['hello', ',', 'world', '!']);
    expect(tok.tokenize('NAÏVE Café')).toEqual(['naive', 'cafe']);
    expect(tok.tokenize("covid-19's")).toEqual(['covid', '-', '1', '##9', "'", 's']);
  });

  it('splits words into ## continuations, longest match first', () => {
    expect(tok.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(tok.tokenize('retrievals scoring')).toEqual([
      'retrieval',
      '##s',
      's',
      '##c',
      '##o',
      '##r',
      '##ing',
    ]);
  });

  it('maps unknown words to [UNK] as a whole and drops control characters', () => {
    expect(tok.tokenize('straße привет')).toEqual(['[UNK]', '[UNK]']);
    expect(tok.tokenize('日本')).toEqual(['[UNK]', '[UNK]']);
    expect(tok.tokenize('hel\u0000lo')).toEqual(['hello']);
    expect(tok.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
  });

  it('reads [CLS]/[SEP] from the TemplateProcessing post-processor and [PAD] from the vocabulary', () => {
    expect(tok.specials).toEqual({
      prefix: [id('[CLS]')],
      suffix: [id('[SEP]')],
      pad: id('[PAD]'),
      unk: id('[UNK]'),
    });
  });

  it('truncates so that the specials fit in maxLength', () => {
    const ids = tok.encode('the query and the document are neural', 6);
    expect(ids).toEqual([id('[CLS]'), id('the'), id('query'), id('and'), id('the'), id('[SEP]')]);
    expect(tok.encode('', 6)).toEqual([id('[CLS]'), id('[SEP]')]);
    expect(() => tok.encode('x', 2)).toThrow(/maxLength 2 leaves no room/);
  });

  it('pads a batch to its longest row with the pad id and a 0 mask', () => {
    const b = tok.batch(['hello world', 'hello'], 16);
    expect(b.length).toBe(4);
    expect(Array.from(b.inputIds, Number)).toEqual([
      id('[CLS]'),
      id('hello'),
      id('world'),
      id('[SEP]'),
      id('[CLS]'),
      id('hello'),
      id('[SEP]'),
      id('[PAD]'),
    ]);
    expect(Array.from(b.attentionMask, Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(b.tokenCounts)).toEqual([4, 3]);
    const fixed = tok.batch(['hello world the query'], 16, { padTo: 5 });
    expect(fixed.length).toBe(5);
    expect(Array.from(fixed.inputIds, Number)).toEqual([
      id('[CLS]'),
      id('hello'),
      id('world'),
      id('the'),
      id('[SEP]'),
    ]);
  });

  it('tokenises a long text from a prefix with exactly the tokens of the whole text', () => {
    const words = ['alpha', 'Beta,', 'naïve', 'x\u0000y', '\tcafé', 'un-affable', '日本', 'retrieval\u000b'];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (let trial = 0; trial < 12; trial++) {
      const text = Array.from(
        { length: 400 + Math.floor(next() * 400) },
        () => words[Math.floor(next() * words.length)],
      ).join(next() < 0.5 ? ' ' : '  ');
      for (const limit of [5, 30, 120]) {
        expect(tok.contentIds(text, limit)).toEqual(tok.tokenize(text).slice(0, limit).map(id));
      }
    }
  });

  it('reads a tokenizer.json from disk', () => {
    const path = join(tmp, 'tokenizer.json');
    writeFileSync(path, JSON.stringify(json));
    expect(WordPieceTokenizer.fromFile(path).tokenize('Hello')).toEqual(['hello']);
  });

  it('rejects unsupported tokenizer models with the field and what to do', () => {
    const bpe = { ...json, model: { type: 'BPE', vocab: {}, merges: [] } };
    expect(() => WordPieceTokenizer.fromJson(bpe, 'pkg/tokenizer.json')).toThrow(
      /pkg\/tokenizer\.json: model\.type: "BPE" is not supported\. The workbench tokenizes BERT WordPiece/,
    );
    const unigram = { ...json, model: { type: 'Unigram', vocab: [['a', 0]] } };
    expect(() => WordPieceTokenizer.fromJson(unigram)).toThrow(/"Unigram" is not supported/);
  });

  it('rejects a vocabulary without its unknown or pad token', () => {
    const model = json.model as Record<string, unknown>;
    const noUnk = { ...json, model: { ...model, unk_token: '[NOPE]' } };
    expect(() => WordPieceTokenizer.fromJson(noUnk)).toThrow(
      /model\.unk_token: "\[NOPE\]" is not in the vocabulary/,
    );
    const vocabNoPad = Object.fromEntries(
      Object.entries(model.vocab as Record<string, number>).filter(([t]) => t !== '[PAD]'),
    );
    const noPad = { ...json, added_tokens: [], model: { ...model, vocab: vocabNoPad } };
    expect(() => WordPieceTokenizer.fromJson(noPad)).toThrow(/padding: no pad token/);
  });
});

const scifact = fileURLToPath(
  new URL('../../../../../shared/datasets/scifact/corpus.jsonl', import.meta.url),
);
const hasScifact = existsSync(scifact);
if (!hasScifact)
  console.warn(
    `skipping the SciFact tokenizer check: ${scifact} not found (../shared/datasets is absent in a fresh clone)`,
  );

describe.skipIf(!hasScifact)('WordPieceTokenizer on real abstracts (BEIR SciFact)', () => {
  it('tokenises long texts from a prefix exactly as from the whole text', () => {
    const lines = readFileSync(scifact, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(0, 400);
    let shortcuts = 0;
    for (const line of lines) {
      const doc = JSON.parse(line) as { title: string; text: string };
      const text = `${doc.title} ${doc.text}`.trim();
      const full = tok.tokenize(text).map(id);
      for (const limit of [30, 126]) {
        if (text.length > limit * 8) shortcuts++;
        expect(tok.contentIds(text, limit)).toEqual(full.slice(0, limit));
      }
    }
    // Most SciFact abstracts are long enough for the shortcut to be taken; the check must have covered it.
    expect(shortcuts).toBeGreaterThan(300);
  });
});
