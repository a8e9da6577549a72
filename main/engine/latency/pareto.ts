/**
 * The Pareto front of effectiveness against latency (DESIGN.md §8): a point is on the front when no other
 * point is at least as effective and at least as fast, and strictly better in one of the two.
 */
export interface ParetoPoint {
  id: string;
  /** Higher is better (a metric against qrels). */
  quality: number;
  /** Lower is better (milliseconds per query). */
  latencyMs: number;
}

/** The non-dominated points, fastest first. Points with a non-finite coordinate are left out. */
export function paretoFront<T extends ParetoPoint>(points: readonly T[]): T[] {
  const usable = points.filter((p) => Number.isFinite(p.quality) && Number.isFinite(p.latencyMs));
  const sorted = [...usable].sort((a, b) => a.latencyMs - b.latencyMs || b.quality - a.quality);
  const front: T[] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const p of sorted) {
    // Sorted by latency, then quality descending: a point is dominated exactly when an earlier one
    // (no slower) reached its quality; equal points (same latency and quality) are all kept.
    const last = front[front.length - 1];
    if (p.quality > best || (last && p.quality === last.quality && p.latencyMs === last.latencyMs)) {
      front.push(p);
      best = Math.max(best, p.quality);
    }
  }
  return front;
}
