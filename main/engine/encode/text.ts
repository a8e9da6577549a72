/**
 * What a document encoder reads: the reference's `items_from_ir_dataset` (hypencoder_cb/inference/shared.py)
 * feeds `f"{title} " + text`, stripped, so a title and its passage are joined by one space and an empty
 * title adds nothing. Recorded with every artifact so that a different choice can never reuse embeddings.
 */
export const DOCUMENT_TEXT_FORMAT = 'title + " " + text, trimmed (hypencoder_cb items_from_ir_dataset)';

export interface CorpusDocument {
  docId: string;
  title: string;
  text: string;
}

export function documentText(doc: Pick<CorpusDocument, 'title' | 'text'>): string {
  return `${doc.title ?? ''} ${doc.text}`.trim();
}
