"""export_hf.py --self-test: tiny random checkpoints under the real checkpoints' state-dict names.

The key names are written out here independently of modeling.py/backbones.py (HF BertModel and
DistilBertModel, the reference Hypencoder head), so a converter that loads them strictly proves the module
trees match the real checkpoints' layouts. Each checkpoint then goes through export_hf.py's own code path.
"""

import argparse
import json
import os
import random
from typing import Dict, List, Tuple

import torch

from export_hf import SAMPLE_DOCS, SAMPLE_QUERIES, export_biencoder, export_hypencoder, read_json
from modeling import BackboneConfig, HypencoderQueryEncoder, QnetConfig, make_backbone


def bert_keys(prefix: str, layers: int, distil: bool, pooler: bool) -> List[str]:
    """The parameter names of HF BertModel / DistilBertModel, written out independently of modeling.py."""
    if distil:
        keys = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
        for i in range(layers):
            for m in ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"):
                keys += [f"transformer.layer.{i}.{m}.weight", f"transformer.layer.{i}.{m}.bias"]
    else:
        keys = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", "embeddings.position_ids"]
        for i in range(layers):
            for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"):
                keys += [f"encoder.layer.{i}.{m}.weight", f"encoder.layer.{i}.{m}.bias"]
        if pooler:
            keys += ["pooler.dense.weight", "pooler.dense.bias"]
    return [prefix + k for k in keys]


def hypencoder_head_keys(n_weights: int, n_biases: int) -> List[str]:
    """The reference Hypencoder's head parameters (hypencoder_cb/modeling/hypencoder.py `_initialize_hyper_head`)."""
    keys = []
    for name, n in (("hyper_base_matrices", n_weights), ("hyper_base_vectors", n_biases), ("weight_query_embeddings", n_weights), ("bias_query_embeddings", n_biases)):
        keys += [f"query_encoder.{name}.{i}" for i in range(n)]
    for name, n in (("weight_hyper_projection", n_weights), ("bias_hyper_projection", n_biases), ("key_projections", n_weights + n_biases), ("value_projections", n_weights + n_biases)):
        for i in range(n):
            keys += [f"query_encoder.{name}.{i}.weight", f"query_encoder.{name}.{i}.bias"]
    return keys


def random_state(keys: List[str], shapes: Dict[str, Tuple[int, ...]], gen: torch.Generator) -> Dict[str, torch.Tensor]:
    out = {}
    for k in keys:
        shape = shapes[k]
        if k.endswith("position_ids"):
            out[k] = torch.arange(shape[1]).unsqueeze(0)
        elif "LayerNorm" in k or "layer_norm" in k:
            out[k] = (1.0 if k.endswith("weight") else 0.0) + 0.1 * torch.randn(shape, generator=gen)
        elif "query_embeddings" in k:
            # Scaled like the reference initialisation (std 10): small ones make the attention uniform, every
            # row of a generated matrix alike, and the q-net degenerate (all ReLUs off, all scores 0).
            out[k] = 10 * torch.randn(shape, generator=gen)
        elif "hyper_projection" in k or "hyper_base_vectors" in k:
            out[k] = 0.05 * torch.randn(shape, generator=gen)
        elif "hyper_base_matrices" in k:
            out[k] = (2 / shape[-1]) ** 0.5 * torch.randn(shape, generator=gen)
        else:
            out[k] = 0.2 * torch.randn(shape, generator=gen)
    return out


def shapes_of(module: torch.nn.Module, prefix: str) -> Dict[str, Tuple[int, ...]]:
    return {prefix + k: tuple(v.shape) for k, v in module.state_dict().items()}


def self_test(out_root: str) -> None:
    """Tiny random checkpoints under the real names, converted by the same code paths as real ones."""
    gen = torch.Generator().manual_seed(7)
    random.seed(7)
    words = sorted({w for t in SAMPLE_QUERIES + SAMPLE_DOCS for w in t.lower().replace(".", " .").replace(",", " ,").split()})
    vocab_list = ["[PAD]"] + [f"[unused{i}]" for i in range(3)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "##s"] + words
    tiny = dict(vocab_size=len(vocab_list), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    made = []
    for case in ("hypencoder", "biencoder-bert", "biencoder-distilbert"):
        ckpt = os.path.join(out_root, "checkpoints", case)
        os.makedirs(ckpt, exist_ok=True)
        with open(os.path.join(ckpt, "vocab.txt"), "w") as f:
            f.write("\n".join(vocab_list) + "\n")
        distil = case.endswith("distilbert")
        cfg = BackboneConfig(kind="distilbert" if distil else "bert", type_vocab_size=0 if distil else 2, **tiny)
        shapes = shapes_of(make_backbone(cfg, with_pooler=True), "")
        shapes["embeddings.position_ids"] = (1, tiny["max_position_embeddings"])
        if case == "hypencoder":
            dims = [32, 32, 32, 1]
            head = HypencoderQueryEncoder(make_backbone(cfg), 32, QnetConfig(dims=dims))
            head_shapes = {f"query_encoder.{k}": tuple(v.shape) for k, v in head.state_dict().items() if not k.startswith("transformer.")}
            backbone = random_state(bert_keys("", 2, False, True), shapes, gen)
            keys = hypencoder_head_keys(len(dims) - 1, len(dims) - 2)
            state = {**{f"query_encoder.transformer.{k}": v for k, v in backbone.items()}, **{f"passage_encoder.transformer.{k}": v for k, v in backbone.items()}}
            state.update(random_state(keys, head_shapes, gen))
            config = {
                "architectures": ["HypencoderDualEncoder"],
                "query_encoder_kwargs": {"model_name_or_path": "tiny-random-bert", "converter_kwargs": {"vector_dimensions": dims, "activation_type": "relu", "do_residual_on_last": False}},
                "passage_encoder_kwargs": {"model_name_or_path": "tiny-random-bert", "pooling_type": "cls"},
                "shared_encoder": True,
            }
        else:
            prefix = "" if distil else "query_encoder.transformer."
            base = random_state(bert_keys("", 2, distil, not distil), shapes, gen)
            state = {prefix + k: v for k, v in base.items()}
            if not distil:
                state.update({f"passage_encoder.transformer.{k}": v for k, v in base.items()})  # TextDualEncoder, shared
            config = {"model_type": "distilbert", "vocab_size": tiny["vocab_size"], "dim": 32, "n_layers": 2, "n_heads": 2, "hidden_dim": 64, "max_position_embeddings": 512} if distil else {"architectures": ["TextDualEncoder"]}
        with open(os.path.join(ckpt, "config.json"), "w") as f:
            json.dump(config, f)
        torch.save(state, os.path.join(ckpt, "pytorch_model.bin"))
        out = os.path.join(out_root, "packages", case)
        args = argparse.Namespace(
            source=ckpt, name=f"self-test-{case}", heads=2, query_max_length=16, doc_max_length=48, pooling="mean" if distil else "cls", similarity="ip", no_transformers_check=True
        )
        (export_hypencoder if case == "hypencoder" else export_biencoder)(ckpt, out, args)
        scores = torch.tensor(read_json(os.path.join(out, "samples.json"))["scores"])
        if scores.std() < 1e-3:
            raise SystemExit(f"{out}: degenerate sample scores {scores.tolist()}")
        made.append(out)
    print("self-test packages: " + ", ".join(made))
