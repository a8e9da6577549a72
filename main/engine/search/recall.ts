/**
 * recall@k of an approximate search against exact search on the same queries: the mean over queries of
 * |approximate top-k ∩ exact top-k| / |exact top-k| — the figure ANN benchmarks (and Faiss users) quote.
 */
export function recallAtK(
  approximate: readonly { docs: Int32Array }[],
  exact: readonly { docs: Int32Array }[],
  k: number,
): number {
  if (approximate.length !== exact.length)
    throw new Error(`recall over ${approximate.length} approximate and ${exact.length} exact results`);
  if (exact.length === 0) return 1;
  let sum = 0;
  for (let q = 0; q < exact.length; q++) sum += queryRecall(approximate[q].docs, exact[q].docs, k);
  return sum / exact.length;
}

/** One query's recall@k; 1 when exact search returned nothing. */
export function queryRecall(approximate: Int32Array, exact: Int32Array, k: number): number {
  const want = new Set(exact.subarray(0, k));
  if (want.size === 0) return 1;
  let hit = 0;
  const got = approximate.subarray(0, k);
  for (let i = 0; i < got.length; i++) if (want.has(got[i])) hit++;
  return hit / want.size;
}
