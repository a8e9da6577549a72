"""q-net baselines for `npm run bench:qnet`: the same math as the workbench's ONNX q-net, timed in
numpy (+OpenBLAS) or in PyTorch the way the reference scores documents
(hypencoder_cb/modeling/q_net.py: NoTorchDenseBlock clones its input, NoTorchLinear is
torch.einsum("qin,qnh->qih") with the query's weights, F.layer_norm without affine parameters;
retrieve.py feeds 100,000 documents per call by default).

Usage: python3 qnet_baselines.py CONFIG.json numpy|torch
CONFIG names the raw float32 files the bench wrote (docs [nDocs, d0], weights W_j [d_j, d_{j+1}],
biases b_j [d_{j+1}]) and the q-net configuration. The process then serves the bench, one JSON
command per stdin line, so that the bench can interleave its measurements with these:
  {"pass": CHUNK}    one timed pass over all documents, CHUNK documents per call -> {"seconds": s}
  {"scores": N}      the first N scores -> {"values": [...]}
The first line printed is {"ready": impl, "threads": n, "versions": {...}}, or {"skip": impl,
"reason": ...} when the library is missing.
"""

import json
import sys
import time


def emit(obj):
    print(json.dumps(obj), flush=True)


def has_residual(cfg, j):
    last_core = len(cfg["dims"]) - 3
    c = cfg["config"]
    return c["residual"] and not (j == last_core and not c["residualOnLast"])


def load(cfg, np):
    dims = cfg["dims"]
    docs = np.fromfile(cfg["docsFile"], dtype=np.float32).reshape(cfg["nDocs"], dims[0])
    weights = [
        np.fromfile(f, dtype=np.float32).reshape(dims[j], dims[j + 1]) for j, f in enumerate(cfg["weightFiles"])
    ]
    biases = [np.fromfile(f, dtype=np.float32) for f in cfg["biasFiles"]]
    return docs, weights, biases


def numpy_scorer(cfg, np):
    docs, weights, biases = load(cfg, np)
    c = cfg["config"]
    eps = c["lnEps"]
    if c["activation"] != "relu":
        raise RuntimeError("the numpy baseline implements relu only")

    def layer_norm(y):
        y -= y.mean(axis=-1, keepdims=True)
        y /= np.sqrt(np.mean(y * y, axis=-1, keepdims=True) + eps)
        return y

    def score(lo, hi):
        x = docs[lo:hi]
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

    return score, {"numpy": np.__version__}, cfg["threads"]


def torch_scorer(cfg, np):
    import torch
    import torch.nn.functional as F

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

    def score(lo, hi):
        with torch.inference_mode():
            x = docs[lo:hi].unsqueeze(0)
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
            return torch.einsum("qin,qnh->qih", x, weights[-1]).reshape(-1).numpy()

    return score, {"torch": torch.__version__, "numpy": np.__version__}, torch.get_num_threads()


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    impl = sys.argv[2]
    try:
        import numpy as np

        score, versions, threads = (numpy_scorer if impl == "numpy" else torch_scorer)(cfg, np)
    except ImportError as err:
        package = "python3-numpy" if "numpy" in str(err) else "python3-torch"
        emit({"skip": impl, "reason": f"{err}; install with apt-get install {package} libopenblas0-pthread"})
        return
    except RuntimeError as err:
        emit({"skip": impl, "reason": str(err)})
        return
    n_docs = cfg["nDocs"]
    score(0, min(n_docs, 1024))  # warm-up: thread pools, first allocations
    emit({"ready": impl, "threads": threads, "versions": versions})
    for line in sys.stdin:
        command = json.loads(line)
        if "pass" in command:
            chunk = command["pass"]
            start = time.perf_counter()
            for lo in range(0, n_docs, chunk):
                score(lo, min(lo + chunk, n_docs))
            emit({"seconds": time.perf_counter() - start})
        elif "scores" in command:
            emit({"values": [float(v) for v in score(0, command["scores"])]})


if __name__ == "__main__":
    main()
