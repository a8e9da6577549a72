import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planImport } from '../../../../main/engine/datasets/index.ts';
import { fixtures, removeTempDirs, tempDir } from '../../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

describe('planImport: format detection', () => {
  it('a folder with corpus.jsonl is BEIR, with every qrels/<split>.tsv as a split', () => {
    const plan = planImport({ path: fixtures.beir });
    expect(plan.format).toBe('beir');
    expect(plan.name).toBe('beir-tiny');
    expect(plan.corpus).toMatchObject({ kind: 'jsonl', keys: { id: '_id', title: 'title', text: 'text' } });
    expect(plan.queries.map((q) => q.split)).toEqual([null]);
    expect(plan.qrels.map((q) => [q.kind, q.split])).toEqual([
      ['beir', 'dev'],
      ['beir', 'test'],
    ]);
  });

  it('--split keeps only that split of a BEIR folder and refuses a split that is not there', () => {
    expect(planImport({ path: fixtures.beir, split: 'test' }).qrels.map((q) => q.split)).toEqual(['test']);
    expect(() => planImport({ path: fixtures.beir, split: 'train' })).toThrow(/no qrels for split "train"/);
  });

  it('a folder with collection.tsv is MS MARCO, splits from queries.<split>.tsv / qrels.<split>.tsv', () => {
    const plan = planImport({ path: fixtures.msmarco });
    expect(plan.format).toBe('msmarco');
    expect(plan.corpus).toMatchObject({ kind: 'tsv' });
    expect(plan.queries.map((q) => q.split)).toEqual(['dev', 'dev.small']);
    expect(plan.qrels.map((q) => [q.kind, q.split])).toEqual([['trec', 'dev']]);
  });

  it('a folder with topics.tsv and qrels.txt is TREC; --split labels them', () => {
    const plan = planImport({ path: fixtures.trec, split: 'test' });
    expect(plan.format).toBe('trec');
    expect(plan.corpus).toBeNull();
    expect(plan.queries).toMatchObject([{ kind: 'tsv', split: 'test' }]);
    expect(plan.qrels).toMatchObject([{ kind: 'trec', split: 'test' }]);
  });

  it('a .jsonl or .jsonl.gz file is a generic JSONL corpus; the keys given are kept', () => {
    const dir = tempDir();
    const file = join(dir, 'docs.jsonl.gz');
    writeFileSync(file, '');
    const plan = planImport({ path: file, idKey: 'docid', textKey: 'body' });
    expect(plan.format).toBe('jsonl');
    expect(plan.name).toBe('docs');
    expect(plan.corpus).toEqual({
      kind: 'jsonl',
      path: file,
      keys: { id: 'docid', title: null, text: 'body' },
    });
  });

  it('topics + qrels without a path form a corpus-less TREC dataset named after their folder', () => {
    const plan = planImport({
      topics: join(fixtures.trec, 'topics.tsv'),
      qrels: join(fixtures.trec, 'qrels.txt'),
    });
    expect(plan).toMatchObject({ format: 'trec', name: 'trec-tiny', corpus: null, attachTo: null });
  });

  it('--attach-to names the target; a corpus cannot be attached and --name must agree', () => {
    const topics = join(fixtures.trec, 'topics.tsv');
    expect(planImport({ topics, attachTo: 'scifact' })).toMatchObject({
      name: 'scifact',
      attachTo: 'scifact',
    });
    expect(() => planImport({ path: fixtures.beir, attachTo: 'x' })).toThrow(/corpus cannot be attached/);
    expect(() => planImport({ topics, attachTo: 'x', name: 'y' })).toThrow(/disagree/);
  });

  it('explains what it expected when nothing can be detected', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    expect(() => planImport({ path: join(dir, 'empty') })).toThrow(/corpus\.jsonl \(BEIR\).*--format/);
    expect(() => planImport({ path: join(dir, 'missing') })).toThrow(/no such file or folder/);
    expect(() => planImport({})).toThrow(/nothing to import/);
    expect(() => planImport({ path: fixtures.beir, unknown: 'maybe' as never })).toThrow(
      /--unknown must be one of/,
    );
  });
});
