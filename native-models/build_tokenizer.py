"""Learns the demo models' WordPiece vocabulary from the TRAIN split only and writes tokenizer.json.

    python3 native-models/build_tokenizer.py --data /tmp/wordnet-all --out native-models/build/tokenizer.json

Training text: the train queries (definitions) and the cards they are judged relevant to. Dev and test
queries and their cards never contribute, so the vocabulary leaks nothing about them.
"""

import argparse
import json
import os

from data import read_corpus, read_queries, read_qrels
from wordpiece import tokenizer_json, learn_vocab


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="BEIR folder of `workbench demo dataset --subset all`")
    ap.add_argument("--out", required=True, help="tokenizer.json to write")
    ap.add_argument("--vocab-size", type=int, default=8192)
    ap.add_argument("--min-frequency", type=int, default=2)
    args = ap.parse_args()

    corpus = read_corpus(args.data)
    queries = read_queries(args.data)
    qrels = read_qrels(args.data, "train")
    texts = []
    for qid, docs in qrels.items():
        texts.append(queries[qid])
        texts.extend(corpus[d] for d, label in docs.items() if label == 2)
    vocab = learn_vocab(texts, args.vocab_size, args.min_frequency)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab), f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(vocab)} tokens from {len(texts)} train texts -> {args.out}")


if __name__ == "__main__":
    main()
