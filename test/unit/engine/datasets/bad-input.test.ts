/**
 * Every malformed input is refused with an error that names the file, the line, the field where there is
 * one and the problem — and leaves nothing of the import in the database.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImportParams, importDataset, planImport } from '../../../../main/engine/datasets/index.ts';
import { type ErrorCode, WorkbenchError } from '../../../../main/engine/errors.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { removeTempDirs, tempDir } from '../../../fixtures/datasets/paths.ts';

afterAll(removeTempDirs);

let store: Store;
let dir: string;
beforeEach(() => {
  dir = tempDir();
  store = openStore(join(dir, 'data'));
});
afterEach(() => store.close());

/** A BEIR folder whose files hold the given text (or bytes). */
function beir(files: { corpus?: string | Buffer; queries?: string; qrels?: string }): string {
  const root = join(dir, 'beir');
  mkdirSync(join(root, 'qrels'), { recursive: true });
  writeFileSync(
    join(root, 'corpus.jsonl'),
    files.corpus ?? '{"_id":"d1","title":"","text":"one"}\n{"_id":"d2","title":"","text":"two"}\n',
  );
  writeFileSync(join(root, 'queries.jsonl'), files.queries ?? '{"_id":"q1","text":"query"}\n');
  writeFileSync(join(root, 'qrels', 'test.tsv'), files.qrels ?? 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
  return root;
}

function nothingStored(): void {
  const count = (t: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  expect(store.datasets.list()).toEqual([]);
  expect(
    ['datasets', 'dataset_files', 'documents', 'queries', 'qrels', 'fulltext_indexes'].map(count),
  ).toEqual([0, 0, 0, 0, 0, 0]);
  expect(store.documents.fullTextTables()).toEqual([]);
  expect(store.integrityCheck()).toEqual(['ok']);
}

async function expectRefused(
  params: ImportParams,
  expected: { code: ErrorCode; file: string; line: number; field?: string; problem: RegExp | string },
): Promise<WorkbenchError> {
  const error = await importDataset(store, planImport(params)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkbenchError);
  const e = error as WorkbenchError;
  expect(e.code).toBe(expected.code);
  expect(e.message.startsWith(`${expected.file}:${expected.line}: `)).toBe(true);
  expect(e.details).toMatchObject({ file: expected.file, line: expected.line });
  if (expected.field) {
    expect(e.details?.field).toBe(expected.field);
    expect(e.message).toContain(`(field "${expected.field}")`);
  }
  if (typeof expected.problem === 'string') expect(e.message).toContain(expected.problem);
  else expect(e.message).toMatch(expected.problem);
  nothingStored();
  return e;
}

describe('bad corpus input', () => {
  it('a truncated JSONL line', async () => {
    const path = beir({ corpus: '{"_id":"d1","title":"","text":"one"}\n{"_id":"d2","title":"","text":"tw' });
    await expectRefused(
      { path },
      { code: 'INPUT_INVALID', file: join(path, 'corpus.jsonl'), line: 2, problem: /truncated JSON/ },
    );
  });

  it('invalid UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"_id":"d1","title":"","text":"one"}\n{"_id":"d2","title":"","text":"caf'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]);
    const path = beir({ corpus: bytes });
    await expectRefused(
      { path },
      { code: 'INPUT_INVALID', file: join(path, 'corpus.jsonl'), line: 2, problem: 'invalid UTF-8' },
    );
  });

  it('a duplicate document id names both lines', async () => {
    const path = beir({
      corpus:
        '{"_id":"d1","text":"one"}\n{"_id":"d2","text":"two"}\n{"_id":"d3","text":"x"}\n{"_id":"d2","text":"again"}\n',
    });
    const e = await expectRefused(
      { path },
      {
        code: 'INPUT_DUPLICATE',
        file: join(path, 'corpus.jsonl'),
        line: 4,
        field: '_id',
        problem: 'duplicate document id "d2" — first seen at line 2',
      },
    );
    expect(e.details).toMatchObject({ firstLine: 2 });
  });

  it('a missing id field', async () => {
    const path = beir({ corpus: '{"_id":"d1","text":"one"}\n{"title":"t","text":"two"}\n' });
    await expectRefused(
      { path },
      {
        code: 'INPUT_INVALID',
        file: join(path, 'corpus.jsonl'),
        line: 2,
        field: '_id',
        problem: 'missing field "_id"',
      },
    );
  });

  it('a missing text field', async () => {
    const path = beir({ corpus: '{"_id":"d1","text":"one"}\n{"_id":"d2","title":"only a title"}\n' });
    await expectRefused(
      { path },
      {
        code: 'INPUT_INVALID',
        file: join(path, 'corpus.jsonl'),
        line: 2,
        field: 'text',
        problem: 'missing field "text"',
      },
    );
  });

  it('a field of the wrong JSON type, and a line that is not an object', async () => {
    const path = beir({ corpus: '{"_id":"d1","text":"one"}\n{"_id":"d2","text":42}\n' });
    await expectRefused(
      { path },
      {
        code: 'INPUT_INVALID',
        file: join(path, 'corpus.jsonl'),
        line: 2,
        field: 'text',
        problem: 'expected a string, found number',
      },
    );
    const path2 = beir({ corpus: '["d1","one"]\n' });
    await expectRefused(
      { path: path2 },
      {
        code: 'INPUT_INVALID',
        file: join(path2, 'corpus.jsonl'),
        line: 1,
        problem: 'expected a JSON object, found array',
      },
    );
  });

  it('an empty corpus file', async () => {
    const path = beir({ corpus: '' });
    await expectRefused(
      { path },
      {
        code: 'INPUT_EMPTY',
        file: join(path, 'corpus.jsonl'),
        line: 1,
        problem: 'the corpus holds no documents',
      },
    );
  });

  it('a single 50 MB line is refused as too large, not read into memory', async () => {
    const path = beir({});
    const big = Buffer.alloc(50 * 1024 * 1024, 0x61);
    writeFileSync(
      join(path, 'corpus.jsonl'),
      Buffer.concat([Buffer.from('{"_id":"d1","text":"'), big, Buffer.from('"}\n')]),
    );
    await expectRefused(
      { path },
      {
        code: 'INPUT_TOO_LARGE',
        file: join(path, 'corpus.jsonl'),
        line: 1,
        problem: /line longer than 16777216 bytes/,
      },
    );
  });

  it('an MS MARCO collection line without a tab', async () => {
    const file = join(dir, 'collection.tsv');
    writeFileSync(file, '1\tfine\n2 no tab here\n');
    await expectRefused(
      { path: file },
      {
        code: 'INPUT_INVALID',
        file,
        line: 2,
        field: 'text',
        problem: 'expected "pid<TAB>text", found no tab',
      },
    );
  });
});

