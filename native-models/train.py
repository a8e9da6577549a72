"""Trains the demo's tiny bi-encoder and tiny Hypencoder with the same data, steps and seeds.

    python3 native-models/train.py --data /tmp/wordnet-all --tokenizer native-models/build/tokenizer.json \
        --out native-models/build

Recipe (the paper's "similarly trained baseline": one backbone, one data order, one schedule):
  stage 1  `embeddings`: the backbone with zero transformer layers (token + position embeddings and their
           LayerNorm, mean pooled) trained as a bag-of-words bi-encoder. Cheap on a CPU, and it gives both
           models the same lexical starting point.
  stage 2  `biencoder` and `hypencoder`: the 1-layer backbone (stage-1 embeddings; a pre-LN transformer layer
           freshly initialised with the same seed, its branch outputs zeroed so it starts as the identity) trained
           end to end. Bi-encoder: mean pooling, inner product. Hypencoder:
           the reference hypernetwork head and initialisation (modeling.py), q-net dims [d, d, d, 1],
           documents mean pooled by the shared backbone.
All stages: in-batch cross-entropy over the batch's positives plus one hard negative per query (a co-hyponym:
a train card sharing a hypernym with the query's synset), AdamW, linear warm-up then linear decay, the
checkpoint with the best dev nDCG@10 on a fixed dev pool kept. Train split only; dev only for selection.
"""

import argparse
import json
import math
import os
import random
import time
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F

from data import read_corpus, read_qrels, read_queries
from modeling import BackboneConfig, BiEncoder, HypencoderDualEncoder, QnetConfig, init_bert_weights
from wordpiece import batch_ids, load_tokenizer_json

RECIPE = {
    "seed": 20250,
    "threads": 2,
    "max_query_length": 48,
    "max_doc_length": 64,
    "backbone": {"hidden_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 256, "dropout": 0.0, "pre_ln": True},
    "qnet_dims": "d,d,d,1",
    "pooling": "mean",
    "embeddings": {"steps": 800, "batch": 256, "lr": 3e-3, "warmup": 50, "eval_every": 200},
    "encoder": {"steps": 1000, "batch": 64, "lr": 3e-4, "head_lr": 3e-3, "warmup": 40, "eval_every": 200},
    # The reference initialises its head with constants of its 768-wide BERT (std sqrt(2/768) for the base
    # q-net, 1/768^2 for the projections); for a d-wide q-net the same rules use d.
    "qnet_init_dim": "d",
    "dev_queries": 500,
    "dev_pool": 5000,
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class TrainData:
    """Tokenised train pairs, hard negatives and the fixed dev pool."""

    def __init__(self, folder: str, tokenizer_path: str, seed: int):
        wp = load_tokenizer_json(tokenizer_path)
        self.pad_id = wp.pad_id
        corpus = read_corpus(folder)
        queries = read_queries(folder)
        train = read_qrels(folder, "train")
        dev = read_qrels(folder, "dev")
        mq, md = RECIPE["max_query_length"], RECIPE["max_doc_length"]
        self.doc_ids = sorted(corpus)
        self.doc_index = {d: i for i, d in enumerate(self.doc_ids)}
        self.doc_tokens = [wp.encode(corpus[d], md) for d in self.doc_ids]
        self.pairs: List[Tuple[List[int], int]] = []
        parent_of: Dict[int, List[int]] = {}
        children: Dict[int, List[int]] = {}
        for qid, docs in train.items():
            own = [self.doc_index[d] for d, l in docs.items() if l == 2]
            parents = [self.doc_index[d] for d, l in docs.items() if l == 1]
            q = wp.encode(queries[qid], mq)
            for o in own:
                self.pairs.append((q, o))
                parent_of[o] = parents
                for p in parents:
                    children.setdefault(p, []).append(o)
        self.parents = parent_of
        self.children = children
        rng = random.Random(seed)
        dev_qids = sorted(dev)
        rng.shuffle(dev_qids)
        dev_qids = sorted(dev_qids[: RECIPE["dev_queries"]])
        pool = {self.doc_index[d] for q in dev_qids for d in dev[q]}
        others = [i for i in range(len(self.doc_ids)) if i not in pool]
        rng.shuffle(others)
        pool = sorted(pool | set(others[: max(0, RECIPE["dev_pool"] - len(pool))]))
        self.dev_pool = pool
        self.dev_queries = [wp.encode(queries[q], mq) for q in dev_qids]
        self.dev_qrels = [{self.doc_index[d]: l for d, l in dev[q].items()} for q in dev_qids]
        log(f"{len(self.pairs)} train pairs, {len(self.doc_ids)} cards, dev {len(dev_qids)} queries x {len(pool)} cards")

    def batches(self, batch: int, steps: int, seed: int):
        """Length-bucketed batches (less padding), one hard negative per query, deterministic for a seed."""
        rng = random.Random(seed)
        order: List[int] = []
        done = 0
        while done < steps:
            if not order:
                order = list(range(len(self.pairs)))
                rng.shuffle(order)
                chunks = [order[i : i + batch * 50] for i in range(0, len(order), batch * 50)]
                blocks = []
                for c in chunks:
                    c.sort(key=lambda i: len(self.pairs[i][0]) + len(self.doc_tokens[self.pairs[i][1]]))
                    blocks += [c[i : i + batch] for i in range(0, len(c), batch) if len(c[i : i + batch]) == batch]
                rng.shuffle(blocks)
                order = [i for b in blocks for i in b]
            idx, order = order[:batch], order[batch:]
            seen = set()
            keep = []
            for i in idx:  # one pair per card per batch: a duplicate positive would be a false negative
                if self.pairs[i][1] not in seen:
                    seen.add(self.pairs[i][1])
                    keep.append(i)
            q = [self.pairs[i][0] for i in keep]
            pos = [self.pairs[i][1] for i in keep]
            neg = []
            for p in pos:
                n = -1
                parents = self.parents.get(p, [])
                for _ in range(4):  # a co-hyponym not already in the batch, else a random card
                    if not parents:
                        break
                    kids = self.children[parents[rng.randrange(len(parents))]]
                    n = kids[rng.randrange(len(kids))]
                    if n not in seen:
                        break
                while n < 0 or n in seen:
                    n = rng.randrange(len(self.doc_ids))
                seen.add(n)
                neg.append(n)
            docs = [self.doc_tokens[i] for i in pos + neg]
            yield batch_ids(q, self.pad_id), batch_ids(docs, self.pad_id)
            done += 1


def encode_in_batches(fn, seqs: List[List[int]], pad_id: int, batch: int = 512) -> List[torch.Tensor]:
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out: List = [None] * len(seqs)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        ids, mask = batch_ids([seqs[i] for i in idx], pad_id)
        res = fn(ids, mask)
        for k, i in enumerate(idx):
            out[i] = res[k] if isinstance(res, torch.Tensor) else [r[k] for r in res]
    return out


def ndcg_at_10(scores: torch.Tensor, pool: List[int], qrels: List[Dict[int, int]]) -> float:
    """Mean nDCG@10 (trec_eval: linear gain, log2 discount, ideal from all judged labels) over the pool."""
    top = scores.topk(10, dim=1).indices.tolist()
    total = 0.0
    for qi, rel in enumerate(qrels):
        dcg = sum(rel.get(pool[d], 0) / math.log2(r + 2) for r, d in enumerate(top[qi]))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal) if g > 0)
        total += dcg / idcg if idcg > 0 else 0.0
    return total / len(qrels)


