"""Transformer backbones with Hugging Face's parameter names (BertModel, DistilBertModel).

A real checkpoint's state dict loads into these by name with torch alone (export_hf.py), and the demo's tiny
backbone is an ordinary small BERT (with pre-LN layers, see BackboneConfig.pre_ln). Only plain tensor ops are
used (no fused attention kernels) so that torch.onnx.export produces a graph onnxruntime runs anywhere.
"""

import math
from dataclasses import asdict, dataclass
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F

@dataclass
class BackboneConfig:
    """The subset of a Hugging Face BERT/DistilBERT config.json that shapes the module tree."""

    kind: str = "bert"  # "bert" | "distilbert"
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"
    pad_token_id: int = 0
    # Dropout while training; 0 for the tiny demo models (one pass over the data, nothing to regularise).
    dropout: float = 0.1
    # Pre-LN layers (x + f(LN(x))) instead of BERT's post-LN (LN(x + f(x))), same parameter names. The demo's
    # tiny backbone uses them: with zero-initialised branch outputs a new layer is exactly the identity, so a
    # layer added on top of trained embeddings starts from their function instead of renormalising it.
    pre_ln: bool = False

    @staticmethod
    def from_hf(cfg: Dict) -> "BackboneConfig":
        if cfg.get("model_type") == "distilbert":
            return BackboneConfig(
                kind="distilbert",
                vocab_size=cfg["vocab_size"],
                hidden_size=cfg["dim"],
                num_hidden_layers=cfg["n_layers"],
                num_attention_heads=cfg["n_heads"],
                intermediate_size=cfg["hidden_dim"],
                max_position_embeddings=cfg["max_position_embeddings"],
                type_vocab_size=0,
                layer_norm_eps=1e-12,
                hidden_act=cfg.get("activation", "gelu"),
                pad_token_id=cfg.get("pad_token_id", 0),
            )
        return BackboneConfig(
            kind="bert",
            vocab_size=cfg["vocab_size"],
            hidden_size=cfg["hidden_size"],
            num_hidden_layers=cfg["num_hidden_layers"],
            num_attention_heads=cfg["num_attention_heads"],
            intermediate_size=cfg["intermediate_size"],
            max_position_embeddings=cfg["max_position_embeddings"],
            type_vocab_size=cfg.get("type_vocab_size", 2),
            layer_norm_eps=cfg.get("layer_norm_eps", 1e-12),
            hidden_act=cfg.get("hidden_act", "gelu"),
            pad_token_id=cfg.get("pad_token_id", 0),
        )

    def to_json(self) -> Dict:
        return asdict(self)


def activation(name: str):
    if name == "gelu":
        return F.gelu  # exact (erf) GELU, as HF's "gelu"
    if name == "relu":
        return F.relu
    raise ValueError(f"unsupported hidden activation {name!r}")


def dropout(c: BackboneConfig) -> nn.Module:
    return nn.Dropout(c.dropout) if c.dropout > 0 else nn.Identity()


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[B, L] 0/1 mask to the [B, 1, 1, L] additive form HF's BERT uses (0 keep, dtype min drop)."""
    inverted = 1.0 - attention_mask[:, None, None, :].to(dtype)
    return inverted * torch.finfo(dtype).min


