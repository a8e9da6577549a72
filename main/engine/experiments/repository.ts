import type Database from 'better-sqlite3';
import { WorkbenchError } from '../errors.ts';
import { canonicalJson, type JsonObject, type Store } from '../store/index.ts';
import type { JobSpec } from './plan.ts';

/** Experiments and their jobs (store migration 003). Statements are prepared once, in the constructor. */

export type ExperimentStatus = 'running' | 'interrupted' | 'failed' | 'succeeded';
export type JobStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface ExperimentRecord {
  id: number;
  name: string;
  config: JsonObject;
  configHash: string;
  sourcePath: string | null;
  status: ExperimentStatus;
  environment: JsonObject;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface JobRecord {
  id: number;
  experimentId: number;
  position: number;
  key: string;
  runName: string;
  dataset: string;
  system: string;
  point: string;
  querySet: string | null;
  params: JsonObject;
  status: JobStatus;
  runId: number | null;
  inputs: JsonObject;
  environment: JsonObject;
  attempts: number;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

interface ExperimentRow {
  id: number;
  name: string;
  config: string;
  config_hash: string;
  source_path: string | null;
  status: ExperimentStatus;
  environment: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

interface JobRow {
  id: number;
  experiment_id: number;
  position: number;
  key: string;
  run_name: string;
  dataset: string;
  system: string;
  point: string;
  query_set: string | null;
  params: string;
  status: JobStatus;
  run_id: number | null;
  inputs: string;
  environment: string;
  attempts: number;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

const experiment = (r: ExperimentRow): ExperimentRecord => ({
  id: r.id,
  name: r.name,
  config: JSON.parse(r.config) as JsonObject,
  configHash: r.config_hash,
  sourcePath: r.source_path,
  status: r.status,
  environment: JSON.parse(r.environment) as JsonObject,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

const job = (r: JobRow): JobRecord => ({
  id: r.id,
  experimentId: r.experiment_id,
  position: r.position,
  key: r.key,
  runName: r.run_name,
  dataset: r.dataset,
  system: r.system,
  point: r.point,
  querySet: r.query_set,
  params: JSON.parse(r.params) as JsonObject,
  status: r.status,
  runId: r.run_id,
  inputs: JSON.parse(r.inputs) as JsonObject,
  environment: JSON.parse(r.environment) as JsonObject,
  attempts: r.attempts,
  error: r.error,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export interface NewExperiment {
  name: string;
  config: JsonObject;
  configHash: string;
  sourcePath: string | null;
  environment: JsonObject;
}

export class ExperimentsRepository {
  private readonly db: Database.Database;
  private readonly insertExperiment;
  private readonly insertJob;
  private readonly byName;
  private readonly byId;
  private readonly all;
  private readonly jobsOf;
  private readonly jobOfRun;
  private readonly statusStmt;
  private readonly startStmt;
  private readonly finishStmt;
  private readonly failStmt;
  private readonly resetStmt;
  private readonly deleteStmt;

  constructor(
    private readonly store: Pick<Store, 'db' | 'transaction'>,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    this.db = store.db;
    const db = this.db;
    this.insertExperiment = db.prepare(
      `INSERT INTO experiments (name, config, config_hash, source_path, status, environment, created_at, updated_at)
       VALUES (@name, @config, @configHash, @sourcePath, 'running', @environment, @now, @now)`,
    );
    this.insertJob = db.prepare(
      `INSERT INTO experiment_jobs (experiment_id, position, key, run_name, dataset, system, point, query_set, params, status)
       VALUES (@experimentId, @position, @key, @runName, @dataset, @system, @point, @querySet, @params, 'pending')`,
    );
    this.byName = db.prepare<[string], ExperimentRow>('SELECT * FROM experiments WHERE name = ?');
    this.byId = db.prepare<[number], ExperimentRow>('SELECT * FROM experiments WHERE id = ?');
    this.all = db.prepare<[], ExperimentRow>('SELECT * FROM experiments ORDER BY id');
    this.jobsOf = db.prepare<[number], JobRow>(
      'SELECT * FROM experiment_jobs WHERE experiment_id = ? ORDER BY position',
    );
    this.jobOfRun = db.prepare<[number], JobRow>('SELECT * FROM experiment_jobs WHERE run_id = ?');
    this.statusStmt = db.prepare<[ExperimentStatus, string, string | null, number]>(
      'UPDATE experiments SET status = ?, updated_at = ?, finished_at = ? WHERE id = ?',
    );
    this.startStmt = db.prepare<[string, number]>(
      `UPDATE experiment_jobs SET status = 'running', attempts = attempts + 1, started_at = ?, error = NULL,
       run_id = NULL, finished_at = NULL WHERE id = ?`,
    );
    this.finishStmt = db.prepare<[number, string, string, string, number]>(
      `UPDATE experiment_jobs SET status = 'succeeded', run_id = ?, inputs = ?, environment = ?, finished_at = ?
       WHERE id = ?`,
    );
    this.failStmt = db.prepare<[string, string, number]>(
      `UPDATE experiment_jobs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`,
    );
    this.resetStmt = db.prepare<[number]>(
      `UPDATE experiment_jobs SET status = 'pending', run_id = NULL, started_at = NULL, finished_at = NULL WHERE id = ?`,
    );
    this.deleteStmt = db.prepare<[number]>('DELETE FROM experiments WHERE id = ?');
  }

  /** The experiment and its jobs, in one transaction. */
  create(exp: NewExperiment, jobs: readonly JobSpec[]): ExperimentRecord {
    const now = this.now();
    const id = this.store.transaction(() => {
      const r = this.insertExperiment.run({
        name: exp.name,
        config: canonicalJson(exp.config),
        configHash: exp.configHash,
        sourcePath: exp.sourcePath,
        environment: JSON.stringify(exp.environment),
        now,
      });
      const experimentId = Number(r.lastInsertRowid);
      for (const j of jobs) {
        this.insertJob.run({
          experimentId,
          position: j.position,
          key: j.key,
          runName: j.runName,
          dataset: j.dataset,
          system: j.system,
          point: j.point,
          querySet: j.querySet,
          params: canonicalJson(j.params),
        });
      }
      return experimentId;
    });
    return this.getById(id)!;
  }

  get(name: string): ExperimentRecord | undefined {
    const row = this.byName.get(name);
    return row ? experiment(row) : undefined;
  }

  getById(id: number): ExperimentRecord | undefined {
    const row = this.byId.get(id);
    return row ? experiment(row) : undefined;
  }

  require(name: string): ExperimentRecord {
    const found = this.get(name);
    if (found) return found;
    const known = this.list().map((e) => e.name);
    throw new WorkbenchError(
      'NOT_FOUND',
      `no experiment named "${name}". ${known.length ? `Known: ${known.join(', ')}` : 'Run one with `workbench run CONFIG`'}`,
      { field: 'experiment', name },
    );
  }

  list(): ExperimentRecord[] {
    return this.all.all().map(experiment);
  }

  jobs(experimentId: number): JobRecord[] {
    return this.jobsOf.all(experimentId).map(job);
  }

  /** The job that made a run, if an experiment made it. */
  jobOf(runId: number): JobRecord | undefined {
    const row = this.jobOfRun.get(runId);
    return row ? job(row) : undefined;
  }

  setStatus(id: number, status: ExperimentStatus): void {
    const now = this.now();
    this.statusStmt.run(status, now, status === 'running' || status === 'interrupted' ? null : now, id);
  }

  startJob(id: number): void {
    this.startStmt.run(this.now(), id);
  }

  /** Marks the job done with its run; call inside the transaction that stores the run's metrics. */
  finishJob(id: number, runId: number, inputs: JsonObject, environment: JsonObject): void {
    this.finishStmt.run(runId, canonicalJson(inputs), canonicalJson(environment), this.now(), id);
  }

  failJob(id: number, error: string): void {
    this.failStmt.run(error, this.now(), id);
  }

  /** Back to pending (a cancelled or interrupted job, or one whose run was deleted). */
  resetJob(id: number): void {
    this.resetStmt.run(id);
  }

  /** Deletes the experiment and its jobs; its runs stay (delete them with `runs delete`). */
  delete(name: string): boolean {
    const found = this.get(name);
    if (!found) return false;
    this.store.transaction(() => this.deleteStmt.run(found.id));
    return true;
  }
}