@torch.no_grad()
def evaluate_dev(model, kind: str, data: TrainData) -> float:
    model.eval()
    docs = torch.stack(encode_in_batches(model.passage_encoder, [data.doc_tokens[i] for i in data.dev_pool], data.pad_id))
    if kind == "hypencoder":
        from modeling import qnet_scores

        scores = []
        for s in range(0, len(data.dev_queries), 64):
            ids, mask = batch_ids(data.dev_queries[s : s + 64], data.pad_id)
            w, b = model.query_encoder(ids, mask)
            scores.append(qnet_scores(model.query_encoder.qnet, w, b, docs))
        scores = torch.cat(scores)
    else:
        queries = torch.stack(encode_in_batches(model.query_encoder, data.dev_queries, data.pad_id))
        scores = queries @ docs.T
    model.train()
    return ndcg_at_10(scores, data.dev_pool, data.dev_qrels)


def backbone_config(vocab_size: int, layers: int) -> BackboneConfig:
    b = RECIPE["backbone"]
    return BackboneConfig(
        vocab_size=vocab_size,
        hidden_size=b["hidden_size"],
        num_hidden_layers=layers,
        num_attention_heads=b["num_attention_heads"],
        intermediate_size=b["intermediate_size"],
        max_position_embeddings=RECIPE["max_doc_length"],
        dropout=b["dropout"],
        pre_ln=b["pre_ln"],
    )


def qnet_config(d: int) -> QnetConfig:
    return QnetConfig(dims=[d if x == "d" else int(x) for x in RECIPE["qnet_dims"].split(",")])


def build_model(kind: str, vocab_size: int, seed: int, embeddings: Dict = None):
    layers = 0 if kind == "embeddings" else RECIPE["backbone"]["num_hidden_layers"]
    cfg = backbone_config(vocab_size, layers)
    torch.manual_seed(seed)
    if kind == "hypencoder":
        init_dim = cfg.hidden_size if RECIPE["qnet_init_dim"] == "d" else int(RECIPE["qnet_init_dim"])
        model = HypencoderDualEncoder(cfg, qnet_config(cfg.hidden_size), init_dim=init_dim, seed=seed, doc_pooling=RECIPE["pooling"])
        backbone = model.query_encoder.transformer
    else:
        model = BiEncoder(cfg, RECIPE["pooling"])
        backbone = model.query_encoder.transformer
    # Same seed, same backbone initialisation for both models; the Hypencoder head keeps the reference init.
    torch.manual_seed(seed)
    init_bert_weights(backbone)
    if RECIPE["backbone"]["pre_ln"]:
        for layer in backbone.encoder.layer:
            layer.zero_branches()  # stage 2 starts exactly at the stage-1 function
    if embeddings is not None:
        missing = backbone.embeddings.load_state_dict(embeddings)
        assert not missing.missing_keys and not missing.unexpected_keys
    return model


