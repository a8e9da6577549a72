"""Reading the demo dataset's BEIR folder (written by `workbench demo dataset`)."""

import json
import os
from typing import Dict, List, Tuple

from wordpiece import card_text


def read_jsonl(path: str) -> List[Dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_corpus(folder: str) -> Dict[str, str]:
    """doc id -> the text the encoders see (title and text joined)."""
    return {d["_id"]: card_text(d.get("title", ""), d["text"]) for d in read_jsonl(os.path.join(folder, "corpus.jsonl"))}


def read_queries(folder: str) -> Dict[str, str]:
    return {q["_id"]: q["text"] for q in read_jsonl(os.path.join(folder, "queries.jsonl"))}


def read_qrels(folder: str, split: str) -> Dict[str, Dict[str, int]]:
    qrels: Dict[str, Dict[str, int]] = {}
    with open(os.path.join(folder, "qrels", f"{split}.tsv"), encoding="utf-8") as f:
        next(f)  # header: query-id corpus-id score
        for line in f:
            qid, doc, label = line.rstrip("\n").split("\t")
            qrels.setdefault(qid, {})[doc] = int(label)
    return qrels


def training_pairs(folder: str, split: str = "train") -> List[Tuple[str, str]]:
    """(query id, doc id) for every label-2 judgment of the split, in file order."""
    pairs = []
    for qid, docs in read_qrels(folder, split).items():
        for doc, label in docs.items():
            if label == 2:
                pairs.append((qid, doc))
    return pairs
