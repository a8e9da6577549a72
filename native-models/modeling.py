"""Module trees shared by train.py, export.py and export_hf.py.

The backbones mirror Hugging Face's BertModel and DistilBertModel parameter names exactly, so a real
checkpoint's state dict loads into them without transformers installed (export_hf.py) and the tiny demo
backbone is an ordinary small BERT. The Hypencoder head follows the reference implementation
(hypencoder_cb/modeling/hypencoder.py, `Hypencoder._get_weights_and_biases`; DESIGN.md section 4) name for
name, so `query_encoder.*` keys of jfkback/hypencoder.*_layer load into `HypencoderQueryEncoder`.

Only plain tensor ops are used (no fused attention kernels) so that torch.onnx.export produces a graph
onnxruntime runs on any provider.
"""

import math
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

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
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


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


# ---------------------------------------------------------------- q-net (DESIGN.md section 4)


@dataclass
class QnetConfig:
    dims: List[int] = field(default_factory=lambda: [768, 768, 768, 768, 768, 768, 768, 1])
    activation: str = "relu"
    layerNorm: bool = True
    residual: bool = True
    residualOnLast: bool = False
    layerNormBeforeResidual: bool = True
    lnEps: float = 1e-5

    def weight_shapes(self) -> List[Tuple[int, int]]:
        return [(self.dims[i - 1], self.dims[i]) for i in range(1, len(self.dims))]

    def bias_shapes(self) -> List[Tuple[int, int]]:
        # Reference RepeatedDenseBlockConverter: (d_{j+1}, 1), one per core block.
        return [(self.dims[i], 1) for i in range(1, len(self.dims) - 1)]


QNET_ACTIVATIONS = {
    "relu": F.relu,
    "gelu": F.gelu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "leaky_relu": F.leaky_relu,
}


def qnet_scores(cfg: QnetConfig, weights: List[torch.Tensor], biases: List[torch.Tensor], docs: torch.Tensor) -> torch.Tensor:
    """Scores docs with every query's q-net.

    weights[j]: [B, d_j, d_{j+1}], biases[j]: [B, d_{j+1}], docs: [B, N, d_0] (each query its own items) or
    [N, d_0] (all queries score the same items). Returns [B, N].
    """
    b = weights[0].shape[0]
    x = docs if docs.dim() == 3 else docs.unsqueeze(0).expand(b, -1, -1)
    act = QNET_ACTIVATIONS[cfg.activation]
    core = len(weights) - 1
    for j in range(core):
        y = torch.bmm(x, weights[j]) + biases[j].unsqueeze(1)
        y = act(y)
        if cfg.layerNorm and cfg.layerNormBeforeResidual:
            y = plain_layer_norm(y, cfg.dims[j + 1], cfg.lnEps)
        if cfg.residual and not (j == core - 1 and not cfg.residualOnLast):
            y = y + x
        if cfg.layerNorm and not cfg.layerNormBeforeResidual:
            y = plain_layer_norm(y, cfg.dims[j + 1], cfg.lnEps)
        x = y
    return torch.bmm(x, weights[-1]).squeeze(-1)


# ---------------------------------------------------------------- Hypencoder head (reference names)


