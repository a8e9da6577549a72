"""Exports the trained demo models as workbench model packages (main/engine/models/README.md).

    python3 native-models/export.py --build native-models/build --out native-models/packages

For each of `biencoder.pt` and `hypencoder.pt` in --build: the ONNX graphs (opset 17, dynamic batch and
sequence axes, inputs input_ids/attention_mask int64), tokenizer.json, model.json with the sha256 of every
file, training.json (recipe, dev history, wall time) and samples.json: PyTorch's token ids and outputs for
fixed texts, which test/integration/demo-models.test.ts compares with onnxruntime through the engine.
"""

import argparse
import datetime
import json
import os
import shutil
from typing import Dict, List

import torch

import train as T
from modeling import QueryQnetExport, TextEncoder, qnet_output_names, qnet_scores
from package_files import sha256_file
from share_weights import share as share_weights
from wordpiece import batch_ids, load_tokenizer_json

EXPORTER = "native-models/export.py 1.0"
OPSET = 17

PACKAGES = {
    "biencoder": "wordnet-tiny-biencoder",
    "hypencoder": "wordnet-tiny-hypencoder",
}

# Fixed sample texts: hand-written definitions and cards, plus one long enough to reach maxLength.
SAMPLE_QUERIES = [
    "a domesticated carnivorous mammal that barks",
    "move fast by using one's feet, with one foot off the ground at any given time",
    "a large body of salt water",
    "feeling or showing pleasure",
    " ".join(["an extremely long description of something that keeps going"] * 8),
]
SAMPLE_DOCS = [
    "dog, domestic dog, Canis familiaris noun. kind of: canine, canid. examples: the dog barked all night.",
    "run verb. kind of: travel rapidly, speed, hurry, zip. examples: Don't run--you'll be out of breath.",
    "ocean noun. kind of: body of water, water.",
    "happy adjective. examples: a happy smile | spent many happy days on the beach.",
    "cat, true cat noun. kind of: feline, felid.",
    " ".join(["card with many repeated words to exercise every position embedding"] * 10),
]


def export_graph(module: torch.nn.Module, path: str, outputs: List[str], example_len: int = 7) -> None:
    module.eval()
    ids = torch.randint(5, 100, (2, example_len), dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, -2:] = 0
    axes = {"input_ids": {0: "batch", 1: "length"}, "attention_mask": {0: "batch", 1: "length"}}
    for name in outputs:
        axes[name] = {0: "batch"}
    torch.onnx.export(
        module,
        (ids, mask),
        path,
        input_names=["input_ids", "attention_mask"],
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=OPSET,
        do_constant_folding=True,
    )


def tolist(t: torch.Tensor) -> List:
    return [round(float(x), 7) for x in t.reshape(-1).tolist()]


