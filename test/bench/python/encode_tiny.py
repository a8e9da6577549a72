"""The tiny BERT-like document encoder of test/fixtures/models/tiny-bert.ts, in PyTorch, over the same weights.

Usage: encode_tiny.py DIR THREADS REPS
DIR holds config.json (model shape, weight dims, token batches), weights/<name>.npy, tokens.bin (int64 token ids
and masks of every batch, as the workbench tokenised them) and ort.bin (the workbench's embeddings, float32, in
batch order). Prints one JSON line: documents per second of the forward passes (best of REPS) and the largest
absolute difference from the workbench's embeddings.
"""

import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def main() -> None:
    folder, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    cfg = json.load(open(f"{folder}/config.json"))
    w = {
        name: torch.from_numpy(np.load(f"{folder}/weights/{name}.npy").reshape(dims))
        for name, dims in cfg["weights"].items()
    }
    hidden, heads, layers = cfg["hidden"], cfg["heads"], cfg["layers"]
    head_dim = hidden // heads

    def norm(x, name):
        return F.layer_norm(x, (hidden,), w[f"{name}.gamma"], w[f"{name}.beta"], 1e-12)

    def linear(x, name):
        return x @ w[f"{name}.weight"] + w[f"{name}.bias"]

    def forward(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length = ids.shape
        x = w["embeddings.word"][ids] + w["embeddings.position"][:length] + w["embeddings.token_type"]
        x = norm(x, "embeddings.ln")
        additive = (1.0 - mask.to(torch.float32))[:, None, None, :] * -10000.0
        for layer in range(layers):
            def split(t):
                return t.view(batch, length, heads, head_dim).transpose(1, 2)

            q = split(linear(x, f"layer{layer}.q"))
            k = split(linear(x, f"layer{layer}.k"))
            v = split(linear(x, f"layer{layer}.v"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + additive
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, hidden)
            x = norm(linear(context, f"layer{layer}.o") + x, f"layer{layer}.ln1")
            ffn = linear(F.gelu(linear(x, f"layer{layer}.ffn1")), f"layer{layer}.ffn2")
            x = norm(ffn + x, f"layer{layer}.ln2")
        if cfg["pooling"] == "cls":
            return x[:, 0]
        m = mask.to(torch.float32)[:, :, None]
        return (x * m).sum(1) / m.sum(1)

    tokens = np.fromfile(f"{folder}/tokens.bin", dtype=np.int64)
    batches = []
    for b in cfg["batches"]:
        size = b["batchSize"] * b["length"]
        ids = torch.from_numpy(tokens[b["offset"] : b["offset"] + size].reshape(b["batchSize"], b["length"]).copy())
        mask = torch.from_numpy(
            tokens[b["offset"] + size : b["offset"] + 2 * size].reshape(b["batchSize"], b["length"]).copy()
        )
        batches.append((ids, mask))
    docs = sum(ids.shape[0] for ids, _ in batches)

    with torch.inference_mode():
        for ids, mask in batches[:3]:
            forward(ids, mask)
        best = math.inf
        outputs = []
        for rep in range(reps):
            start = time.perf_counter()
            out = [forward(ids, mask) for ids, mask in batches]
            best = min(best, time.perf_counter() - start)
            if rep == 0:
                outputs = out
    ours = torch.cat(outputs).numpy()
    theirs = np.fromfile(f"{folder}/ort.bin", dtype=np.float32).reshape(ours.shape)
    print(
        json.dumps(
            {
                "docsPerSecond": docs / best,
                "seconds": best,
                "maxAbsDiff": float(np.abs(ours - theirs).max()),
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
