"""Stores the tensors that a package's graphs have in common once, as ONNX external data in weights.bin.

    python3 native-models/share_weights.py PACKAGE [--min-bytes 1024]

A Hypencoder whose query and passage encoders are one shared encoder exports two graphs that each embed the
same backbone weights (query.onnx: backbone + hypernetwork head; doc.onnx: backbone + pooling). This moves
every initializer of at least --min-bytes out of both graphs into one `weights.bin`, each distinct tensor
(same dtype, shape and bytes) written once at a 64-byte aligned offset, and points the graphs' tensors at it
(`data_location: EXTERNAL`, `location`, `offset`, `length`). model.json gets `externalData: ["weights.bin"]`
on the roles that use it and the new sha256s in provenance.files (main/engine/models/README.md).

The graphs compute exactly what they computed before: onnxruntime reads external data beside the graph
file. Needs python3-onnx (Debian) or `pip install onnx`.
"""

import argparse
import hashlib
import json
import os
import sys

import onnx
from onnx.external_data_helper import set_external_data
from package_files import sha256_file

WEIGHTS = "weights.bin"
ALIGN = 64


def share(package: str, min_bytes: int) -> None:
    manifest_path = os.path.join(package, "model.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    graphs = sorted({manifest["query"]["file"], manifest["doc"]["file"]})
    if any(manifest[role].get("externalData") for role in ("query", "doc")):
        sys.exit(f"{manifest_path}: the graphs already use external data")
    models = {g: onnx.load(os.path.join(package, g)) for g in graphs}
    offsets = {}  # (dtype, dims, sha256 of bytes) -> (offset, length)
    moved = {g: 0 for g in graphs}
    with open(os.path.join(package, WEIGHTS), "wb") as out:
        for g in graphs:
            for tensor in models[g].graph.initializer:
                raw = tensor.raw_data
                if len(raw) < min_bytes:
                    continue
                key = (tensor.data_type, tuple(tensor.dims), hashlib.sha256(raw).hexdigest())
                if key not in offsets:
                    pad = (-out.tell()) % ALIGN
                    out.write(b"\0" * pad)
                    offsets[key] = (out.tell(), len(raw))
                    out.write(raw)
                offset, length = offsets[key]
                set_external_data(tensor, WEIGHTS, offset, length)
                tensor.ClearField("raw_data")
                moved[g] += 1
        total = out.tell()
    for g, model in models.items():
        onnx.save(model, os.path.join(package, g))
        onnx.checker.check_model(os.path.join(package, g))  # external data resolved beside the file
    files = manifest["provenance"]["files"]
    for g in graphs:
        files[g] = sha256_file(os.path.join(package, g))
    files[WEIGHTS] = sha256_file(os.path.join(package, WEIGHTS))
    for role in ("query", "doc"):
        if moved[manifest[role]["file"]] > 0:
            manifest[role]["externalData"] = [WEIGHTS]
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    sizes = {f: os.path.getsize(os.path.join(package, f)) for f in files}
    print(f"{package}: {len(offsets)} distinct tensors, {total} bytes in {WEIGHTS}; moved {moved}; files {sizes}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", help="package folder (model.json, graphs, tokenizer.json)")
    ap.add_argument("--min-bytes", type=int, default=1024, help="initializers smaller than this stay inside the graph")
    args = ap.parse_args()
    share(args.package, args.min_bytes)


if __name__ == "__main__":
    main()
