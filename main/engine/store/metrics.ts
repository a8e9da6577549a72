import type { StoreContext } from './context.ts';
import { canonicalJson } from './json.ts';
import type { MetricSettings, MetricValue } from './types.ts';

interface MetricRow {
  query_id: string | null;
  measure: string;
  value: number;
  settings: string;
}

export interface MetricFilter {
  measure?: string;
  /** true: only the aggregates; false: only per-query values. */
  aggregateOnly?: boolean;
}

/** Metric values of runs, each stored with the settings that produced it. */
export class MetricsRepository {
  private readonly upsert;
  private readonly byRun;

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.upsert = db.prepare<[number, string | null, string, number, string, string]>(
      `INSERT INTO metrics (run_id, query_id, measure, value, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, measure, settings, ifnull(query_id, '')) DO UPDATE
       SET value = excluded.value, created_at = excluded.created_at`,
    );
    this.byRun = db.prepare<[number], MetricRow>(
      'SELECT query_id, measure, value, settings FROM metrics WHERE run_id = ? ORDER BY measure, settings, query_id IS NOT NULL, query_id',
    );
  }

  /**
   * Saves per-query and aggregate values in one transaction. A value for the same run, query, measure and
   * settings replaces the earlier one; values under other settings are kept beside it.
   */
  save(runId: number, values: readonly MetricValue[]): void {
    const now = this.ctx.now();
    this.ctx.transaction(() => {
      for (const v of values) {
        this.upsert.run(runId, v.queryId, v.measure, v.value, canonicalJson(v.settings), now);
      }
    });
  }

  list(runId: number, filter: MetricFilter = {}): MetricValue[] {
    const out: MetricValue[] = [];
    for (const r of this.byRun.iterate(runId)) {
      if (filter.measure !== undefined && r.measure !== filter.measure) continue;
      if (filter.aggregateOnly === true && r.query_id !== null) continue;
      if (filter.aggregateOnly === false && r.query_id === null) continue;
      out.push({
        queryId: r.query_id,
        measure: r.measure,
        value: r.value,
        settings: JSON.parse(r.settings) as MetricSettings,
      });
    }
    return out;
  }
}