@torch.no_grad()
def samples(kind: str, model, wp, max_q: int, max_d: int) -> Dict:
    q_tokens = [wp.encode(t, max_q) for t in SAMPLE_QUERIES]
    d_tokens = [wp.encode(t, max_d) for t in SAMPLE_DOCS]
    qi, qm = batch_ids(q_tokens, wp.pad_id)
    di, dm = batch_ids(d_tokens, wp.pad_id)
    docs = model.passage_encoder(di, dm)
    out = {
        "queries": SAMPLE_QUERIES,
        "docs": SAMPLE_DOCS,
        "queryTokenIds": q_tokens,
        "docTokenIds": d_tokens,
        "docEmbeddings": [tolist(r) for r in docs],
    }
    if kind == "hypencoder":
        w, b = model.query_encoder(qi, qm)
        out["scores"] = [tolist(r) for r in qnet_scores(model.query_encoder.qnet, w, b, docs)]
        out["qnetHead"] = {name: tolist(t[:, :2].reshape(t.shape[0], -1)[:, :8]) for name, t in zip(qnet_output_names(model.query_encoder.qnet), w + b)}
    else:
        q = model.query_encoder(qi, qm)
        out["queryEmbeddings"] = [tolist(r) for r in q]
        out["scores"] = [tolist(r) for r in q @ docs.T]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="folder with tokenizer.json, *.pt and *.train.json from train.py")
    ap.add_argument("--out", required=True, help="packages folder (one sub-folder per model)")
    ap.add_argument("--kinds", default="biencoder,hypencoder")
    args = ap.parse_args()
    torch.set_num_threads(T.RECIPE["threads"])
    tok_path = os.path.join(args.build, "tokenizer.json")
    wp = load_tokenizer_json(tok_path)
    vocab = len(wp.vocab)
    max_q, max_d = T.RECIPE["max_query_length"], T.RECIPE["max_doc_length"]
    for kind in args.kinds.split(","):
        name = PACKAGES[kind]
        out = os.path.join(args.out, name)
        os.makedirs(out, exist_ok=True)
        model = T.build_model(kind, vocab, T.RECIPE["seed"])
        model.load_state_dict(torch.load(os.path.join(args.build, f"{kind}.pt")))
        model.eval()
        shutil.copyfile(tok_path, os.path.join(out, "tokenizer.json"))
        d = T.RECIPE["backbone"]["hidden_size"]
        backbone = f"tiny BERT trained from scratch: {T.RECIPE['backbone']['num_hidden_layers']} layer(s), d={d}, {T.RECIPE['backbone']['num_attention_heads']} heads, FFN {T.RECIPE['backbone']['intermediate_size']}, WordPiece {vocab}"
        manifest = {
            "formatVersion": 1,
            "kind": kind,
            "name": name,
            "description": f"Demo {kind} trained on the WordNet 3.1 concept-search train split (native-models/README.md)",
            "backbone": backbone,
            "embeddingDim": d,
        }
        if kind == "biencoder":
            export_graph(model.query_encoder, os.path.join(out, "encoder.onnx"), ["embedding"])
            files = ["encoder.onnx", "tokenizer.json"]
            manifest.update({"query": {"file": "encoder.onnx", "maxLength": max_q}, "doc": {"file": "encoder.onnx", "maxLength": max_d}})
            manifest.update({"pooling": T.RECIPE["pooling"], "similarity": "ip"})
        else:
            qnet = model.query_encoder.qnet
            export_graph(QueryQnetExport(model.query_encoder), os.path.join(out, "query.onnx"), qnet_output_names(qnet))
            export_graph(TextEncoder(model.query_encoder.transformer, T.RECIPE["pooling"]), os.path.join(out, "doc.onnx"), ["embedding"])
            files = ["query.onnx", "doc.onnx", "tokenizer.json"]
            manifest.update({"query": {"file": "query.onnx", "maxLength": max_q}, "doc": {"file": "doc.onnx", "maxLength": max_d}})
            manifest.update({"pooling": T.RECIPE["pooling"]})
            manifest["qnet"] = {
                "dims": qnet.dims,
                "activation": qnet.activation,
                "layerNorm": qnet.layerNorm,
                "residual": qnet.residual,
                "residualOnLast": qnet.residualOnLast,
                "layerNormBeforeResidual": qnet.layerNormBeforeResidual,
                "lnEps": qnet.lnEps,
            }
        manifest["provenance"] = {
            "source": f"native-models/train.py ({kind}, seed {T.RECIPE['seed']})",
            "exporter": EXPORTER,
            "createdAt": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "files": {f: sha256_file(os.path.join(out, f)) for f in files},
        }
        with open(os.path.join(out, "model.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        with open(os.path.join(out, "samples.json"), "w") as f:
            json.dump(samples(kind, model, wp, max_q, max_d), f)
            f.write("\n")
        training = {"package": name, "parameters": sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())}
        notes = os.path.join(args.build, f"{kind}.notes.md")
        if os.path.exists(notes):  # the tuning history on dev, for the model card
            with open(notes) as f:
                training["notes"] = f.read().strip()
        for stage in ("embeddings", kind):
            with open(os.path.join(args.build, f"{stage}.train.json")) as f:
                training["stage1" if stage == "embeddings" else "stage2"] = json.load(f)
        with open(os.path.join(out, "training.json"), "w") as f:
            json.dump(training, f, indent=1)
            f.write("\n")
        if kind == "hypencoder":
            share_weights(out, 1024)  # the shared backbone once, in weights.bin, for both graphs
            with open(os.path.join(out, "model.json")) as f:
                files = list(json.load(f)["provenance"]["files"])
        sizes = {f: os.path.getsize(os.path.join(out, f)) for f in files}
        print(f"{name}: {sizes}")


if __name__ == "__main__":
    main()
