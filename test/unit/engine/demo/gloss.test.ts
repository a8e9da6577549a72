import { describe, expect, it } from 'vitest';
import { normaliseForMatch, splitGloss } from '../../../../main/engine/demo/index.ts';

describe('splitGloss', () => {
  it('cuts the quoted examples off the definition', () => {
    expect(
      splitGloss(
        'draw air into, and expel out of, the lungs; "I can breathe better"; "The patient is respiring"',
      ),
    ).toEqual({
      definition: 'draw air into, and expel out of, the lungs',
      examples: ['I can breathe better', 'The patient is respiring'],
    });
  });

  it('drops connectives left dangling by the cut (": ", "; e.g.", "as in")', () => {
    expect(splitGloss('furnished with a certificate: "certificated teachers"').definition).toBe(
      'furnished with a certificate',
    );
    expect(splitGloss('incapable of being changed; e.g. "frozen prices"; "fixed incomes"')).toEqual({
      definition: 'incapable of being changed',
      examples: ['frozen prices', 'fixed incomes'],
    });
    expect(splitGloss('a summary list; as in e.g. "a news roundup"').definition).toBe('a summary list');
  });

  it('keeps a quote inside parentheses as part of the definition', () => {
    const g = splitGloss('a report of the exact words used (e.g., "he said `I am a fool\'")');
    expect(g.definition).toBe('a report of the exact words used (e.g., "he said `I am a fool\'")');
    expect(g.examples).toEqual([]);
  });

  it('keeps attributions out of both parts', () => {
    const g = splitGloss('an archaic word for bad; "an ill wind" - Shakespeare');
    expect(g.definition).toBe('an archaic word for bad');
    expect(g.examples).toEqual(['an ill wind']);
  });

  it('compares case- and space-insensitively', () => {
    expect(normaliseForMatch('  A  Dog\tbarks ')).toBe('a dog barks');
  });
});
