import { createHash } from 'node:crypto';
import type { CorpusSource } from './corpus.ts';
import type { CorpusDocument } from './text.ts';

/** A corpus held in memory (tests, small imports); its hash covers ids, titles and texts in order. */
export function memoryCorpus(docs: readonly CorpusDocument[], hash?: string): CorpusSource {
  let digest = hash;
  if (digest === undefined) {
    const h = createHash('sha256');
    // Length-prefixed fields, so that no two different corpora serialise alike.
    for (const d of docs)
      for (const field of [d.docId, d.title, d.text]) h.update(`${field.length}:${field}`);
    digest = h.digest('hex');
  }
  return { hash: digest, size: docs.length, documents: () => docs };
}

/**
 * A dataset's passages as the store holds them (`DocumentsRepository.iterate`, import order), keyed by
 * the dataset's content hash. Typed structurally so the encoder does not depend on the store.
 */
export function storeCorpus(
  dataset: { id: number; contentHash: string; stats: { documents: number } },
  documents: { iterate(datasetId: number): Iterable<CorpusDocument> },
): CorpusSource {
  return {
    hash: dataset.contentHash,
    size: dataset.stats.documents,
    documents: () => documents.iterate(dataset.id),
  };
}
