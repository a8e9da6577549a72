"""q-net baselines for `npm run bench:qnet`: the same math as the workbench's ONNX q-net, timed in
numpy (+OpenBLAS) and in PyTorch the way the reference scores documents
(hypencoder_cb/modeling/q_net.py: NoTorchDenseBlock clones its input, NoTorchLinear is
torch.einsum("qin,qnh->qih") with the query's weights, F.layer_norm without affine parameters;
retrieve.py feeds 100,000 documents per call by default).

Usage: python3 qnet_baselines.py CONFIG.json [numpy|torch]
CONFIG names the raw float32 files the bench wrote (docs [nDocs, d0], weights W_j [d_j, d_{j+1}],
biases b_j [d_{j+1}]), the q-net configuration, thread count, chunk sizes and repetitions.
Prints one JSON object per line: {"impl", "chunk", "threads", "seconds": [...], ...}, a "scores"
line with the first scores for the bench's cross-check, or {"skip": impl, "reason"} for a
library that is missing.
"""

import json
import sys
import time


def emit(obj):
    print(json.dumps(obj), flush=True)


def load(cfg, np):
    dims = cfg["dims"]
    docs = np.fromfile(cfg["docsFile"], dtype=np.float32).reshape(cfg["nDocs"], dims[0])
    weights = [
        np.fromfile(f, dtype=np.float32).reshape(dims[j], dims[j + 1]) for j, f in enumerate(cfg["weightFiles"])
    ]
    biases = [np.fromfile(f, dtype=np.float32) for f in cfg["biasFiles"]]
    return docs, weights, biases


def has_residual(cfg, j):
    last_core = len(cfg["dims"]) - 3
    c = cfg["config"]
    return c["residual"] and not (j == last_core and not c["residualOnLast"])


def time_passes(score_chunk, n_docs, chunk, reps):
    """Best-of and all wall times for full passes over the documents, after one warm-up chunk."""
    score_chunk(0, min(chunk, n_docs))
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        for lo in range(0, n_docs, chunk):
            score_chunk(lo, min(lo + chunk, n_docs))
        seconds.append(time.perf_counter() - start)
    return seconds


def run_numpy(cfg, np):
    docs, weights, biases = load(cfg, np)
    c = cfg["config"]
    eps = c["lnEps"]
    if c["activation"] != "relu":
        emit({"skip": "numpy", "reason": "the numpy baseline implements relu only"})
        return

    def layer_norm(y):
        mean = y.mean(axis=-1, keepdims=True)
        y -= mean
        var = np.mean(y * y, axis=-1, keepdims=True)
        y /= np.sqrt(var + eps)
        return y

    def score(x):
        for j in range(len(weights) - 1):
            y = x @ weights[j]
            y += biases[j]
            np.maximum(y, 0, out=y)
            if c["layerNorm"] and c["layerNormBeforeResidual"]:
                y = layer_norm(y)
            if has_residual(cfg, j):
                y += x
            if c["layerNorm"] and not c["layerNormBeforeResidual"]:
                y = layer_norm(y)
            x = y
        return (x @ weights[-1])[:, 0]

    for chunk in cfg["chunks"]:
        seconds = time_passes(lambda lo, hi: score(docs[lo:hi]), cfg["nDocs"], chunk, cfg["reps"])
        emit({"impl": "numpy", "chunk": chunk, "threads": cfg["threads"], "seconds": seconds})


def run_torch(cfg, np):
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as err:
        emit({"skip": "torch", "reason": f"PyTorch is not installed ({err}); apt-get install python3-torch"})
        return
    torch.set_num_threads(cfg["threads"])
    docs_np, weights_np, biases_np = load(cfg, np)
    docs = torch.from_numpy(docs_np)
    # The reference's shapes: weights (num_queries, in, out), biases viewed as (num_queries, 1, out).
    weights = [torch.from_numpy(w).unsqueeze(0) for w in weights_np]
    biases = [torch.from_numpy(b).view(1, 1, -1) for b in biases_np]
    c = cfg["config"]
    activation = {
        "relu": torch.nn.ReLU(),
        "tanh": torch.nn.Tanh(),
        "sigmoid": torch.nn.Sigmoid(),
        "gelu": torch.nn.GELU(),
        "leaky_relu": torch.nn.LeakyReLU(),
    }[c["activation"]]

    def score(items):
        x = items.unsqueeze(0)
        for j in range(len(weights) - 1):
            y = x.clone()
            y = torch.einsum("qin,qnh->qih", y, weights[j])
            y += biases[j]
            y = activation(y)
            if c["layerNorm"] and c["layerNormBeforeResidual"]:
                y = F.layer_norm(y, (y.size(-1),), eps=c["lnEps"])
            if has_residual(cfg, j):
                y = y + x
            if c["layerNorm"] and not c["layerNormBeforeResidual"]:
                y = F.layer_norm(y, (y.size(-1),), eps=c["lnEps"])
            x = y
        return torch.einsum("qin,qnh->qih", x, weights[-1]).squeeze()

    with torch.inference_mode():
        check = cfg["checkDocs"]
        emit({"scores": "torch", "values": score(docs[:check]).tolist()})
        for chunk in cfg["chunks"]:
            seconds = time_passes(lambda lo, hi: score(docs[lo:hi]), cfg["nDocs"], chunk, cfg["reps"])
            emit({"impl": "torch-einsum", "chunk": chunk, "threads": torch.get_num_threads(), "seconds": seconds})
    emit({"versions": "torch", "torch": torch.__version__, "numpy": np.__version__})


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    try:
        import numpy as np
    except ImportError as err:
        emit({"skip": "numpy", "reason": f"numpy is not installed ({err}); apt-get install python3-numpy"})
        emit({"skip": "torch", "reason": "needs numpy to load the bench's documents"})
        return
    # One implementation per process, so one library's idle BLAS threads never compete with the other's.
    which = sys.argv[2:] or ["numpy", "torch"]
    if "numpy" in which:
        run_numpy(cfg, np)
    if "torch" in which:
        run_torch(cfg, np)


if __name__ == "__main__":
    main()
