import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadQrels } from '../../../../main/engine/eval/index.ts';
import { writeFiles } from './golden.ts';

describe('loadQrels', () => {
  it('reads labels per query, negative ones kept (they mean unjudged), gzip by content', async () => {
    const paths = writeFiles({ 'q.gz': gzipSync(Buffer.from('1 0 a 2\n1 0 b -1\n2 0 a#x 0\n')) });
    const qrels = await loadQrels(paths['q.gz']);
    expect([...qrels.keys()]).toEqual(['1', '2']);
    expect(qrels.get('1')).toEqual(
      new Map([
        ['a', 2],
        ['b', -1],
      ]),
    );
    expect(qrels.get('2')?.get('a#x')).toBe(0);
  });

  it('refuses a docno judged twice for a query, naming both lines', async () => {
    const path = writeFiles({ qrels: '1 0 a 1\n1 0 b 0\n1 0 a 2\n' }).qrels;
    await expect(loadQrels(path)).rejects.toThrow(
      `${path}:3: docno "a" is judged twice for query "1" (lines 1 and 3)`,
    );
  });

  it('refuses an empty file', async () => {
    await expect(loadQrels(writeFiles({ qrels: '\n' }).qrels)).rejects.toMatchObject({ code: 'INPUT_EMPTY' });
  });
});
