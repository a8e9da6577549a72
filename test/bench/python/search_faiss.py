"""Faiss baselines for `npm run bench:search`: IndexFlatIP and IndexHNSWFlat (inner product) on the
same vectors and queries the workbench searches, timed one query per call as a Faiss user would
(index.search(q[i:i+1], k)), with recall@10 of HNSW against the flat index.

Usage: python3 search_faiss.py CONFIG.json
CONFIG: {"docs": ".npy [N, d] float32", "queries": ".npy [Q, d] float32", "k": 10, "M": 16,
"efConstruction": 200, "efSearch": [16, 32, ...], "warmup": 5, "threads": 2}
Prints one JSON line per result: {"what": "flat"|"hnsw-build"|"hnsw", ...} or {"skip": reason}; searches are
timed with 1 and with `threads` OpenMP threads (searchThreads).
"""

import json
import sys
import time


def emit(obj):
    print(json.dumps(obj), flush=True)


def percentile(sorted_ms, p):
    # Nearest rank, as the TypeScript side computes it.
    import math

    rank = min(len(sorted_ms), max(1, math.ceil(p / 100 * len(sorted_ms))))
    return sorted_ms[rank - 1]


def timed_single_queries(index, queries, k, warmup):
    for i in range(min(warmup, len(queries))):
        index.search(queries[i : i + 1], k)
    ms = []
    ids = []
    start = time.perf_counter()
    for i in range(len(queries)):
        t = time.perf_counter()
        _, labels = index.search(queries[i : i + 1], k)
        ms.append((time.perf_counter() - t) * 1000)
        ids.append(labels[0])
    total = time.perf_counter() - start
    ms.sort()
    return {
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "qps": len(queries) / total,
        "queries": len(queries),
    }, ids


def main():
    cfg = json.load(open(sys.argv[1]))
    try:
        import faiss
        import numpy as np
    except ImportError as err:
        emit({"skip": f"faiss or numpy not importable: {err}"})
        return
    faiss.omp_set_num_threads(cfg.get("threads", 2))
    docs = np.ascontiguousarray(np.load(cfg["docs"]), dtype=np.float32)
    queries = np.ascontiguousarray(np.load(cfg["queries"]), dtype=np.float32)
    k = cfg["k"]
    d = docs.shape[1]
    meta = {"faiss": faiss.__version__, "numpy": np.__version__, "threads": faiss.omp_get_max_threads()}

    # Single-query search is timed with 1 and with all OpenMP threads: on a busy 2-core machine Faiss's
    # OpenMP team can cost more than it gains, and the baseline should be Faiss at its best.
    search_threads = sorted({1, cfg.get("threads", 2)})
    flat = faiss.IndexFlatIP(d)
    flat.add(docs)
    exact = None
    for threads in search_threads:
        faiss.omp_set_num_threads(threads)
        stats, ids = timed_single_queries(flat, queries, k, cfg["warmup"])
        exact = exact or ids
        emit({"what": "flat", "searchThreads": threads, **stats, **meta})

    faiss.omp_set_num_threads(cfg.get("threads", 2))
    hnsw = faiss.IndexHNSWFlat(d, cfg["M"], faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = cfg["efConstruction"]
    t = time.perf_counter()
    hnsw.add(docs)
    emit({"what": "hnsw-build", "seconds": time.perf_counter() - t, "M": cfg["M"], "efConstruction": cfg["efConstruction"], **meta})
    for threads in search_threads:
        faiss.omp_set_num_threads(threads)
        for ef in cfg["efSearch"]:
            hnsw.hnsw.efSearch = ef
            stats, approx = timed_single_queries(hnsw, queries, k, cfg["warmup"])
            recall = sum(len(set(a[:10]) & set(e[:10])) / len(set(e[:10])) for a, e in zip(approx, exact)) / len(exact)
            emit({"what": "hnsw", "efSearch": ef, "searchThreads": threads, "recall10": recall, **stats})


if __name__ == "__main__":
    main()
