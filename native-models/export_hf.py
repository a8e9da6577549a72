"""Converts real PyTorch retrieval checkpoints into workbench model packages (main/engine/models/README.md).

    python3 native-models/export_hf.py hypencoder CHECKPOINT --out packages/hypencoder.6_layer
    python3 native-models/export_hf.py biencoder CHECKPOINT --pooling mean --out packages/contriever
    python3 native-models/export_hf.py --self-test --out /tmp/export-hf-self-test

CHECKPOINT is a local folder (config.json, pytorch_model.bin or model.safetensors, vocab.txt or
tokenizer.json) or, with `huggingface_hub` installed, a Hub id such as jfkback/hypencoder.6_layer.

hypencoder  jfkback/hypencoder.{2,4,6,8}_layer: HypencoderDualEncoder (hypencoder_cb/modeling/hypencoder.py):
            BERT-base shared by `query_encoder.transformer` and `passage_encoder.transformer`, the hypernetwork
            head under `query_encoder.*`, CLS pooling for passages, q-net from
            `query_encoder_kwargs.converter_kwargs` in config.json. Writes query.onnx (q-net parameters) and
            doc.onnx (CLS embedding).
biencoder   a BERT or DistilBERT encoder: BE-base (TextDualEncoder, `query_encoder.transformer.*`), Contriever
            (facebook/contriever-msmarco, mean pooling), TAS-B (sebastian-hofstaetter/distilbert-dot-tas_b-
            b256-msmarco, CLS), RetroMAE (Shitao/RetroMAE_MSMARCO_distill, CLS; `bert.*` keys). One shared
            encoder.onnx, or query.onnx and doc.onnx when the checkpoint holds two different encoders.

The module trees (modeling.py) mirror Hugging Face's parameter names, so loading needs only torch. The
ORT-vs-PyTorch check: samples.json holds PyTorch's outputs for fixed texts, and
`node main/bin/run-ts.mjs native-models/check_samples.ts PACKAGE` compares onnxruntime (through the workbench
engine) with them. With `transformers` installed, the backbone is also compared with transformers' own
BertModel/DistilBertModel before export (--no-transformers-check skips it).

Requirements on the user's machine: python3, torch (>= 1.13), and for Hub ids huggingface_hub; transformers
only for the extra check. --self-test needs torch only: it writes tiny random checkpoints with the real
checkpoints' state-dict names (a Hypencoder, a BERT bi-encoder with a TextDualEncoder prefix, a DistilBERT
bi-encoder), converts them and writes their packages and samples.json.
"""

import argparse
import datetime
import inspect
import json
import os
import sys
from typing import Dict, List, Optional

import torch

from modeling import (
    BackboneConfig,
    HypencoderQueryEncoder,
    QnetConfig,
    QueryQnetExport,
    TextEncoder,
    make_backbone,
    qnet_output_names,
    qnet_scores,
)
from package_files import sha256_file
from wordpiece import WordPiece, batch_ids, tokenizer_json

EXPORTER = "native-models/export_hf.py 1.0"
OPSET = 17
SAMPLE_QUERIES = ["what is a hypernetwork", "symptoms of the common cold", "how many legs does a spider have"]
SAMPLE_DOCS = [
    "A hypernetwork is a neural network that generates the weights of another network.",
    "Common cold symptoms include a runny nose, sore throat and sneezing.",
    "Spiders have eight legs and two body segments.",
    " ".join(["a long passage that reaches the maximum length"] * 40),
]
# Keys a checkpoint may hold that carry no weights of the encoder (buffers, LM heads, training heads).
IGNORED_SUFFIXES = ("position_ids",)
IGNORED_PREFIXES = ("cls.", "lm_head.", "vocab_", "decoder.", "c_head.", "pooler.")


# ---------------------------------------------------------------- reading checkpoints


def resolve_checkpoint(name: str) -> str:
    if os.path.isdir(name):
        return name
    try:
        from huggingface_hub import snapshot_download  # type: ignore
    except ImportError:
        sys.exit(f"{name}: not a local folder, and huggingface_hub is not installed to download it (pip install huggingface_hub)")
    return snapshot_download(name)


