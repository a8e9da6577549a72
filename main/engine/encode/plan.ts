/**
 * The batch plan of a corpus encode: corpus positions are cut into windows of `sortWindow` documents and
 * each window into ⌈window / batchSize⌉ batches, numbered globally. It depends on the corpus size and the
 * settings only, so a resumed encode numbers its batches exactly as the interrupted one did.
 */
export interface BatchPlan {
  size: number;
  batchSize: number;
  sortWindow: number;
  batchesPerWindow: number;
  totalBatches: number;
}

export function batchPlan(size: number, batchSize: number, sortWindow: number): BatchPlan {
  const batchesPerWindow = Math.ceil(sortWindow / batchSize);
  const fullWindows = Math.floor(size / sortWindow);
  const rest = size - fullWindows * sortWindow;
  return {
    size,
    batchSize,
    sortWindow,
    batchesPerWindow,
    totalBatches: fullWindows * batchesPerWindow + Math.ceil(rest / batchSize),
  };
}

/** Documents in batch `b`. */
export function batchSizeAt(plan: BatchPlan, b: number): number {
  const w = Math.floor(b / plan.batchesPerWindow);
  const k = b - w * plan.batchesPerWindow;
  const windowSize = Math.min(plan.sortWindow, plan.size - w * plan.sortWindow);
  return Math.max(0, Math.min(plan.batchSize, windowSize - k * plan.batchSize));
}
