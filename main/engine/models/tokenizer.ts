import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { WorkbenchError } from '../errors.ts';
import { parseJsonFile } from './manifest.ts';

/**
 * BERT WordPiece tokenization for model packages. `@huggingface/tokenizers` (tokenizers.js) normalises,
 * pre-tokenises and splits into word pieces exactly as tokenizer.json describes; what the Rust library's
 * `Encoding` adds on top — special tokens, truncation, padding, attention masks — is done here, the way
 * `AutoTokenizer(texts, padding="longest", truncation=True, max_length=…)` does it in the reference
 * encoder (hypencoder_cb/inference/encode.py): [CLS] tokens [SEP], content truncated from the right so
 * that the specials fit within maxLength, padded with the pad id, mask 1 for real tokens and 0 for pads.
 *
 * Only WordPiece vocabularies are accepted: the paper's backbones (bert-base-uncased, Contriever, TAS-B,
 * RetroMAE) are all BERT WordPiece models, and a BPE or Unigram tokenizer would need the byte-level and
 * Metaspace handling checked separately before numbers could be trusted.
 */

/** One batch as the ONNX contract wants it: int64 [batchSize, length] row-major. */
export interface TokenBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  batchSize: number;
  /** Padded length L: the longest row of the batch, or the fixed length asked for. */
  length: number;
  /** Tokens of each row, specials included, pads excluded. */
  tokenCounts: Int32Array;
}

export interface SpecialTokens {
  /** Ids placed before the content ([CLS] for BERT). */
  prefix: readonly number[];
  /** Ids placed after it ([SEP] for BERT). */
  suffix: readonly number[];
  pad: number;
  unk: number;
}

interface TemplatePiece {
  SpecialToken?: { id: string };
  Sequence?: { id: string };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A text with more than this many UTF-16 units per wanted token is first tokenised from a prefix cut at a
 * space; see `contentIds`.
 */
const PREFIX_UNITS_PER_TOKEN = 8;

export class WordPieceTokenizer {
  readonly specials: SpecialTokens;
  readonly vocabSize: number;
  private readonly tokenizer: Tokenizer;
  /** Whether a space can never fall inside an added token, which the prefix shortcut relies on. */
  private readonly prefixSafe: boolean;

  private constructor(
    json: Json,
    readonly file: string,
  ) {
    const fail = (field: string, problem: string, hint: string) =>
      new WorkbenchError('INPUT_INVALID', `${file}: ${field}: ${problem}. ${hint}`, { file, field });
    const model = json.model;
    if (!isObject(model))
      throw fail(
        'model',
        'missing',
        'A tokenizer.json written by Hugging Face tokenizers has a "model" object',
      );
    if (model.type !== 'WordPiece') {
      throw fail(
        'model.type',
        `${JSON.stringify(model.type ?? null)} is not supported`,
        'The workbench tokenizes BERT WordPiece vocabularies (bert-base-uncased and models fine-tuned from it: Contriever, TAS-B, RetroMAE); export the package with such a tokenizer',
      );
    }
    if (!isObject(model.vocab))
      throw fail('model.vocab', 'missing', 'A WordPiece model needs its vocabulary');
    const vocab = model.vocab as Record<string, unknown>;
    const unkToken = typeof model.unk_token === 'string' ? model.unk_token : '[UNK]';
    if (typeof vocab[unkToken] !== 'number')
      throw fail('model.unk_token', `"${unkToken}" is not in the vocabulary`, 'Add it to model.vocab');
    const addedTokens = Array.isArray(json.added_tokens) ? (json.added_tokens as Json[]) : [];
    const complete = {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      ...json,
      added_tokens: addedTokens,
      model: {
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        ...model,
        unk_token: unkToken,
      },
    };
    try {
      this.tokenizer = new Tokenizer(complete, {});
    } catch (err) {
      throw fail(
        '',
        `cannot be loaded (${(err as Error).message})`,
        'Check that it was written by Hugging Face tokenizers',
      );
    }
    const idOf = (token: string): number | undefined => this.tokenizer.token_to_id(token);
    this.vocabSize = this.tokenizer.get_vocab(true).size;
    this.prefixSafe = addedTokens.every((t) => typeof t.content === 'string' && !/\s/.test(t.content));

    const prefix: number[] = [];
    const suffix: number[] = [];
    const processor = findProcessor(json.post_processor);
    if (processor?.type === 'TemplateProcessing') {
      const single = Array.isArray(processor.single) ? (processor.single as TemplatePiece[]) : [];
      const specialTokens = isObject(processor.special_tokens) ? processor.special_tokens : {};
      let seenSequence = false;
      for (const piece of single) {
        if (piece.Sequence) {
          seenSequence = true;
          continue;
        }
        const name = piece.SpecialToken?.id;
        if (name === undefined) continue;
        const entry = specialTokens[name];
        const ids = isObject(entry) && Array.isArray(entry.ids) ? (entry.ids as number[]) : [idOf(name)];
        for (const id of ids) {
          if (typeof id !== 'number')
            throw fail(
              'post_processor.single',
              `special token "${name}" has no id`,
              'Add it to special_tokens or added_tokens',
            );
          (seenSequence ? suffix : prefix).push(id);
        }
      }
    } else if (processor?.type === 'BertProcessing' || processor?.type === 'RobertaProcessing') {
      const cls = processor.cls as [string, number] | undefined;
      const sep = processor.sep as [string, number] | undefined;
      if (!cls || !sep) throw fail('post_processor', 'cls or sep missing', 'Give both as [token, id]');
      prefix.push(cls[1]);
      suffix.push(sep[1]);
    } else if (processor !== undefined) {
      throw fail(
        'post_processor.type',
        `${JSON.stringify(processor.type)} is not supported`,
        'Use TemplateProcessing or BertProcessing',
      );
    }

    let pad: number | undefined;
    if (isObject(json.padding) && typeof json.padding.pad_id === 'number') pad = json.padding.pad_id;
    else pad = idOf('[PAD]');
    if (pad === undefined) {
      throw fail(
        'padding',
        'no pad token',
        'Add "padding": {"pad_id": …} or a [PAD] token to the vocabulary',
      );
    }
    for (const id of [...prefix, ...suffix, pad]) {
      if (this.tokenizer.id_to_token(id) === undefined) {
        throw fail(
          'post_processor',
          `special token id ${id} is outside the vocabulary`,
          'Check the ids against model.vocab',
        );
      }
    }
    this.specials = { prefix, suffix, pad, unk: vocab[unkToken] as number };
  }

