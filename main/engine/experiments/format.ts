import { cFixed } from '../eval/index.ts';
import type { JsonObject, JsonValue, MetricSettings } from '../store/index.ts';
import type { RunsComparison } from './compare.ts';
import type { ExperimentReport } from './report.ts';
import type { RunTrace } from './trace.ts';

/** Plain-text renderings for the CLI; every number is printed next to the settings that produced it. */

const f4 = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : cFixed(x, 4);
const ms = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x < 10 ? x.toFixed(3) : x.toFixed(1);
const p = (v: number | null) => (v === null ? '-' : v < 0.0001 ? '<0.0001' : cFixed(v, 4));
const short = (h: unknown) =>
  typeof h === 'string' && /^[0-9a-f]{64}$/.test(h) ? `${h.slice(0, 16)}…` : String(h);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function describeSettings(s: MetricSettings): string {
  const parts = [
    s.relevanceLevelApplies === false
      ? 'graded labels (-l not applied)'
      : `relevance level ${s.relevanceLevel}`,
    s.cutoff === null ? null : `cutoff ${s.cutoff}`,
    s.depth === null ? 'all ranks' : `depth ${s.depth}`,
    String(s.averaging),
    s.judgedOnly ? 'judged only' : null,
    s.scorePrecision ? `scores ${s.scorePrecision}` : null,
    `qrels ${short(s.qrelsHash)}`,
  ];
  return parts.filter(Boolean).join('; ');
}

function inline(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '-';
  if (typeof value !== 'object') return short(value);
  if (Array.isArray(value)) return value.length ? `[${value.map(inline).join(', ')}]` : 'none';
  return Object.entries(value)
    .map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? `{${inline(v)}}` : short(v)}`)
    .join(', ');
}

export function formatRunTrace(t: RunTrace): string {
  const { run } = t;
  const lines = [`run ${run.name} (${run.source}, ${run.status}, created ${run.createdAt})`];
  lines.push(`  dataset      ${run.datasetName ?? '(none)'}; ${t.queries} queries ranked`);
  if (t.experiment) {
    const j = t.experiment.job;
    lines.push(
      `  experiment   ${t.experiment.name}, job ${j.position} (key ${short(j.key)}), system ${j.system}, grid point ${j.point}, query set ${j.querySet ?? '(original queries)'}`,
    );
    lines.push(`  parameters   ${inline(j.params as JsonValue)}`);
  }
  const bundle = run.stats.bundle as JsonObject | undefined;
  if (bundle)
    lines.push(
      `  imported     from ${bundle.importedFrom} (exported ${bundle.exportedAt}, originally "${bundle.originalName}")`,
    );
  lines.push('settings (as the search recorded them)');
  for (const [k, v] of Object.entries(run.config)) lines.push(`  ${k.padEnd(12)} ${inline(v)}`);
  if (t.experiment) {
    lines.push('input hashes');
    for (const [k, v] of Object.entries(t.experiment.job.inputs as JsonObject))
      lines.push(`  ${k.padEnd(12)} ${inline(v)}`);
  }
  lines.push('environment');
  const env = { ...(t.experiment?.job.environment as JsonObject | undefined), ...run.environment };
  for (const [k, v] of Object.entries(env)) lines.push(`  ${k.padEnd(18)} ${inline(v)}`);
  if (t.metrics.length) {
    lines.push(
      `metrics (trec_eval 9.0.x semantics; ${t.perQueryValues} per-query values stored beside them)`,
    );
    const width = Math.max(...t.metrics.map((m) => m.measure.length));
    for (const m of t.metrics)
      lines.push(
        `  ${m.measure.padEnd(width)}  ${f4(m.value)}  ${describeSettings(m.settings)}; over ${m.settings.numQ ?? '?'} queries`,
      );
  } else lines.push('metrics      none stored');
  const lat = run.stats.latencyMs as JsonObject | undefined;
  if (lat) {
    lines.push(
      `search timing (per query, search only, query encoding excluded; ${run.environment.provider ?? 'cpu'}, ${run.environment.intraOpNumThreads ?? '?'} threads)`,
    );
    lines.push(
      `  p50 ${ms(lat.p50 as number)} ms, p95 ${ms(lat.p95 as number)} ms, p99 ${ms(lat.p99 as number)} ms, mean ${ms(lat.mean as number)} ms over ${run.stats.queries} queries`,
    );
  }
  if (t.latency.length) {
    lines.push(`latency profiles (${t.latencySamples} total-time samples stored)`);
    for (const l of t.latency) {
      const s = l.settings;
      lines.push(
        `  batch ${s.batchSize}, ${s.threads} threads, ${s.provider}: ${s.queries} queries × ${s.repetitions} repetitions after ${s.warmup} warm-up ${s.unit === 'query' ? 'queries' : 'batches'}; ms per ${s.unit}`,
      );
      for (const [stage, v] of Object.entries(l.summary.stages))
        lines.push(
          `    ${stage.padEnd(9)} p50 ${ms(v.p50)}  p95 ${ms(v.p95)}  p99 ${ms(v.p99)}  mean ${ms(v.mean)}`,
        );
      lines.push(
        `    QPS ${l.summary.qps.toFixed(1)} (measured over ${ms(l.summary.wallMs)} ms); memory peak RSS ${mib(l.summary.memory.peakRssBytes)} (+${mib(l.summary.memory.peakIncreaseBytes)})`,
      );
      lines.push(`    search: ${s.description}`);
    }
  }
  return lines.join('\n');
}

export function formatComparison(c: RunsComparison, options: { perQuery?: boolean } = {}): string {
  const lines = [
    `# baseline: ${c.baseline}; p-values two-sided, ${c.correction === 'none' ? 'uncorrected' : `${c.correction}-corrected over ${c.runs.length} run(s)`}`,
  ];
  const rows: string[][] = [];
  for (const m of c.measures) {
    rows.push([m.measure, c.baseline, f4(m.baseline.mean), '', '', '', '', '', '', '']);
    for (const r of m.runs) {
      const ci = r.paired.bootstrap ? `[${f4(r.paired.bootstrap.low)}, ${f4(r.paired.bootstrap.high)}]` : '-';
      rows.push([
        m.measure,
        r.run,
        f4(r.mean),
        `${r.paired.meanDifference >= 0 ? '+' : ''}${f4(r.paired.meanDifference)}`,
        ci,
        p(r.pValues.tTest),
        p(r.pValues.wilcoxon),
        p(r.pValues.randomization),
        `${r.paired.wins}/${r.paired.ties}/${r.paired.losses}`,
        String(r.paired.n),
      ]);
    }
  }
  lines.push(
    table(
      ['measure', 'run', 'mean', 'delta', '95% CI', 't-test p', 'Wilcoxon p', 'random. p', 'W/T/L', 'n'],
      rows,
    ),
  );
  for (const m of c.measures) lines.push(`# ${m.measure}: ${describeSettings(m.settings)}`);
  if (c.unmatched.length)
    lines.push(`# not compared (no run has them under the same settings): ${c.unmatched.join(', ')}`);
  if (c.parameters.length) {
    lines.push('parameters that differ:');
    lines.push(
      table(
        ['parameter', c.baseline, ...c.runs],
        c.parameters.map((d) => [d.parameter, inline(d.baseline), ...d.values.map((v) => inline(v))]),
      ),
    );
  } else lines.push('parameters: identical');
  if (options.perQuery) {
    for (const m of c.measures)
      for (const r of m.runs) {
        lines.push(`per-query ${m.measure}: ${r.run} − ${c.baseline}`);
        for (const q of r.perQuery)
          lines.push(
            `  ${q.queryId}\t${f4(q.baseline)}\t${f4(q.value)}\t${q.delta >= 0 ? '+' : ''}${f4(q.delta)}`,
          );
      }
  }
  return lines.join('\n');
}

