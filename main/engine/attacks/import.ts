import { basename, extname } from 'node:path';
import { inputError } from '../errors.ts';
import { type LineReaderOptions, readLines } from '../io/lines.ts';
import { isAttackFamily } from './generate.ts';
import { ATTACK_FAMILIES, type AttackFamily, type QueryVariation, type VariationSummary } from './types.ts';
import { isChanged } from './words.ts';

/**
 * External variation sets. Two formats:
 * - TSV `qid<TAB>query`, as DL-typo ships its typo queries (one file per set, no header);
 * - the CSV of Penha et al.'s query_variation_generators (`dataset,q_id,method,transformation_type,
 *   original_query,variation,valid,…`, with a header; RFC 4180 quoting), one set per
 *   (transformation_type, method) found in the file.
 * Every query id must belong to the dataset; a set may cover only some of its queries.
 */

export type VariationFileFormat = 'tsv' | 'csv';

export interface ImportOptions {
  format?: VariationFileFormat;
  /** TSV only: the family the file's variations belong to (DL-typo files are misspellings). */
  family?: AttackFamily;
  /** The dataset's queries (id → text): ids are checked against it and `changed` computed from it. */
  originals: ReadonlyMap<string, string>;
  displayName?: string;
  signal?: AbortSignal;
}

export interface ImportedVariations {
  family: AttackFamily;
  /** The generator's name in the file (CSV `method`), or `imported` for a TSV file. */
  variant: string;
  variations: QueryVariation[];
  summary: VariationSummary;
  /** CSV rows whose original_query differs from the dataset's text (beyond case and spacing). */
  originalMismatches: number;
}

export function detectFormat(path: string): VariationFileFormat {
  return extname(path.replace(/\.gz$/i, '')).toLowerCase() === '.csv' ? 'csv' : 'tsv';
}

/** Penha et al. spell the family "mispelling". */
const FAMILY_ALIASES: Record<string, AttackFamily> = { mispelling: 'misspelling' };

function summarise(variations: QueryVariation[]): VariationSummary {
  return { queries: variations.length, changed: variations.filter((v) => v.changed).length, noCandidate: 0 };
}

interface Row {
  lineNo: number;
  fields: string[];
}

/**
 * CSV records (RFC 4180): fields separated by commas, optionally in double quotes, `""` for a quote in a
 * quoted field, which may also span lines. Yields each record with the line it starts on.
 */
async function* readCsv(path: string, options: LineReaderOptions, file: string): AsyncGenerator<Row> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let startLine = 0;
  for await (const { lineNo, text } of readLines(path, options)) {
    if (!quoted) {
      if (text.trim() === '') continue;
      fields = [];
      field = '';
      startLine = lineNo;
    } else {
      field += '\n';
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else field += ch;
      } else if (ch === '"' && field === '') quoted = true;
      else if (ch === ',') {
        fields.push(field);
        field = '';
      } else field += ch;
    }
    if (!quoted) {
      fields.push(field);
      yield { lineNo: startLine, fields };
    }
  }
  if (quoted) {
    throw inputError(
      'INPUT_INVALID',
      { file, line: startLine },
      'a quoted field is never closed',
      'Check the quotes of this record',
    );
  }
}

function checkQuery(
  originals: ReadonlyMap<string, string>,
  seen: Map<string, number>,
  qid: string,
  where: { file: string; line: number },
): string {
  const original = originals.get(qid);
  if (original === undefined) {
    throw inputError(
      'INPUT_INVALID',
      { ...where, field: 'qid' },
      `query "${qid}" is not a query of the dataset`,
      'Import the file into the dataset its queries come from',
    );
  }
  const first = seen.get(qid);
  if (first !== undefined) {
    throw inputError(
      'INPUT_DUPLICATE',
      { ...where, field: 'qid' },
      `query "${qid}" appears again (first on line ${first})`,
      'Keep one variation per query and set',
    );
  }
  seen.set(qid, where.line);
  return original;
}

