"""The retrieval models shared by train.py, export.py and export_hf.py.

The Hypencoder head follows the reference implementation (hypencoder_cb/modeling/hypencoder.py,
`Hypencoder._get_weights_and_biases`; DESIGN.md section 4) name for name, so `query_encoder.*` keys of
jfkback/hypencoder.*_layer load into `HypencoderQueryEncoder`; the q-net is the reference
`RepeatedDenseBlockConverter`. Backbones (BERT, DistilBERT with Hugging Face names) are in backbones.py.
"""

import math
from dataclasses import dataclass, field
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from backbones import (  # noqa: F401  (re-exported for the scripts)
    BackboneConfig,
    init_bert_weights,
    make_backbone,
    plain_layer_norm,
    pool,
)

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
