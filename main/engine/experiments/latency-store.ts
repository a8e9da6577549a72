import { endianness } from 'node:os';
import {
  LATENCY_STAGES,
  type LatencyMeasurement,
  type LatencySettings,
  type LatencyStage,
  type LatencySummary,
} from '../latency/index.ts';
import { canonicalJson, type Store } from '../store/index.ts';

/** Latency profiles of runs and their raw samples (store migration 003), float64 milliseconds packed per stage. */

if (endianness() !== 'LE') throw new Error('the latency store assumes a little-endian machine');

export interface StoredLatency {
  id: number;
  settings: LatencySettings;
  summary: LatencySummary;
  samples: Record<LatencyStage, Float64Array>;
  createdAt: string;
}

interface ProfileRow {
  id: number;
  settings: string;
  summary: string;
  created_at: string;
}

export class LatencyRepository {
  private readonly insertProfile;
  private readonly insertSamples;
  private readonly profiles;
  private readonly samplesOf;

  constructor(
    private readonly store: Pick<Store, 'db' | 'transaction'>,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    const db = store.db;
    this.insertProfile = db.prepare<[number, number, number, string, string, string, string], { id: number }>(
      `INSERT INTO latency_profiles (run_id, batch_size, threads, provider, settings, summary, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, batch_size, threads, provider) DO UPDATE
       SET settings = excluded.settings, summary = excluded.summary, created_at = excluded.created_at
       RETURNING id`,
    );
    this.insertSamples = db.prepare<[number, string, number, Buffer]>(
      `INSERT INTO latency_samples (profile_id, stage, n, samples) VALUES (?, ?, ?, ?)
       ON CONFLICT (profile_id, stage) DO UPDATE SET n = excluded.n, samples = excluded.samples`,
    );
    this.profiles = db.prepare<[number], ProfileRow>(
      'SELECT id, settings, summary, created_at FROM latency_profiles WHERE run_id = ? ORDER BY threads, batch_size, id',
    );
    this.samplesOf = db.prepare<[number], { stage: LatencyStage; samples: Buffer }>(
      'SELECT stage, samples FROM latency_samples WHERE profile_id = ?',
    );
  }

  /** Saves measurements of a run (nested in the caller's transaction when there is one). */
  save(runId: number, measurements: readonly LatencyMeasurement[]): void {
    const createdAt = this.now();
    this.store.transaction(() => {
      for (const m of measurements) {
        const { id } = this.insertProfile.get(
          runId,
          m.settings.batchSize,
          m.settings.threads,
          m.settings.provider,
          canonicalJson(m.settings),
          JSON.stringify(m.summary),
          createdAt,
        )!;
        for (const stage of LATENCY_STAGES) {
          const s = m.samples[stage];
          this.insertSamples.run(id, stage, s.length, Buffer.from(s.buffer, s.byteOffset, s.byteLength));
        }
      }
    });
  }

  list(runId: number): StoredLatency[] {
    return this.profiles.all(runId).map((p) => {
      const samples = {} as Record<LatencyStage, Float64Array>;
      for (const r of this.samplesOf.iterate(p.id)) {
        const out = new Float64Array(r.samples.byteLength / 8);
        new Uint8Array(out.buffer).set(r.samples);
        samples[r.stage] = out;
      }
      return {
        id: p.id,
        settings: JSON.parse(p.settings) as LatencySettings,
        summary: JSON.parse(p.summary) as LatencySummary,
        samples,
        createdAt: p.created_at,
      };
    });
  }
}
