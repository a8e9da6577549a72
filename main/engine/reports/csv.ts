import type { ReportModel } from './model.ts';

/**
 * CSV tables (RFC 4180): one row per run × measure with the settings behind each value and its comparison
 * with the baseline; one row per run × query × measure; one row per latency profile × stage. Numbers are
 * the stored doubles in their shortest round-trip form, so a spreadsheet reads back exactly what was stored.
 */

type Value = string | number | boolean | null | undefined;

export function csvField(v: Value): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(header: readonly string[], rows: readonly Value[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function metricsCsv(m: ReportModel): string {
  const rows: Value[][] = [];
  for (const r of m.runs) {
    const group =
      m.effectiveness.find((g) => g.dataset === (r.dataset ?? '(no dataset)') && g.querySet === r.querySet) ??
      m.effectiveness.find((g) => g.rows.some((x) => x.run === r.name));
    const row = group?.rows.find((x) => x.run === r.name);
    for (const x of r.metrics) {
      const i = group?.measures.indexOf(x.measure) ?? -1;
      const cell = row && i >= 0 ? row.cells[i] : undefined;
      const s = x.settings;
      rows.push([
        r.name,
        r.dataset,
        r.system,
        r.point,
        r.querySet,
        x.measure,
        x.value,
        s.relevanceLevel,
        s.relevanceLevelApplies !== false,
        s.cutoff,
        s.depth,
        s.averaging,
        s.judgedOnly,
        s.scorePrecision ?? null,
        s.numQ ?? null,
        s.qrelsHash,
        group?.baseline ?? null,
        cell?.pValue ?? null,
        cell?.mark ?? null,
      ]);
    }
  }
  return csv(
    [
      'run',
      'dataset',
      'system',
      'point',
      'query_set',
      'measure',
      'value',
      'relevance_level',
      'relevance_level_applies',
      'cutoff',
      'depth',
      'averaging',
      'judged_only',
      'score_precision',
      'num_q',
      'qrels_sha256',
      'baseline',
      `p_${m.significance.test}_${m.significance.correction}`,
      `significance_alpha_${m.significance.alpha}`,
    ],
    rows,
  );
}

export function perQueryCsv(m: ReportModel): string {
  return csv(
    ['run', 'query_id', 'measure', 'value', 'relevance_level', 'cutoff', 'depth', 'qrels_sha256'],
    m.perQuery.map((q) => [
      q.run,
      q.queryId,
      q.measure,
      q.value,
      q.settings.relevanceLevel,
      q.settings.cutoff,
      q.settings.depth,
      q.settings.qrelsHash,
    ]),
  );
}

export function latencyCsv(m: ReportModel): string {
  const rows: Value[][] = [];
  for (const r of m.runs) {
    if (r.searchLatency) {
      const l = r.searchLatency;
      rows.push([
        r.name,
        'search-run',
        null,
        null,
        r.environment.provider as string,
        'search',
        r.queries,
        l.mean,
        l.p50,
        l.p95,
        l.p99,
        null,
        null,
        null,
      ]);
    }
    for (const p of r.profiles)
      for (const [stage, s] of Object.entries(p.summary.stages))
        rows.push([
          r.name,
          `profile-${p.settings.unit}`,
          p.settings.batchSize,
          p.settings.threads,
          p.settings.provider,
          stage,
          s.n,
          s.mean,
          s.p50,
          s.p95,
          s.p99,
          s.min,
          s.max,
          p.summary.qps,
        ]);
  }
  return csv(
    [
      'run',
      'source',
      'batch_size',
      'threads',
      'provider',
      'stage',
      'n',
      'mean_ms',
      'p50_ms',
      'p95_ms',
      'p99_ms',
      'min_ms',
      'max_ms',
      'qps',
    ],
    rows,
  );
}