describe('bad topics and qrels', () => {
  it('a non-integer BEIR qrels label', async () => {
    const path = beir({ qrels: 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0.5\n' });
    await expectRefused(
      { path },
      {
        code: 'INPUT_INVALID',
        file: join(path, 'qrels', 'test.tsv'),
        line: 3,
        field: 'score',
        problem: 'relevance label "0.5" is not an integer',
      },
    );
  });

  it('a non-integer TREC qrels label', async () => {
    const topics = join(dir, 'topics.tsv');
    const qrels = join(dir, 'qrels.txt');
    writeFileSync(topics, '1\tquery\n');
    writeFileSync(qrels, '1 0 a 1\n1 0 b high\n');
    await expectRefused(
      { topics, qrels },
      {
        code: 'INPUT_INVALID',
        file: qrels,
        line: 2,
        field: 'rel',
        problem: 'relevance label "high" is not an integer',
      },
    );
  });

  it('a duplicate query id in a topics file names both lines', async () => {
    const topics = join(dir, 'topics.tsv');
    writeFileSync(topics, '1\tfirst\n2\tsecond\n1\tthird\n');
    await expectRefused(
      { topics },
      {
        code: 'INPUT_DUPLICATE',
        file: topics,
        line: 3,
        field: 'qid',
        problem: 'query id "1" repeated with another text — first seen at line 1',
      },
    );
  });

  it('a judgment given twice names both lines', async () => {
    const topics = join(dir, 'topics.tsv');
    const qrels = join(dir, 'qrels.txt');
    writeFileSync(topics, '1\tquery\n');
    writeFileSync(qrels, '1 0 a 1\n1 0 b 0\n1 0 a 2\n');
    await expectRefused(
      { topics, qrels },
      {
        code: 'INPUT_DUPLICATE',
        file: qrels,
        line: 3,
        field: 'docno',
        problem: 'duplicate judgment of document "a" for query "1" — first seen at line 1',
      },
    );
  });

  it('an empty qrels file and an empty topics file', async () => {
    const topics = join(dir, 'topics.tsv');
    const qrels = join(dir, 'qrels.txt');
    writeFileSync(topics, '1\tquery\n');
    writeFileSync(qrels, '# only a comment\n');
    await expectRefused(
      { topics, qrels },
      { code: 'INPUT_EMPTY', file: qrels, line: 1, problem: 'no judgments' },
    );
    writeFileSync(topics, '\n\n');
    await expectRefused({ topics }, { code: 'INPUT_EMPTY', file: topics, line: 2, problem: 'no queries' });
  });

  it('a later file failing undoes the corpus and queries already written', async () => {
    const path = beir({ qrels: 'query-id\tcorpus-id\tscore\nq1 d1\n' });
    await expectRefused(
      { path },
      { code: 'INPUT_INVALID', file: join(path, 'qrels', 'test.tsv'), line: 2, problem: 'expected 3 fields' },
    );
  });
});
