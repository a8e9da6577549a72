import type { Ranking } from '../store/index.ts';

/**
 * Compares strings by their UTF-8 bytes, as trec_eval's strcmp does. UTF-16 code-unit order agrees with
 * that except between surrogates (code points above U+FFFF, 4 UTF-8 bytes) and U+E000–U+FFFF (3 bytes),
 * which the remap below puts back in byte order.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x < 0xe000 ? x + 0x2000 : x - 0x800;
        y = y < 0xe000 ? y + 0x2000 : y - 0x800;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * Orders one query's retrieved documents as trec_eval 9 ranks them: score descending, ties broken by
 * docno descending (byte-wise); the rank column of a run file plays no part. Scores stay the exact doubles
 * read (trec_eval 9's float32 ties are the eval capability's concern, at measuring time).
 */
export function rankDocuments(docnos: readonly string[], scores: ArrayLike<number>): Ranking {
  const n = docnos.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => {
    const si = scores[i];
    const sj = scores[j];
    if (si !== sj) return si > sj ? -1 : 1;
    return compareUtf8(docnos[j], docnos[i]);
  });
  const ranked: string[] = new Array(n);
  const rankedScores = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    ranked[r] = docnos[order[r]];
    rankedScores[r] = scores[order[r]];
  }
  return { docnos: ranked, scores: rankedScores };
}