export function formatExperimentReport(r: ExperimentReport): string {
  const e = r.experiment;
  const counts: Record<string, number> = {};
  for (const j of r.jobs) counts[j.status] = (counts[j.status] ?? 0) + 1;
  const lines = [
    `experiment ${e.name} (${e.status}); created ${e.createdAt}${e.finishedAt ? `, finished ${e.finishedAt}` : ''}`,
    `  jobs: ${Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}; config sha256 ${short(e.configHash)}${e.sourcePath ? ` from ${e.sourcePath}` : ''}`,
  ];
  const measures = [...new Set(r.jobs.flatMap((j) => Object.keys(j.metrics)))];
  lines.push(
    table(
      ['#', 'status', 'run', ...measures, 'total p50 ms', 'QPS', 'search p50 ms'],
      r.jobs.map((j) => [
        String(j.position),
        j.status,
        j.runName,
        ...measures.map((m) => f4(j.metrics[m])),
        ms(j.profileMs),
        j.qps === null ? '-' : j.qps.toFixed(1),
        ms(j.searchMs),
      ]),
    ),
  );
  const profiles = [...new Set(r.jobs.map((j) => j.profile).filter(Boolean))];
  lines.push(
    `# total p50 and QPS: latency profile, tokenize + encode + search per query at batch 1${profiles.length ? ` (${profiles.join('; ')})` : ' (no profile configured)'}; search p50: the run's own timing, query encoding excluded`,
  );
  for (const j of r.jobs.filter((x) => x.status === 'failed'))
    lines.push(`# job ${j.position} failed: ${j.error}`);
  for (const g of r.comparisons) {
    lines.push(
      `comparison with baseline ${g.baselineRun} (${g.dataset}, ${g.querySet ?? 'original queries'}; Holm-corrected over ${g.measures[0]?.runs.length ?? 0} runs)`,
    );
    const rows: string[][] = [];
    for (const m of g.measures)
      for (const run of m.runs)
        rows.push([
          m.measure,
          run.run,
          `${run.paired.meanDifference >= 0 ? '+' : ''}${f4(run.paired.meanDifference)}`,
          p(run.pValues.tTest),
          p(run.pValues.wilcoxon),
          `${run.paired.wins}/${run.paired.ties}/${run.paired.losses}`,
          String(run.paired.n),
        ]);
    lines.push(table(['measure', 'run', 'delta', 't-test p', 'Wilcoxon p', 'W/T/L', 'n'], rows));
  }
  if (r.robustness.length) {
    lines.push(`robustness (${r.primaryMeasure}, original − varied over the queries of both)`);
    lines.push(
      table(
        ['dataset', 'system', 'query set', 'original', 'varied', 'drop', 'relative', 't-test p', 'n'],
        r.robustness.map((x) => [
          x.dataset,
          x.point,
          x.querySet,
          f4(x.original),
          f4(x.varied),
          f4(x.drop),
          x.relativeDrop === null ? '-' : `${(100 * x.relativeDrop).toFixed(1)}%`,
          p(x.pValue),
          String(x.n),
        ]),
      ),
    );
  }
  for (const f of r.pareto) {
    lines.push(
      `Pareto front, ${f.dataset}: ${f.measure} (higher better) against latency (lower better; ${f.points[0].latencySource})`,
    );
    const sorted = [...f.points].sort((a, b) => a.latencyMs - b.latencyMs);
    lines.push(
      table(
        ['system', f.measure, 'latency ms', 'front'],
        sorted.map((pt) => [pt.id, f4(pt.quality), ms(pt.latencyMs), f.front.includes(pt.id) ? '*' : '']),
      ),
    );
  }
  return lines.join('\n');
}