async function readTsv(path: string, options: ImportOptions, file: string): Promise<ImportedVariations[]> {
  const variations: QueryVariation[] = [];
  const seen = new Map<string, number>();
  for await (const { lineNo, text } of readLines(path, { displayName: file, signal: options.signal })) {
    if (text.trim() === '') continue;
    const tab = text.indexOf('\t');
    if (tab < 0) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'query' },
        'expected "qid<TAB>query", found no tab',
        'Is this a query-variation CSV? Use --format csv',
      );
    }
    const qid = text.slice(0, tab).trim();
    const query = text.slice(tab + 1).trim();
    if (query === '')
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'query' },
        'empty query text',
        'Give every query a text',
      );
    const original = checkQuery(options.originals, seen, qid, { file, line: lineNo });
    const changed = isChanged(original, query);
    variations.push({
      queryId: qid,
      text: query,
      changed,
      edit: changed ? `imported from ${basename(path)}` : 'same text as the original',
    });
  }
  if (variations.length === 0)
    throw inputError('INPUT_EMPTY', { file }, 'no variations in the file', 'Expected lines "qid<TAB>query"');
  return [
    {
      family: options.family ?? 'misspelling',
      variant: 'imported',
      variations,
      summary: summarise(variations),
      originalMismatches: 0,
    },
  ];
}

const REQUIRED_COLUMNS = ['q_id', 'variation'] as const;

async function readPenhaCsv(
  path: string,
  options: ImportOptions,
  file: string,
): Promise<ImportedVariations[]> {
  const rows = readCsv(path, { displayName: file, signal: options.signal }, file);
  let header: string[] | undefined;
  const groups = new Map<string, ImportedVariations & { seen: Map<string, number> }>();
  for await (const { lineNo, fields } of rows) {
    if (!header) {
      header = fields.map((f) => f.trim());
      for (const c of REQUIRED_COLUMNS) {
        if (!header.includes(c)) {
          throw inputError(
            'INPUT_INVALID',
            { file, line: lineNo, field: c },
            `the header has no column "${c}"`,
            'Expected the query_variation_generators header "dataset,q_id,method,transformation_type,original_query,variation,valid"',
          );
        }
      }
      continue;
    }
    const col = (name: string) => {
      const i = header?.indexOf(name) ?? -1;
      return i >= 0 ? fields[i] : undefined;
    };
    if (fields.length !== header.length) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo },
        `expected ${header.length} fields as in the header, found ${fields.length}`,
        'Quote fields that contain commas',
      );
    }
    const qid = (col('q_id') ?? '').trim();
    const method = (col('method') ?? '').trim() || 'imported';
    const typeName = (col('transformation_type') ?? '').trim().toLowerCase();
    const family = typeName === '' ? options.family : (FAMILY_ALIASES[typeName] ?? typeName);
    if (!family || !isAttackFamily(family)) {
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'transformation_type' },
        `unknown transformation type "${typeName}"`,
        `Use one of ${ATTACK_FAMILIES.join(', ')} (or "mispelling")`,
      );
    }
    const key = `${family}\u0000${method}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        family,
        variant: method,
        variations: [],
        summary: summarise([]),
        originalMismatches: 0,
        seen: new Map(),
      };
      groups.set(key, group);
    }
    const original = checkQuery(options.originals, group.seen, qid, { file, line: lineNo });
    const text = (col('variation') ?? '').trim();
    if (text === '')
      throw inputError(
        'INPUT_INVALID',
        { file, line: lineNo, field: 'variation' },
        'empty variation',
        'Give every row a variation',
      );
    const fileOriginal = col('original_query');
    if (fileOriginal !== undefined && isChanged(original, fileOriginal)) group.originalMismatches++;
    const changed = isChanged(original, text);
    const valid = (col('valid') ?? '').trim().toLowerCase();
    const note = valid === 'false' ? ', marked not valid in the file' : '';
    group.variations.push({ queryId: qid, text, changed, edit: `${method} (${typeName || family})${note}` });
  }
  if (!header)
    throw inputError(
      'INPUT_EMPTY',
      { file },
      'the file is empty',
      'Expected a header and one row per variation',
    );
  if (groups.size === 0)
    throw inputError(
      'INPUT_EMPTY',
      { file },
      'no variations after the header',
      'Expected one row per variation',
    );
  return [...groups.values()].map(({ seen: _seen, ...g }) => ({ ...g, summary: summarise(g.variations) }));
}

/** Reads a variation file into one set (TSV) or one set per generator found in it (CSV). */
export async function readVariationFile(path: string, options: ImportOptions): Promise<ImportedVariations[]> {
  const file = options.displayName ?? path;
  const format = options.format ?? detectFormat(path);
  return format === 'csv' ? readPenhaCsv(path, options, file) : readTsv(path, options, file);
}
