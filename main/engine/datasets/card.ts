import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetCard } from '../store/index.ts';

/** Looked for at the root of an imported folder, in this order. */
export const CARD_FILES = ['DATASET_CARD.md', 'README.md'] as const;
/** Larger files are not cards (a README that embeds data, say): left out, and the import says so. */
export const MAX_CARD_BYTES = 1 << 20;

export interface CardLookup {
  card: DatasetCard | null;
  /** A card file that was found but not kept, and why. */
  skipped: { file: string; reason: string } | null;
}

/**
 * The dataset card of a folder import: DATASET_CARD.md, else README.md, at the folder's root (the Hugging
 * Face and BEIR habit). A card is decoration, so one that cannot be used never fails the import: it is left
 * out and reported. Nothing is looked for when the source is a file.
 */
export function findDatasetCard(sourcePath: string): CardLookup {
  try {
    if (!statSync(sourcePath).isDirectory()) return { card: null, skipped: null };
  } catch {
    return { card: null, skipped: null };
  }
  for (const file of CARD_FILES) {
    const path = join(sourcePath, file);
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      size = st.size;
    } catch {
      continue;
    }
    if (size > MAX_CARD_BYTES) {
      return {
        card: null,
        skipped: { file, reason: `${size} bytes, more than the ${MAX_CARD_BYTES} a card may have` },
      };
    }
    const bytes = readFileSync(path);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { card: null, skipped: { file, reason: 'not valid UTF-8' } };
    }
    return { card: { file, text, sha256: createHash('sha256').update(bytes).digest('hex') }, skipped: null };
  }
  return { card: null, skipped: null };
}
