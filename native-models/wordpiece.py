"""BERT-style WordPiece tokenization without the `tokenizers` package.

Implements what a Hugging Face tokenizer.json with BertNormalizer (lower-case, strip accents, clean text,
pad CJK), BertPreTokenizer (split on whitespace and isolate punctuation), WordPiece (greedy longest match,
"##" continuation, [UNK] for a word with no segmentation) and TemplateProcessing "[CLS] $A [SEP]" does, so
that training sees exactly the ids the workbench's tokenizer produces at retrieval time (checked by the
Node test against @huggingface/tokenizers on samples.json). The vocabulary is learned the way the
`tokenizers` WordPieceTrainer learns it: BPE merges over word counts, continuation pieces prefixed "##".
"""

import heapq
import json
import unicodedata
from collections import Counter, defaultdict
from typing import Dict, Iterable, List, Sequence, Tuple

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = SPECIAL_TOKENS
PREFIX = "##"
MAX_INPUT_CHARS_PER_WORD = 100


def _is_control(c: str) -> bool:
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf")


def _is_whitespace(c: str) -> bool:
    if c in " \t\n\r":
        return True
    return unicodedata.category(c) == "Zs"


def _is_punctuation(c: str) -> bool:
    cp = ord(c)
    # BERT treats every non-alphanumeric ASCII symbol as punctuation ("$", "^", "`" are not Unicode P*).
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_chinese(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def normalize(text: str) -> str:
    """BertNormalizer(clean_text, handle_chinese_chars, strip_accents=None -> follows lowercase, lowercase)."""
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or _is_control(c):
            continue
        if _is_whitespace(c):
            out.append(" ")
        elif _is_chinese(cp):
            out.append(f" {c} ")
        else:
            out.append(c)
    text = "".join(out)
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.lower()


def pre_tokenize(text: str) -> List[str]:
    """BertPreTokenizer: whitespace splits, every punctuation character is a word of its own."""
    words: List[str] = []
    for chunk in text.split():
        cur = []
        for c in chunk:
            if _is_punctuation(c):
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(c)
            else:
                cur.append(c)
        if cur:
            words.append("".join(cur))
    return words


class WordPiece:
    def __init__(self, vocab: Dict[str, int]):
        self.vocab = vocab
        self.pad_id = vocab[PAD]
        self.unk_id = vocab[UNK]
        self.cls_id = vocab[CLS]
        self.sep_id = vocab[SEP]
        self._cache: Dict[str, List[int]] = {}

    def word_ids(self, word: str) -> List[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            ids = [self.unk_id]
        else:
            ids = []
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else PREFIX + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk_id]
                    break
                ids.append(found)
                start = end
        self._cache[word] = ids
        return ids

    def encode(self, text: str, max_length: int) -> List[int]:
        """[CLS] pieces [SEP], truncated to max_length (specials included) the way HF's truncation does."""
        ids: List[int] = []
        for w in pre_tokenize(normalize(text)):
            ids.extend(self.word_ids(w))
        return [self.cls_id] + ids[: max_length - 2] + [self.sep_id]


def learn_vocab(texts: Iterable[str], vocab_size: int, min_frequency: int = 2) -> Dict[str, int]:
    """WordPieceTrainer-style vocabulary: specials, the alphabet (plain and "##"), then BPE merges.

    Ties between equally frequent pairs are broken by the pair itself, so the result is deterministic.
    """
    counts: Counter = Counter()
    for t in texts:
        counts.update(pre_tokenize(normalize(t)))
    words = sorted(w for w, n in counts.items() if n >= min_frequency)
    freq = [counts[w] for w in words]
    splits = [[w[0]] + [PREFIX + c for c in w[1:]] for w in words]
    vocab: List[str] = list(SPECIAL_TOKENS)
    seen = set(vocab)
    for s in splits:
        for sym in s:
            if sym not in seen:
                seen.add(sym)
                vocab.append(sym)
    alphabet = sorted(vocab[len(SPECIAL_TOKENS):])
    vocab = list(SPECIAL_TOKENS) + alphabet

    pair_count: Dict[Tuple[str, str], int] = defaultdict(int)
    where: Dict[Tuple[str, str], set] = defaultdict(set)
    for i, s in enumerate(splits):
        for a, b in zip(s, s[1:]):
            pair_count[(a, b)] += freq[i]
            where[(a, b)].add(i)
    heap = [(-n, p) for p, n in pair_count.items()]
    heapq.heapify(heap)

    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue  # stale: every count change pushed a fresh entry
        if -neg < min_frequency:
            break
        a, b = pair
        merged = a + b[len(PREFIX):] if b.startswith(PREFIX) else a + b
        if merged not in seen:
            seen.add(merged)
            vocab.append(merged)
        changed: Dict[Tuple[str, str], int] = defaultdict(int)
        for i in list(where[pair]):
            s = splits[i]
            j = 0
            out = []
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    out.append(merged)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            if len(out) == len(s):
                continue
            for p in zip(s, s[1:]):
                changed[p] -= freq[i]
            for p in zip(out, out[1:]):
                changed[p] += freq[i]
                where[p].add(i)
            splits[i] = out
        for p, delta in changed.items():
            if delta == 0:
                continue
            pair_count[p] += delta
            if pair_count[p] > 0:
                heapq.heappush(heap, (-pair_count[p], p))
        pair_count.pop(pair, None)
        where.pop(pair, None)
    return {tok: i for i, tok in enumerate(vocab)}


def tokenizer_json(vocab: Dict[str, int]) -> Dict:
    """A Hugging Face tokenizer.json for BERT-style WordPiece (padding and truncation left to the caller)."""

    def special(tok: str) -> Dict:
        return {"id": vocab[tok], "content": tok, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}

    cls_sep = {
        CLS: {"id": CLS, "ids": [vocab[CLS]], "tokens": [CLS]},
        SEP: {"id": SEP, "ids": [vocab[SEP]], "tokens": [SEP]},
    }
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(t) for t in SPECIAL_TOKENS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": CLS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": SEP, "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": CLS, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": SEP, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": SEP, "type_id": 1}},
            ],
            "special_tokens": cls_sep,
        },
        "decoder": {"type": "WordPiece", "prefix": PREFIX, "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": UNK,
            "continuing_subword_prefix": PREFIX,
            "max_input_chars_per_word": MAX_INPUT_CHARS_PER_WORD,
            "vocab": vocab,
        },
    }


def load_tokenizer_json(path: str) -> WordPiece:
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    return WordPiece(spec["model"]["vocab"])


def card_text(title: str, text: str) -> str:
    """How a BEIR document is fed to the encoders: title and text joined by a space (BEIR's convention)."""
    return f"{title} {text}".strip()


def batch_ids(seqs: Sequence[List[int]], pad_id: int):
    import torch

    longest = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), longest), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, : len(s)] = 1
    return ids, mask