def load_state_dict(folder: str) -> Dict[str, torch.Tensor]:
    for file in ("pytorch_model.bin", "model.safetensors"):
        path = os.path.join(folder, file)
        if not os.path.exists(path):
            continue
        if file.endswith(".safetensors"):
            try:
                from safetensors.torch import load_file  # type: ignore
            except ImportError:
                sys.exit(f"{path}: reading safetensors needs the safetensors package (pip install safetensors)")
            return load_file(path)
        return torch.load(path, map_location="cpu")
    sys.exit(f"{folder}: no pytorch_model.bin or model.safetensors")


def read_json(path: str) -> Dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def find_prefix(state: Dict[str, torch.Tensor], candidates: List[str]) -> Optional[str]:
    for p in candidates:
        if f"{p}embeddings.word_embeddings.weight" in state:
            return p
    return None


def sub_state(state: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    out = {}
    for k, v in state.items():
        if not k.startswith(prefix):
            continue
        rest = k[len(prefix) :]
        if rest.endswith(IGNORED_SUFFIXES) or rest.startswith(IGNORED_PREFIXES):
            continue
        out[rest] = v
    return out


def infer_backbone(sd: Dict[str, torch.Tensor], heads: Optional[int], hf_config: Optional[Dict]) -> BackboneConfig:
    """Architecture from the weights' shapes (the Hypencoder config names only its base model)."""
    if hf_config and hf_config.get("model_type") in ("bert", "distilbert"):
        return BackboneConfig.from_hf(hf_config)
    vocab, hidden = sd["embeddings.word_embeddings.weight"].shape
    distil = any(k.startswith("transformer.layer.") for k in sd)
    layer_prefix = "transformer.layer." if distil else "encoder.layer."
    layers = 1 + max(int(k[len(layer_prefix) :].split(".")[0]) for k in sd if k.startswith(layer_prefix))
    ffn = sd[f"{layer_prefix}0.{'ffn.lin1' if distil else 'intermediate.dense'}.weight"].shape[0]
    return BackboneConfig(
        kind="distilbert" if distil else "bert",
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads or max(1, hidden // 64),
        intermediate_size=ffn,
        max_position_embeddings=sd["embeddings.position_embeddings.weight"].shape[0],
        type_vocab_size=0 if distil else sd["embeddings.token_type_embeddings.weight"].shape[0],
    )


def load_backbone(sd: Dict[str, torch.Tensor], cfg: BackboneConfig) -> torch.nn.Module:
    model = make_backbone(cfg, with_pooler="pooler.dense.weight" in sd)
    result = model.load_state_dict(sd, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise SystemExit(f"state dict does not match the {cfg.kind} module tree: missing {result.missing_keys[:8]}, unexpected {result.unexpected_keys[:8]}")
    return model.eval()


def load_tokenizer(folder: str, out: str) -> WordPiece:
    """tokenizer.json as the checkpoint ships it, else one built from vocab.txt (BERT WordPiece)."""
    target = os.path.join(out, "tokenizer.json")
    src = os.path.join(folder, "tokenizer.json")
    if os.path.exists(src):
        spec = read_json(src)
        if spec.get("model", {}).get("type") != "WordPiece":
            raise SystemExit(f"{src}: model.type {spec.get('model', {}).get('type')!r} is not WordPiece")
        spec["truncation"] = None
        spec["padding"] = None
    else:
        vocab_path = os.path.join(folder, "vocab.txt")
        if not os.path.exists(vocab_path):
            raise SystemExit(f"{folder}: neither tokenizer.json nor vocab.txt")
        with open(vocab_path, encoding="utf-8") as f:
            vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        spec = tokenizer_json(vocab)
        tc = os.path.join(folder, "tokenizer_config.json")
        if os.path.exists(tc) and read_json(tc).get("do_lower_case") is False:
            spec["normalizer"]["lowercase"] = False
    with open(target, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    wp = WordPiece(spec["model"]["vocab"])
    if not spec["normalizer"].get("lowercase", True):
        raise SystemExit("cased tokenizers are not supported by the Python sample tokenizer; export with an uncased model")
    return wp


# ---------------------------------------------------------------- export


def export_graph(module: torch.nn.Module, path: str, outputs: List[str]) -> None:
    module.eval()
    vocab = next(m.num_embeddings for m in module.modules() if isinstance(m, torch.nn.Embedding))
    ids = torch.randint(5, min(100, vocab), (2, 7), dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, -2:] = 0
    axes = {"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"}}
    axes.update({name: {0: "batch"} for name in outputs})
    kwargs = dict(input_names=["input_ids", "attention_mask"], output_names=outputs, dynamic_axes=axes, opset_version=OPSET)
    # torch >= 2.9 exports through dynamo by default; the TorchScript exporter gives the same graph as on 1.13.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(module, (ids, mask), path, **kwargs)


def rounded(t: torch.Tensor) -> List:
    return [round(float(x), 7) for x in t.reshape(-1).tolist()]


def write_manifest(out: str, manifest: Dict, files: List[str], source: str) -> None:
    manifest["provenance"] = {
        "source": source,
        "exporter": EXPORTER,
        "createdAt": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "files": {f: sha256_file(os.path.join(out, f)) for f in files},
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


@torch.no_grad()
def write_samples(out: str, wp: WordPiece, max_q: int, max_d: int, query_fn, doc_fn, qnet: Optional[QnetConfig]) -> None:
    q_tokens = [wp.encode(t, max_q) for t in SAMPLE_QUERIES]
    d_tokens = [wp.encode(t, max_d) for t in SAMPLE_DOCS]
    docs = doc_fn(*batch_ids(d_tokens, wp.pad_id))
    sample = {"queries": SAMPLE_QUERIES, "docs": SAMPLE_DOCS, "queryTokenIds": q_tokens, "docTokenIds": d_tokens, "docEmbeddings": [rounded(r) for r in docs]}
    q = query_fn(*batch_ids(q_tokens, wp.pad_id))
    if qnet is not None:
        w, b = q
        sample["scores"] = [rounded(r) for r in qnet_scores(qnet, w, b, docs)]
    else:
        sample["queryEmbeddings"] = [rounded(r) for r in q]
        sample["scores"] = [rounded(r) for r in q @ docs.T]
    with open(os.path.join(out, "samples.json"), "w") as f:
        json.dump(sample, f)
        f.write("\n")


def transformers_check(folder: str, backbone: torch.nn.Module, prefix: str, wp: WordPiece) -> None:
    """Compares the backbone's last hidden state with transformers' implementation of the same weights."""
    try:
        import transformers  # type: ignore
    except ImportError:
        print("transformers not installed: skipping the comparison with its BertModel (pip install transformers)")
        return
    cfg = backbone.config
    hf_cfg = (transformers.DistilBertConfig if cfg.kind == "distilbert" else transformers.BertConfig)(
        vocab_size=cfg.vocab_size,
        **(
            {"dim": cfg.hidden_size, "n_layers": cfg.num_hidden_layers, "n_heads": cfg.num_attention_heads, "hidden_dim": cfg.intermediate_size}
            if cfg.kind == "distilbert"
            else {"hidden_size": cfg.hidden_size, "num_hidden_layers": cfg.num_hidden_layers, "num_attention_heads": cfg.num_attention_heads, "intermediate_size": cfg.intermediate_size, "type_vocab_size": cfg.type_vocab_size}
        ),
        max_position_embeddings=cfg.max_position_embeddings,
    )
    hf = (transformers.DistilBertModel if cfg.kind == "distilbert" else transformers.BertModel)(hf_cfg).eval()
    hf.load_state_dict(backbone.state_dict(), strict=False)
    ids, mask = batch_ids([wp.encode(t, 64) for t in SAMPLE_DOCS], wp.pad_id)
    with torch.no_grad():
        ours = backbone(ids, mask)
        theirs = hf(input_ids=ids, attention_mask=mask).last_hidden_state
    diff = (ours - theirs)[mask.bool()].abs().max().item()
    print(f"backbone vs transformers {cfg.kind}: max |diff| {diff:.2e}")
    if diff > 1e-4:
        raise SystemExit("the backbone disagrees with transformers: do not use this package")


def export_hypencoder(folder: str, out: str, args) -> None:
    config = read_json(os.path.join(folder, "config.json"))
    qkw = config.get("query_encoder_kwargs", {})
    conv = qkw.get("converter_kwargs", {})
    # RepeatedDenseBlockConverter: do_residual_on_last defaults to False; an explicit None means "as do_residual".
    residual_on_last = conv.get("do_residual_on_last", False)
    if residual_on_last is None:
        residual_on_last = conv.get("do_residual", True)
    qnet = QnetConfig(
        dims=list(conv["vector_dimensions"]),
        activation=conv.get("activation_type", "relu"),
        layerNorm=conv.get("do_layer_norm", True),
        residual=conv.get("do_residual", True),
        residualOnLast=residual_on_last,
        layerNormBeforeResidual=conv.get("layer_norm_before_residual", True),
    )
    state = load_state_dict(folder)
    backbone_sd = sub_state(state, "query_encoder.transformer.")
    cfg = infer_backbone(backbone_sd, args.heads, None)
    backbone = load_backbone(backbone_sd, cfg)
    head = HypencoderQueryEncoder(backbone, cfg.hidden_size, qnet)
    head_sd = {k[len("query_encoder.") :]: v for k, v in state.items() if k.startswith("query_encoder.") and not k.startswith("query_encoder.transformer.")}
    result = head.load_state_dict({**head_sd, **{f"transformer.{k}": v for k, v in backbone_sd.items()}}, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise SystemExit(f"hypernetwork head does not match the reference layout: missing {result.missing_keys[:8]}, unexpected {result.unexpected_keys[:8]}")
    head.eval()
    passage_sd = sub_state(state, "passage_encoder.transformer.")
    doc_backbone = backbone
    if passage_sd and any(not torch.equal(passage_sd[k], backbone_sd[k]) for k in backbone_sd if k in passage_sd):
        doc_backbone = load_backbone(passage_sd, cfg)  # an unshared checkpoint: the passage encoder's own weights
    pooling = config.get("passage_encoder_kwargs", {}).get("pooling_type", "cls")
    os.makedirs(out, exist_ok=True)
    wp = load_tokenizer(folder, out)
    if not args.no_transformers_check:
        transformers_check(folder, backbone, "query_encoder.transformer.", wp)
    doc = TextEncoder(doc_backbone, pooling).eval()
    export_graph(QueryQnetExport(head), os.path.join(out, "query.onnx"), qnet_output_names(qnet))
    export_graph(doc, os.path.join(out, "doc.onnx"), ["embedding"])
    manifest = {
        "formatVersion": 1,
        "kind": "hypencoder",
        "name": args.name or os.path.basename(os.path.normpath(args.source)).replace("/", "_"),
        "backbone": qkw.get("model_name_or_path") or "bert-base-uncased",
        "embeddingDim": cfg.hidden_size,
        "query": {"file": "query.onnx", "maxLength": args.query_max_length},
        "doc": {"file": "doc.onnx", "maxLength": args.doc_max_length},
        "pooling": pooling,
        "qnet": {"dims": qnet.dims, "activation": qnet.activation, "layerNorm": qnet.layerNorm, "residual": qnet.residual, "residualOnLast": qnet.residualOnLast, "layerNormBeforeResidual": qnet.layerNormBeforeResidual, "lnEps": qnet.lnEps},
    }
    write_manifest(out, manifest, ["query.onnx", "doc.onnx", "tokenizer.json"], args.source)
    write_samples(out, wp, args.query_max_length, args.doc_max_length, lambda i, m: head(i, m), lambda i, m: doc(i, m), qnet)
    print(f"{out}: hypencoder, backbone {cfg.kind} {cfg.num_hidden_layers}x{cfg.hidden_size}, q-net {qnet.dims}, {pooling} pooling")


def export_biencoder(folder: str, out: str, args) -> None:
    state = load_state_dict(folder)
    config_path = os.path.join(folder, "config.json")
    hf_config = read_json(config_path) if os.path.exists(config_path) else None
    prefixes = ["query_encoder.transformer.", "passage_encoder.transformer.", "bert.", "distilbert.", "model.", "encoder.", ""]
    qp = find_prefix(state, prefixes)
    if qp is None:
        raise SystemExit(f"{folder}: no BERT/DistilBERT encoder found (no *embeddings.word_embeddings.weight)")
    query_sd = sub_state(state, qp)
    if qp == "":
        # A bare model: drop keys that belong to wrappers (they start with a prefix of their own).
        query_sd = {k: v for k, v in query_sd.items() if k.startswith(("embeddings.", "encoder.", "transformer.", "pooler."))}
    cfg = infer_backbone(query_sd, args.heads, hf_config if hf_config and hf_config.get("model_type") in ("bert", "distilbert") else None)
    query_backbone = load_backbone(query_sd, cfg)
    doc_backbone = query_backbone
    if qp == "query_encoder.transformer." and "passage_encoder.transformer.embeddings.word_embeddings.weight" in state:
        passage_sd = sub_state(state, "passage_encoder.transformer.")
        if any(not torch.equal(passage_sd[k], query_sd[k]) for k in query_sd if k in passage_sd):
            doc_backbone = load_backbone(passage_sd, cfg)
    os.makedirs(out, exist_ok=True)
    wp = load_tokenizer(folder, out)
    if not args.no_transformers_check:
        transformers_check(folder, query_backbone, qp, wp)
    query = TextEncoder(query_backbone, args.pooling).eval()
    doc = TextEncoder(doc_backbone, args.pooling).eval()
    shared = doc_backbone is query_backbone
    if shared:
        export_graph(query, os.path.join(out, "encoder.onnx"), ["embedding"])
        files, qf, df = ["encoder.onnx", "tokenizer.json"], "encoder.onnx", "encoder.onnx"
    else:
        export_graph(query, os.path.join(out, "query.onnx"), ["embedding"])
        export_graph(doc, os.path.join(out, "doc.onnx"), ["embedding"])
        files, qf, df = ["query.onnx", "doc.onnx", "tokenizer.json"], "query.onnx", "doc.onnx"
    manifest = {
        "formatVersion": 1,
        "kind": "biencoder",
        "name": args.name or os.path.basename(os.path.normpath(args.source)),
        "backbone": (hf_config or {}).get("_name_or_path") or f"{cfg.kind} {cfg.num_hidden_layers}x{cfg.hidden_size}",
        "embeddingDim": cfg.hidden_size,
        "query": {"file": qf, "maxLength": args.query_max_length},
        "doc": {"file": df, "maxLength": args.doc_max_length},
        "pooling": args.pooling,
        "similarity": args.similarity,
    }
    write_manifest(out, manifest, files, args.source)
    write_samples(out, wp, args.query_max_length, args.doc_max_length, lambda i, m: query(i, m), lambda i, m: doc(i, m), None)
    print(f"{out}: biencoder, {cfg.kind} {cfg.num_hidden_layers}x{cfg.hidden_size}, {args.pooling} pooling, {'shared' if shared else 'separate'} encoder")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", nargs="?", choices=["hypencoder", "biencoder"])
    ap.add_argument("source", nargs="?", help="checkpoint folder or Hub id")
    ap.add_argument("--out", required=True, help="package folder to write (for --self-test: a folder for checkpoints and packages)")
    ap.add_argument("--name", help="model name in model.json (default: the checkpoint's folder name)")
    ap.add_argument("--pooling", choices=["cls", "mean"], default="cls", help="bi-encoders: Contriever mean, TAS-B/RetroMAE/BE-base cls")
    ap.add_argument("--similarity", choices=["ip", "cos"], default="ip")
    ap.add_argument("--query-max-length", type=int, default=64, help="the reference retrieves with 64-token queries")
    ap.add_argument("--doc-max-length", type=int, default=512)
    ap.add_argument("--heads", type=int, help="attention heads when config.json does not say (default hidden/64)")
    ap.add_argument("--no-transformers-check", action="store_true")
    ap.add_argument("--self-test", action="store_true", help="convert tiny random checkpoints with the real names (needs torch only)")
    args = ap.parse_args()
    torch.manual_seed(0)
    if args.self_test:
        from hf_selftest import self_test

        self_test(args.out)
        return
    if not args.kind or not args.source:
        ap.error("give KIND and SOURCE, or --self-test")
    folder = resolve_checkpoint(args.source)
    (export_hypencoder if args.kind == "hypencoder" else export_biencoder)(folder, args.out, args)


if __name__ == "__main__":
    main()
