"""export_hf.py against Hugging Face `transformers` itself, with randomly initialised tiny BERT checkpoints.

    python3 native-models/transformers_check.py --out /tmp/export-hf-transformers

Where --self-test writes checkpoints under names this project spells out, this script lets `transformers`
make them: `BertModel(BertConfig(...))` saved with `save_pretrained` (a bare encoder, as Contriever ships) and a
HypencoderDualEncoder checkpoint (model.safetensors) whose `query_encoder.transformer.*` and
`passage_encoder.transformer.*` are that BertModel's own state dict. Both go through export_hf.py with its
transformers comparison on, and then, independently of the exporter's PyTorch modules:
- token ids: transformers' BertTokenizerFast on vocab.txt against the ids the package's tokenizer gave;
- embeddings: transformers' BertModel (CLS or mean pooled) against onnxruntime running the exported graphs;
- q-net parameters: onnxruntime's query.onnx against the exporter's PyTorch head;
- with CUDA present, transformers' BertModel on the GPU against the CPU result.
Needs torch, transformers, safetensors, onnxruntime. Exits non-zero when any difference exceeds its tolerance.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from export_hf import SAMPLE_DOCS, SAMPLE_QUERIES, export_biencoder, export_hypencoder  # noqa: E402
from hf_selftest import hypencoder_head_keys, random_state  # noqa: E402
from modeling import BackboneConfig, HypencoderQueryEncoder, QnetConfig, make_backbone  # noqa: E402

TOL = 1e-4
failures = []


def check(label: str, diff: float, tol: float = TOL) -> None:
    status = "ok" if diff <= tol else "FAIL"
    print(f"  {label}: max |diff| {diff:.2e} (tolerance {tol:.0e}) {status}")
    if diff > tol:
        failures.append(label)


def write_vocab(folder: str) -> None:
    words = sorted({w for t in SAMPLE_QUERIES + SAMPLE_DOCS for w in t.lower().replace(".", " .").replace(",", " ,").split()})
    pieces = ["##s", "##ed", "##ing", "##er", "##ly"]
    vocab = ["[PAD]"] + [f"[unused{i}]" for i in range(3)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "?", "'"] + pieces + words
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")


def vocab_size(folder: str) -> int:
    with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
        return sum(1 for _ in f)


def load_hf_tokenizer(transformers, folder: str):
    """transformers' own BERT tokenizer for vocab.txt, through AutoTokenizer as users load checkpoints."""
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 512}, f)
    return transformers.AutoTokenizer.from_pretrained(folder)


def make_bert(transformers, vocab_size: int) -> torch.nn.Module:
    cfg = transformers.BertConfig(
        vocab_size=vocab_size, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, max_position_embeddings=512
    )
    torch.manual_seed(11)
    return transformers.BertModel(cfg).eval()


def pooled(model, ids: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    with torch.no_grad():
        h = model(input_ids=ids, attention_mask=mask).last_hidden_state
    if pooling == "cls":
        return h[:, 0]
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1)