  static fromJson(json: unknown, file = 'tokenizer.json'): WordPieceTokenizer {
    if (!isObject(json))
      throw new WorkbenchError(
        'INPUT_INVALID',
        `${file}: expected a JSON object. Use the tokenizer.json that Hugging Face tokenizers writes`,
        { file },
      );
    return new WordPieceTokenizer(json, file);
  }

  static fromFile(path: string): WordPieceTokenizer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new WorkbenchError(
        'NOT_FOUND',
        `${path}: cannot read (${(err as Error).message}). Check that the package has its tokenizer.json`,
        {
          file: path,
        },
      );
    }
    return WordPieceTokenizer.fromJson(parseJsonFile(text, path), path);
  }

  /** The word pieces of a text, no specials: for checks and for showing users what the model sees. */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  /**
   * Ids of the content tokens, at most `limit` of them. A long text is first tokenised from a prefix ending
   * just before a space: BERT normalisation maps each character on its own and pre-tokenisation splits at
   * spaces, so the prefix's tokens are exactly the first tokens of the whole text; only when the prefix is
   * too short is the whole text tokenised. A 100 kB document then costs what its first few kB cost.
   */
  contentIds(text: string, limit = Number.POSITIVE_INFINITY): number[] {
    const encode = (t: string) => this.tokenizer.encode(t, { add_special_tokens: false }).ids;
    const want = limit * PREFIX_UNITS_PER_TOKEN;
    if (this.prefixSafe && Number.isFinite(limit) && text.length > want) {
      const cut = text.indexOf(' ', want);
      if (cut !== -1) {
        const ids = encode(text.slice(0, cut));
        if (ids.length >= limit) return ids.slice(0, limit);
      }
    }
    const ids = encode(text);
    return ids.length > limit ? ids.slice(0, limit) : ids;
  }

  /** Room for content within maxLength once the specials are placed. */
  contentBudget(maxLength: number): number {
    const budget = maxLength - this.specials.prefix.length - this.specials.suffix.length;
    if (!Number.isInteger(maxLength) || budget < 1) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `maxLength ${maxLength} leaves no room for text beside ${this.specials.prefix.length + this.specials.suffix.length} special tokens`,
        { field: 'maxLength' },
      );
    }
    return budget;
  }

  /** One sequence with its specials, truncated to maxLength. */
  encode(text: string, maxLength: number): number[] {
    const { prefix, suffix } = this.specials;
    return [...prefix, ...this.contentIds(text, this.contentBudget(maxLength)), ...suffix];
  }

  /**
   * A padded batch. `padTo` fixes L (for graphs with a static sequence length); by default L is the
   * longest row, as `padding="longest"` does.
   */
  batch(texts: readonly string[], maxLength: number, options: { padTo?: number } = {}): TokenBatch {
    if (options.padTo !== undefined && (options.padTo > maxLength || !Number.isInteger(options.padTo))) {
      throw new WorkbenchError(
        'INVALID_ARGUMENT',
        `padTo ${options.padTo} must be a whole number ≤ maxLength ${maxLength}`,
        { field: 'padTo' },
      );
    }
    // A fixed length also truncates: no row may be longer than the graph's sequence dimension.
    const budget = this.contentBudget(options.padTo ?? maxLength);
    const { prefix, suffix, pad } = this.specials;
    const rows = texts.map((t) => this.contentIds(t, budget));
    const tokenCounts = Int32Array.from(rows, (r) => r.length + prefix.length + suffix.length);
    let length = options.padTo ?? 0;
    if (options.padTo === undefined) for (const n of tokenCounts) length = Math.max(length, n);
    const batchSize = texts.length;
    const inputIds = new BigInt64Array(batchSize * length).fill(BigInt(pad));
    const attentionMask = new BigInt64Array(batchSize * length);
    for (let b = 0; b < batchSize; b++) {
      let at = b * length;
      for (const id of prefix) inputIds[at++] = BigInt(id);
      for (const id of rows[b]) inputIds[at++] = BigInt(id);
      for (const id of suffix) inputIds[at++] = BigInt(id);
      attentionMask.fill(1n, b * length, at);
    }
    return { inputIds, attentionMask, batchSize, length, tokenCounts };
  }
}

/** The processor that adds the single-sequence specials, also when wrapped in a Sequence. */
function findProcessor(value: unknown): Json | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'Sequence' && Array.isArray(value.processors)) {
    for (const p of value.processors) {
      const found = findProcessor(p);
      if (found && found.type !== 'ByteLevel') return found;
    }
    return undefined;
  }
  return value;
}