class HypencoderQueryEncoder(nn.Module):
    """Backbone + hypernetwork head: the reference `Hypencoder` module, parameter for parameter.

    `init_dim` is the constant the reference initialisation divides by (768, its BERT width, hard-coded).
    """

    def __init__(self, backbone: nn.Module, model_dim: int, qnet: QnetConfig, init_dim: int = 768, seed: int = 1):
        super().__init__()
        self.transformer = backbone
        self.qnet = qnet
        ws, bs = qnet.weight_shapes(), qnet.bias_shapes()
        self.weight_shapes, self.bias_shapes = ws, bs
        self.hyper_base_matrices = nn.ParameterList([nn.Parameter(torch.zeros(1, o, i)) for i, o in ws])
        self.hyper_base_vectors = nn.ParameterList([nn.Parameter(torch.zeros(o, i)) for i, o in bs])
        self.weight_query_embeddings = nn.ParameterList([nn.Parameter(torch.zeros(1, o, i)) for i, o in ws])
        self.bias_query_embeddings = nn.ParameterList([nn.Parameter(torch.zeros(1, o, i)) for i, o in bs])
        self.weight_hyper_projection = nn.ModuleList([nn.Linear(i, i) for i, _ in ws])
        self.bias_hyper_projection = nn.ModuleList([nn.Linear(i, i) for i, _ in bs])
        self.key_projections = nn.ModuleList([nn.Linear(model_dim, i) for i, _ in ws + bs])
        self.value_projections = nn.ModuleList([nn.Linear(model_dim, i) for i, _ in ws + bs])
        self._init_head(init_dim, seed)

    def _init_head(self, init_dim: int, seed: int) -> None:
        # Reference `_initialize_hyper_head` (DESIGN.md section 4): a fixed random base q-net shared by all queries,
        # a query-specific part that starts near zero, large-norm query embeddings. The reference zeroes only the
        # first len(weight_shapes) key/value biases ("mostly an oversight" in its own words); kept as is.
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for m in list(self.weight_hyper_projection) + list(self.bias_hyper_projection):
                bound = 1 / math.sqrt(m.in_features)
                m.weight.uniform_(-bound, bound, generator=generator)
                m.bias.uniform_(-bound, bound, generator=generator)
            for m in list(self.key_projections) + list(self.value_projections):
                bound = 1 / math.sqrt(m.in_features)
                m.weight.uniform_(-bound, bound, generator=generator)
                m.bias.uniform_(-bound, bound, generator=generator)
            for i in range(len(self.weight_shapes)):
                self.hyper_base_matrices[i].normal_(0, (2 / init_dim) ** 0.5, generator=generator)
                self.weight_query_embeddings[i].normal_(0, 10, generator=generator)
                self.weight_hyper_projection[i].weight.normal_(0, 1 / init_dim**2, generator=generator)
                self.weight_hyper_projection[i].bias.zero_()
                self.key_projections[i].bias.zero_()
                self.value_projections[i].bias.zero_()
            for i in range(len(self.bias_shapes)):
                self.hyper_base_vectors[i].zero_()
                self.bias_query_embeddings[i].normal_(0, 10, generator=generator)

    @staticmethod
    def _attend(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, dim: int, mask: torch.Tensor) -> torch.Tensor:
        # Reference scaled_dot_product_attention: scaled by sqrt(out_dim) (its `dim` argument), padding masked.
        score = torch.einsum("bqd,bkd->bqk", query, key) / math.sqrt(dim)
        score = score.masked_fill(mask.unsqueeze(1) == 0, float("-inf"))
        return torch.einsum("bqk,bkd->bqd", score.softmax(-1), value)

    def hyper_params(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """q-net weights [B, d_j, d_{j+1}] and biases [B, d_{j+1}] from the last hidden state."""
        b = hidden.shape[0]
        keys = [k(hidden) for k in self.key_projections]
        values = [v(hidden) for v in self.value_projections]
        nw = len(self.weight_shapes)
        weights, biases = [], []
        # Python ints for the LayerNorm shapes: a traced `a.shape[2:]` would not export as a constant.
        for i, (din, o) in enumerate(self.weight_shapes):
            a = self._attend(self.weight_query_embeddings[i].expand(b, -1, -1), keys[i], values[i], o, attention_mask)
            w = self.weight_hyper_projection[i](plain_layer_norm(F.relu(a), din))
            weights.append((w + self.hyper_base_matrices[i]).transpose(2, 1))
        for i, (din, o) in enumerate(self.bias_shapes):
            a = self._attend(self.bias_query_embeddings[i].expand(b, -1, -1), keys[nw + i], values[nw + i], o, attention_mask)
            v = self.bias_hyper_projection[i](plain_layer_norm(F.relu(a), din))
            # [B, 1, d] + base [1, d] -> [B, 1, d]; the reference transposes to [B, d, 1] and later squeezes.
            biases.append((v + self.hyper_base_vectors[i]).squeeze(1))
        return weights, biases

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        return self.hyper_params(self.transformer(input_ids, attention_mask), attention_mask)


class TextEncoder(nn.Module):
    """Reference `TextEncoder`: backbone + pooling; `transformer.*` names."""

    def __init__(self, backbone: nn.Module, pooling: str):
        super().__init__()
        self.transformer = backbone
        self.pooling = pooling

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return pool(self.transformer(input_ids, attention_mask), attention_mask, self.pooling)


class HypencoderDualEncoder(nn.Module):
    """`query_encoder` (Hypencoder) and `passage_encoder` (TextEncoder, CLS) over one shared backbone."""

    def __init__(self, backbone_cfg: BackboneConfig, qnet: QnetConfig, init_dim: int = 768, seed: int = 1, doc_pooling: str = "cls"):
        super().__init__()
        backbone = make_backbone(backbone_cfg)
        self.query_encoder = HypencoderQueryEncoder(backbone, backbone_cfg.hidden_size, qnet, init_dim=init_dim, seed=seed)
        self.passage_encoder = TextEncoder(backbone, doc_pooling)

    def score_matrix(self, q_ids, q_mask, d_ids, d_mask) -> torch.Tensor:
        weights, biases = self.query_encoder(q_ids, q_mask)
        docs = self.passage_encoder(d_ids, d_mask)
        return qnet_scores(self.query_encoder.qnet, weights, biases, docs)


class BiEncoder(nn.Module):
    """Shared-encoder bi-encoder (reference TextDualEncoder with shared_encoder): pooled embedding, inner product."""

    def __init__(self, backbone_cfg: BackboneConfig, pooling: str):
        super().__init__()
        self.query_encoder = TextEncoder(make_backbone(backbone_cfg), pooling)

    @property
    def passage_encoder(self) -> TextEncoder:
        return self.query_encoder

    def score_matrix(self, q_ids, q_mask, d_ids, d_mask) -> torch.Tensor:
        return self.query_encoder(q_ids, q_mask) @ self.query_encoder(d_ids, d_mask).T


class QueryQnetExport(nn.Module):
    """query.onnx of a Hypencoder package: outputs qnet_w{j} [B, in, out] and qnet_b{j} [B, out]."""

    def __init__(self, encoder: HypencoderQueryEncoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        weights, biases = self.encoder(input_ids, attention_mask)
        return tuple(weights) + tuple(biases)


def qnet_output_names(qnet: QnetConfig) -> List[str]:
    return [f"qnet_w{j}" for j in range(len(qnet.dims) - 1)] + [f"qnet_b{j}" for j in range(len(qnet.dims) - 2)]


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