def plain_layer_norm(x: torch.Tensor, n: int, eps: float = 1e-5) -> torch.Tensor:
    """F.layer_norm without affine parameters. Unit scale and zero shift are passed explicitly because
    torch 1.13's opset-17 exporter writes LayerNormalization with an empty scale input otherwise."""
    return F.layer_norm(x, (n,), torch.ones(n, dtype=x.dtype), torch.zeros(n, dtype=x.dtype), eps)


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    b, l, d = x.shape
    return x.view(b, l, heads, d // heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    b, h, l, dh = x.shape
    return x.transpose(1, 2).reshape(b, l, h * dh)


# ---------------------------------------------------------------- BERT (HF BertModel names)


class BertEmbeddings(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = dropout(c)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        # Token type 0 everywhere, as for single-segment inputs in HF.
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.heads = c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = dropout(c)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        q, k, v = (split_heads(f(x), self.heads) for f in (self.query, self.key, self.value))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + mask
        return merge_heads(self.dropout(scores.softmax(-1)) @ v)


class BertSelfOutput(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = dropout(c)

    def forward(self, h: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertAttention(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        setattr(self, "self", BertSelfAttention(c))  # HF's attribute is literally named "self"
        self.output = BertSelfOutput(c)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.output(getattr(self, "self")(x, mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.act = activation(c.hidden_act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = dropout(c)

    def forward(self, h: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertLayer(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.pre_ln = c.pre_ln
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.pre_ln:
            att = self.attention.output
            a = x + att.dropout(att.dense(getattr(self.attention, "self")(att.LayerNorm(x), mask)))
            out = self.output
            return a + out.dropout(out.dense(self.intermediate(out.LayerNorm(a))))
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)

    def zero_branches(self) -> None:
        """Zero the output projections of both branches: a pre-LN layer then computes the identity."""
        for lin in (self.attention.output.dense, self.output.dense):
            nn.init.zeros_(lin.weight)
            nn.init.zeros_(lin.bias)


class BertEncoder(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layer:
            x = layer(x, mask)
        return x


class BertPooler(nn.Module):
    """Present so checkpoints load strictly; retrieval models pool the last hidden state themselves."""

    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)


class BertModel(nn.Module):
    def __init__(self, c: BackboneConfig, with_pooler: bool = True):
        super().__init__()
        self.config = c
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        if with_pooler:
            self.pooler = BertPooler(c)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        mask = additive_mask(attention_mask, self.embeddings.word_embeddings.weight.dtype)
        return self.encoder(self.embeddings(input_ids), mask)


# ---------------------------------------------------------------- DistilBERT (HF DistilBertModel names)


class DistilEmbeddings(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = dropout(c)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        return self.dropout(self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(positions)))


class DistilAttention(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.heads = c.num_attention_heads
        self.q_lin = nn.Linear(c.hidden_size, c.hidden_size)
        self.k_lin = nn.Linear(c.hidden_size, c.hidden_size)
        self.v_lin = nn.Linear(c.hidden_size, c.hidden_size)
        self.out_lin = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = dropout(c)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        q, k, v = (split_heads(f(x), self.heads) for f in (self.q_lin, self.k_lin, self.v_lin))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + mask
        return self.out_lin(merge_heads(self.dropout(scores.softmax(-1)) @ v))


class DistilFFN(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.lin1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.lin2 = nn.Linear(c.intermediate_size, c.hidden_size)
        self.act = activation(c.hidden_act)
        self.dropout = dropout(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.lin2(self.act(self.lin1(x))))


class DistilBlock(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.attention = DistilAttention(c)
        self.sa_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.ffn = DistilFFN(c)
        self.output_layer_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        a = self.sa_layer_norm(self.attention(x, mask) + x)
        return self.output_layer_norm(self.ffn(a) + a)


class DistilTransformer(nn.Module):
    def __init__(self, c: BackboneConfig):
        super().__init__()
        self.layer = nn.ModuleList([DistilBlock(c) for _ in range(c.num_hidden_layers)])


class DistilBertModel(nn.Module):
    def __init__(self, c: BackboneConfig, with_pooler: bool = False):
        super().__init__()
        self.config = c
        self.embeddings = DistilEmbeddings(c)
        self.transformer = DistilTransformer(c)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        mask = additive_mask(attention_mask, self.embeddings.word_embeddings.weight.dtype)
        x = self.embeddings(input_ids)
        for layer in self.transformer.layer:
            x = layer(x, mask)
        return x


def make_backbone(c: BackboneConfig, with_pooler: bool = True) -> nn.Module:
    return DistilBertModel(c) if c.kind == "distilbert" else BertModel(c, with_pooler=with_pooler)


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """CLS: the first position. Mean: over unmasked positions (reference TextEncoder.mean_pool)."""
    if pooling == "cls":
        return hidden[:, 0]
    m = attention_mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * m).sum(1) / m.sum(1)


def init_bert_weights(module: nn.Module, std: float = 0.02) -> None:
    """BERT's initialisation (normal 0.02, zero biases, unit LayerNorm) for a backbone trained from scratch."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(0.0, std)
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(0.0, std)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()
