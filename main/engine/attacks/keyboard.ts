/**
 * QWERTY neighbours of each letter, from the geometry of an ANSI keyboard: rows offset by 0, ¼ and ¾ of
 * a key, neighbours are the keys left and right in the same row and the keys of the rows above and
 * below whose centres lie less than one key width away (so "s" neighbours w e a d z x). The same
 * notion of adjacency as textattack's WordSwapQWERTY, which Penha et al. (ECIR 2022) and the DL-typo
 * scripts use.
 */
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const OFFSETS = [0, 0.25, 0.75];

function build(): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, string[]>();
  for (let r = 0; r < ROWS.length; r++) {
    for (let i = 0; i < ROWS[r].length; i++) {
      const x = OFFSETS[r] + i;
      const near: string[] = [];
      for (let r2 = Math.max(0, r - 1); r2 <= Math.min(ROWS.length - 1, r + 1); r2++) {
        for (let j = 0; j < ROWS[r2].length; j++) {
          const dx = Math.abs(OFFSETS[r2] + j - x);
          if (r2 === r ? dx === 1 : dx < 1) near.push(ROWS[r2][j]);
        }
      }
      map.set(ROWS[r][i], near);
    }
  }
  return map;
}

export const QWERTY_NEIGHBOURS = build();

/** Neighbouring keys of a lower-case letter; empty for anything else. */
export function qwertyNeighbours(ch: string): readonly string[] {
  return QWERTY_NEIGHBOURS.get(ch) ?? [];
}