def hf_batch(tokenizer, texts, max_len: int):
    enc = tokenizer(texts, truncation=True, max_length=max_len, padding=True, return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


def check_tokens(tokenizer, texts, package_ids, max_len: int, label: str) -> None:
    ref = [tokenizer(t, truncation=True, max_length=max_len)["input_ids"] for t in texts]
    bad = [i for i, (a, b) in enumerate(zip(ref, package_ids)) if list(a) != list(b)]
    print(f"  {label} token ids vs transformers' tokenizer: {len(texts) - len(bad)}/{len(texts)} identical")
    if bad:
        failures.append(f"{label} token ids (texts {bad})")


def ort_run(path: str, ids: torch.Tensor, mask: torch.Tensor):
    import onnxruntime as ort  # type: ignore

    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(None, {"input_ids": ids.numpy().astype(np.int64), "attention_mask": mask.numpy().astype(np.int64)})


def gpu_check(bert, ids, mask, pooling: str, cpu: torch.Tensor, label: str) -> None:
    if not torch.cuda.is_available():
        print(f"  {label}: no CUDA device, GPU comparison not run")
        return
    gpu = bert.to("cuda")
    got = pooled(gpu, ids.to("cuda"), mask.to("cuda"), pooling).float().cpu()
    bert.to("cpu")
    check(f"{label} transformers on {torch.cuda.get_device_name(0)} vs CPU", (got - cpu).abs().max().item(), 1e-3)


def check_package(out: str, tok, bert, pooling: str, label: str) -> None:
    """Token ids against transformers' tokenizer; the doc graph's embeddings against transformers' BertModel, on CPU and GPU."""
    samples = json.load(open(os.path.join(out, "samples.json")))
    check_tokens(tok, SAMPLE_QUERIES, samples["queryTokenIds"], 16, "queries")
    check_tokens(tok, SAMPLE_DOCS, samples["docTokenIds"], 48, "documents")
    ids, mask = hf_batch(tok, SAMPLE_DOCS, 48)
    ref = pooled(bert, ids, mask, pooling)
    (emb,) = ort_run(os.path.join(out, json.load(open(os.path.join(out, "model.json")))["doc"]["file"]), ids, mask)
    check(f"{label}: onnxruntime vs transformers", float(np.abs(emb - ref.numpy()).max()))
    gpu_check(bert, ids, mask, pooling, ref, label)


def biencoder_case(transformers, root: str) -> None:
    from safetensors.torch import save_file  # type: ignore  # noqa: F401  (save_pretrained writes safetensors)

    print("bi-encoder: transformers BertModel saved with save_pretrained, mean pooling")
    ckpt = os.path.join(root, "checkpoints", "bert-tiny-random")
    os.makedirs(ckpt, exist_ok=True)
    write_vocab(ckpt)
    bert = make_bert(transformers, vocab_size(ckpt))
    bert.save_pretrained(ckpt)
    tok = load_hf_tokenizer(transformers, ckpt)
    tok.save_pretrained(ckpt)  # tokenizer.json: the exporter reads it as shipped
    out = os.path.join(root, "packages", "bert-tiny-random")
    args = argparse.Namespace(source=ckpt, name="transformers-bert-tiny-random", heads=None, query_max_length=16, doc_max_length=48, pooling="mean", similarity="ip", no_transformers_check=False)
    export_biencoder(ckpt, out, args)
    check_package(out, tok, bert, "mean", "document embeddings")


def hypencoder_case(transformers, root: str) -> None:
    from safetensors.torch import save_file  # type: ignore

    print("Hypencoder: HypencoderDualEncoder checkpoint around a transformers BertModel, CLS passage pooling")
    ckpt = os.path.join(root, "checkpoints", "hypencoder-tiny-random")
    os.makedirs(ckpt, exist_ok=True)
    write_vocab(ckpt)
    tok = load_hf_tokenizer(transformers, ckpt)  # only vocab.txt: the exporter builds tokenizer.json from it
    bert = make_bert(transformers, vocab_size(ckpt))
    dims = [64, 64, 64, 1]
    backbone_cfg = BackboneConfig(kind="bert", vocab_size=vocab_size(ckpt), hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, max_position_embeddings=512)
    head = HypencoderQueryEncoder(make_backbone(backbone_cfg), 64, QnetConfig(dims=dims))
    head_shapes = {f"query_encoder.{k}": tuple(v.shape) for k, v in head.state_dict().items() if not k.startswith("transformer.")}
    state = {}
    for k, v in bert.state_dict().items():
        state[f"query_encoder.transformer.{k}"] = v.clone().contiguous()
        state[f"passage_encoder.transformer.{k}"] = v.clone().contiguous()
    state.update(random_state(hypencoder_head_keys(len(dims) - 1, len(dims) - 2), head_shapes, torch.Generator().manual_seed(5)))
    save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(ckpt, "model.safetensors"))
    config = {
        "architectures": ["HypencoderDualEncoder"],
        "query_encoder_kwargs": {"model_name_or_path": "transformers-bert-tiny-random", "converter_kwargs": {"vector_dimensions": dims, "activation_type": "relu", "do_residual_on_last": False}},
        "passage_encoder_kwargs": {"model_name_or_path": "transformers-bert-tiny-random", "pooling_type": "cls"},
        "shared_encoder": True,
    }
    with open(os.path.join(ckpt, "config.json"), "w") as f:
        json.dump(config, f)
    out = os.path.join(root, "packages", "hypencoder-tiny-random")
    args = argparse.Namespace(source=ckpt, name="transformers-hypencoder-tiny-random", heads=4, query_max_length=16, doc_max_length=48, no_transformers_check=False)
    export_hypencoder(ckpt, out, args)
    check_package(out, tok, bert, "cls", "passage embeddings (CLS)")
    skip = ("position_ids", "token_type_ids")
    head.load_state_dict({k[len("query_encoder.") :]: v for k, v in state.items() if k.startswith("query_encoder.") and not any(s in k for s in skip)})
    head.eval()
    qids, qmask = hf_batch(tok, SAMPLE_QUERIES, 16)
    with torch.no_grad():
        weights, biases = head(qids, qmask)
    got = ort_run(os.path.join(out, "query.onnx"), qids, qmask)
    ref_params = [w.numpy() for w in weights] + [b.numpy() for b in biases]
    check("q-net parameters: onnxruntime query.onnx vs PyTorch head", max(float(np.abs(g - r.reshape(g.shape)).max()) for g, r in zip(got, ref_params)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder for the checkpoints and the packages")
    args = ap.parse_args()
    try:
        import transformers  # type: ignore
    except ImportError:
        sys.exit("this check needs transformers (pip install transformers)")
    import onnxruntime  # type: ignore

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, onnxruntime {onnxruntime.__version__} ({', '.join(onnxruntime.get_available_providers())})")
    biencoder_case(transformers, args.out)
    hypencoder_case(transformers, args.out)
    if failures:
        sys.exit(f"FAILED: {', '.join(failures)}")
    print("all checks passed")


if __name__ == "__main__":
    main()