def train(kind: str, data: TrainData, vocab_size: int, out_dir: str, embeddings: Dict = None) -> Dict:
    stage = RECIPE["embeddings" if kind == "embeddings" else "encoder"]
    seed = RECIPE["seed"]
    model = build_model(kind, vocab_size, seed, embeddings)
    model.train()
    params = list({id(p): p for p in model.parameters()}.values())
    # The backbone starts from stage 1 and moves at `lr`; the Hypencoder's head starts from the reference
    # initialisation (a query-independent q-net) and gets the larger `head_lr` to become query-specific.
    backbone_ids = {id(p) for n, p in model.named_parameters() if ".transformer." in f".{n}"}
    groups = []
    for is_backbone in (True, False):
        lr = stage["lr"] if is_backbone else stage.get("head_lr", stage["lr"])
        mine = [p for p in params if (id(p) in backbone_ids) == is_backbone]
        groups.append({"params": [p for p in mine if p.dim() >= 2], "weight_decay": 0.01, "lr": lr})
        groups.append({"params": [p for p in mine if p.dim() < 2], "weight_decay": 0.0, "lr": lr})
    opt = torch.optim.AdamW([g for g in groups if g["params"]])
    steps, warmup = stage["steps"], stage["warmup"]
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    best, best_step, history = -1.0, -1, []
    start, cpu_start = time.time(), time.process_time()
    running = 0.0

    def checkpoint(step: int) -> None:
        nonlocal best, best_step
        dev = evaluate_dev(model, "hypencoder" if kind == "hypencoder" else "biencoder", data)
        history.append({"step": step, "dev_ndcg_cut_10_pool": round(dev, 4), "loss": round(running, 4), "seconds": round(time.time() - start), "cpu_seconds": round(time.process_time() - cpu_start)})
        log(f"{kind} step {step} dev nDCG@10 (pool) {dev:.4f}")
        if dev > best:
            best, best_step = dev, step
            torch.save(model.state_dict(), os.path.join(out_dir, f"{kind}.pt"))

    if kind != "embeddings":
        checkpoint(0)  # the starting point competes too: stage 2 must beat its stage-1 initialisation
    for step, ((qi, qm), (di, dm)) in enumerate(data.batches(stage["batch"], steps, seed), start=1):
        scores = model.score_matrix(qi, qm, di, dm)
        loss = F.cross_entropy(scores, torch.arange(scores.shape[0]))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 50 == 0:
            log(f"{kind} step {step}/{steps} loss {running:.4f} {(time.time() - start) / step:.2f} s/step")
        if step % stage["eval_every"] == 0 or step == steps:
            checkpoint(step)
    summary = {
        "kind": kind,
        "best_step": best_step,
        "best_dev_ndcg_cut_10_pool": round(best, 4),
        "seconds": round(time.time() - start),
        "cpu_seconds": round(time.process_time() - cpu_start),
        "history": history,
    }
    with open(os.path.join(out_dir, f"{kind}.train.json"), "w") as f:
        json.dump({"recipe": RECIPE, **summary}, f, indent=1)
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="BEIR folder of `workbench demo dataset --subset all`")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True, help="folder for checkpoints and training logs")
    ap.add_argument("--stages", default="embeddings,biencoder,hypencoder")
    ap.add_argument("--steps-scale", type=float, default=1.0, help="multiply every stage's steps (quick trials)")
    args = ap.parse_args()
    torch.set_num_threads(RECIPE["threads"])
    for key in ("embeddings", "encoder"):
        RECIPE[key]["steps"] = max(1, int(RECIPE[key]["steps"] * args.steps_scale))
        RECIPE[key]["eval_every"] = max(1, int(RECIPE[key]["eval_every"] * args.steps_scale))
        RECIPE[key]["warmup"] = max(1, min(RECIPE[key]["warmup"], RECIPE[key]["steps"] // 4))
    os.makedirs(args.out, exist_ok=True)
    data = TrainData(args.data, args.tokenizer, RECIPE["seed"])
    vocab_size = len(load_tokenizer_json(args.tokenizer).vocab)
    stages = args.stages.split(",")
    emb_path = os.path.join(args.out, "embeddings.pt")
    if "embeddings" in stages:
        train("embeddings", data, vocab_size, args.out)
    embeddings = None
    if os.path.exists(emb_path):
        state = torch.load(emb_path)
        prefix = "query_encoder.transformer.embeddings."
        embeddings = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
    for kind in ("biencoder", "hypencoder"):
        if kind in stages:
            train(kind, data, vocab_size, args.out, embeddings)


if __name__ == "__main__":
    main()
