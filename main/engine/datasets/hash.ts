import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * sha256 over the raw bytes of the files, in the given order, as one stream — the dataset's content
 * hash, which artifacts (embeddings, indexes) are keyed by. `previous` chains an attach onto the hash
 * of what the dataset held before. Runs beside the import, so reading twice costs little wall time.
 */
export async function contentHash(
  paths: readonly string[],
  previous?: string,
  signal?: AbortSignal,
): Promise<string> {
  const hash = createHash('sha256');
  if (previous) hash.update(previous);
  for (const path of paths) {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal }))
      hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
