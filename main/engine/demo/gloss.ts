/**
 * Splits a WordNet gloss into its definition and its quoted usage examples. wndb(5WN): "gloss: each synset
 * contains a gloss [that] may contain one or more example sentences". In practice the definition comes first
 * and the examples follow as `; "…"` (occasionally `: "…"`, or after "e.g."), some with an attribution
 * (`"…" - Shakespeare`). A quote inside parentheses belongs to the definition (`(e.g., "he said …")`).
 */

export interface Gloss {
  definition: string;
  examples: string[];
}

/** Connectives left dangling once the examples are cut off ("…; e.g.", "… as in"). */
const TRAILING = /(?:\s*(?:[;:,]|\be\.g\.|\bi\.e\.|\bas in|\bfor example))+\s*$/i;

export function splitGloss(gloss: string): Gloss {
  let depth = 0;
  let cut = gloss.length;
  for (let i = 0; i < gloss.length; i++) {
    const c = gloss[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === '"' && depth === 0) {
      cut = i;
      break;
    }
  }
  const definition = gloss.slice(0, cut).replace(TRAILING, '').replace(/\s+/g, ' ').trim();
  const examples: string[] = [];
  for (const m of gloss.slice(cut).matchAll(/"([^"]*)"/g)) {
    const example = m[1].replace(/\s+/g, ' ').trim();
    if (example) examples.push(example);
  }
  return { definition, examples };
}

/** Comparison form for "does this text contain that definition": lower case, single spaces. */
export function normaliseForMatch(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
