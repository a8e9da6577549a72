/**
 * The experiment acceptance path, from the CLI, on generated tiny model packages and a tiny dataset: a
 * two-model, two-mode experiment runs; killed midway (SIGKILL of the CLI process) it resumes without redoing
 * finished jobs; Ctrl-C (SIGINT) cancels cleanly; the stored metrics equal `eval` on the exported TREC runs;
 * `runs trace` ties every number to settings, input hashes and environment; comparisons and run bundles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWorkers, listEmbeddingArtifacts } from '../../main/engine/encode/index.ts';
import { ExperimentsRepository } from '../../main/engine/experiments/index.ts';
import { openStore, type Store } from '../../main/engine/store/index.ts';
import { repoRoot } from '../fixtures/datasets/paths.ts';
import { cli, prepareDataFolder } from '../unit/engine/experiments/helpers.ts';

let root: string;
let data: string;
let qrelsFile: string;
let store: Store;
let experiments: ExperimentsRepository;

/** Two models × two modes; the latency profile makes every job last long enough to be interrupted. */
const experiment = (name: string, latency = { queries: 12, warmup: 2, repetitions: 15 }) => ({
  name,
  datasets: [{ name: 'tiny', relevanceLevel: 1 }],
  models: [
    {
      name: 'hyp',
      modes: [
        { mode: 'exhaustive' },
        { mode: 'graph', params: { numEntryPoints: 6, nCandidates: 3, maxIter: 4, neighbours: 8 } },
      ],
    },
    { name: 'be', modes: [{ mode: 'flat' }, { mode: 'hnsw', params: { efSearch: 16 } }] },
  ],
  metrics: ['nDCG@10', 'RR@10', 'map', 'P.5'],
  baseline: 'be/flat',
  topK: 100,
  latency,
});

function writeConfig(config: object, file: string): string {
  const path = join(root, file);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** Starts the CLI in a child process and resolves when its stderr matches `line`. */
function spawnUntil(
  args: string[],
  line: RegExp,
): { child: ChildProcess; seen: Promise<void>; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [join(repoRoot, 'main/bin/workbench.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const seen = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (line.test(err)) resolve();
    });
    child.on('exit', () => reject(new Error(`the CLI ended before printing ${line}:\n${err}`)));
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ? null : code)),
  );
  return { child, seen, exit, stderr: () => err };
}

const jobsOf = (name: string) => experiments.jobs(experiments.require(name).id);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wb-exp-cli-'));
  const prepared = await prepareDataFolder(root);
  data = prepared.data;
  qrelsFile = join(root, 'qrels.txt');
  const lines = readFileSync(join(prepared.dataset, 'qrels', 'test.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  writeFileSync(
    qrelsFile,
    `${lines
      .map((l) => l.split('\t'))
      .map(([q, d, r]) => `${q} 0 ${d} ${r}`)
      .join('\n')}\n`,
  );
  store = openStore(data);
  experiments = new ExperimentsRepository(store);
});
afterAll(() => {
  store?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('workbench run: a two-model, two-mode experiment', () => {
  it('runs from the CLI, one run per job, with a report', async () => {
    const r = await cli([
      '--data',
      data,
      'run',
      writeConfig(experiment('acc', { queries: 4, warmup: 1, repetitions: 2 }), 'acc.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^experiment acc: 4 jobs\n/);
    expect(r.stderr).toMatch(/done \[4\/4\] acc\/tiny\/be\/hnsw \(/);
    const jobs = jobsOf('acc');
    expect(jobs.map((j) => [j.status, j.runName])).toEqual([
      ['succeeded', 'acc/tiny/hyp/exhaustive'],
      ['succeeded', 'acc/tiny/hyp/graph'],
      ['succeeded', 'acc/tiny/be/flat'],
      ['succeeded', 'acc/tiny/be/hnsw'],
    ]);
    expect(jobs.map((j) => store.runs.getById(j.runId!)?.source)).toEqual([
      'search:qnet',
      'search:qnet-graph',
      'search:flat',
      'search:hnsw',
    ]);
    expect(r.stdout).toMatch(/comparison with baseline acc\/tiny\/be\/flat/);
    expect(r.stdout).toMatch(/Pareto front, tiny: nDCG@10/);
    const list = await cli(['--data', data, 'experiments', 'list']);
    expect(list.stdout).toMatch(/acc\s+succeeded\s+4\/4\s+0/);
    // The corpus was encoded by the CLI's worker pool, not in its main thread (the two models share a
    // document encoder, hence one artifact).
    const encoded = listEmbeddingArtifacts(data);
    expect(encoded).toHaveLength(1);
    for (const m of encoded) expect(m.run).toMatchObject({ provider: 'cpu', workers: encodeWorkers() });
  });

  it('stores the metrics `eval` computes on the exported TREC runs, aggregate and per query', async () => {
    for (const j of jobsOf('acc')) {
      const file = join(root, `${j.position}.run`);
      expect((await cli(['--data', data, 'runs', 'export', j.runName, '--out', file])).code).toBe(0);
      const ev = await cli([
        'eval',
        '-q',
        '--json',
        '-m',
        'nDCG@10',
        '-m',
        'RR@10',
        '-m',
        'map',
        '-m',
        'P.5',
        qrelsFile,
        file,
      ]);
      expect(ev.code, ev.stderr).toBe(0);
      const json = JSON.parse(ev.stdout) as {
        measures: { name: string; value: number }[];
        perQuery: Record<string, Record<string, number>>;
      };
      const stored = store.metrics.list(j.runId!);
      const aggregate = Object.fromEntries(
        stored.filter((m) => m.queryId === null).map((m) => [m.measure, m.value]),
      );
      expect(Object.keys(aggregate).sort()).toEqual(['P_5', 'RR@10', 'map', 'nDCG@10'].sort());
      for (const m of json.measures)
        if (m.name in aggregate) expect(aggregate[m.name], `${j.runName} ${m.name}`).toBe(m.value);
      let perQuery = 0;
      for (const m of stored.filter((x) => x.queryId !== null)) {
        expect(m.value).toBe(json.perQuery[m.queryId!][m.measure]);
        perQuery++;
      }
      expect(perQuery).toBe(12 * 4);
      const nd = stored.find((m) => m.measure === 'nDCG@10' && m.queryId === null)!;
      expect(nd.settings).toMatchObject({
        relevanceLevel: 1,
        relevanceLevelApplies: false,
        cutoff: 10,
        numQ: 12,
      });
    }
  });

  it('traces every stored number to its settings, input hashes and environment', async () => {
    const [, graph] = jobsOf('acc');
    const r = await cli(['--data', data, 'runs', 'trace', graph.runName]);
    expect(r.code).toBe(0);
    const embeddingsKey = readdirSync(join(data, 'artifacts', 'embeddings'))[0];
    const graphKey = readdirSync(join(data, 'artifacts', 'graphs')).find((d) => !d.startsWith('.'))!;
    const packageHash = (
      JSON.parse(readFileSync(join(data, 'models', 'hyp', 'registration.json'), 'utf8')) as {
        packageHash: string;
      }
    ).packageHash;
    const dataset = store.datasets.get('tiny')!;
    for (const expected of [
      'experiment   acc, job 1',
      'graphSearch  numEntryPoints 6, nCandidates 3, maxIter 4, earlyStop true, topK 100, seed 42',
      `packageHash ${packageHash.slice(0, 16)}`,
      `key ${embeddingsKey.slice(0, 16)}`,
      `key ${graphKey.slice(0, 16)}`,
      `contentHash ${dataset.contentHash.slice(0, 16)}`,
      'onnxruntime        1.30.0',
      'intraOpNumThreads',
      'nDCG@10  ',
      'graded labels (-l not applied); cutoff 10',
      'batch 1, ',
      '4 queries × 2 repetitions after 1 warm-up queries',
      'QPS ',
    ])
      expect(r.stdout).toContain(expected);
    const json = JSON.parse(
      (await cli(['--data', data, 'runs', 'trace', graph.runName, '--json'])).stdout,
    ) as {
      experiment: {
        job: { inputs: { qrels: { sha256: string }; model: { files: Record<string, string> } } };
      };
      metrics: { measure: string }[];
    };
    expect(Object.keys(json.experiment.job.inputs.model.files).sort()).toEqual([
      'doc.onnx',
      'query.onnx',
      'tokenizer.json',
    ]);
    expect(json.experiment.job.inputs.qrels.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.metrics.map((m) => m.measure).sort()).toEqual(['P_5', 'RR@10', 'map', 'nDCG@10'].sort());
  });

  it('compares two stored runs query by query and lists only the parameters that differ', async () => {
    const [exhaustive, graph] = jobsOf('acc');
    const r = await cli([
      '--data',
      data,
      'compare',
      exhaustive.runName,
      graph.runName,
      '-m',
      'nDCG@10',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as {
      measures: {
        runs: {
          paired: { meanDifference: number; wins: number; ties: number; losses: number };
          perQuery: { delta: number }[];
        }[];
      }[];
      parameters: { parameter: string }[];
    };
    const run = c.measures[0].runs[0];
    const deltas = run.perQuery.map((q) => q.delta);
    expect(run.paired.meanDifference).toBeCloseTo(deltas.reduce((a, b) => a + b, 0) / deltas.length, 12);
    expect(run.paired.wins).toBe(deltas.filter((d) => d > 1e-9).length);
    expect(run.paired.losses).toBe(deltas.filter((d) => d < -1e-9).length);
    const names = c.parameters.map((p) => p.parameter);
    expect(names).toContain('config.mode');
    expect(names).toContain('config.graphSearch.nCandidates');
    expect(names).not.toContain('config.topK');
    expect(names).not.toContain('config.corpus.embeddingsHash');

    // The same comparison from the exported run files and the qrels.
    const files = await cli([
      'compare',
      '--qrels',
      qrelsFile,
      join(root, '0.run'),
      join(root, '1.run'),
      '-m',
      'nDCG@10',
      '--json',
    ]);
    expect(files.code, files.stderr).toBe(0);
    const f = JSON.parse(files.stdout) as typeof c;
    expect(f.measures[0].runs[0].paired.meanDifference).toBe(run.paired.meanDifference);
  });

  it('exports a run bundle that opens in another data folder with the same numbers and provenance', async () => {
    const [, graph] = jobsOf('acc');
    const file = join(root, 'graph.bundle.json.gz');
    expect((await cli(['--data', data, 'runs', 'bundle-export', graph.runName, '--out', file])).code).toBe(0);
    const laptop = join(root, 'laptop');
    const imported = await cli(['--data', laptop, 'runs', 'bundle-import', file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/dataset "tiny" is not in this data folder/);
    const there = openStore(laptop);
    try {
      const run = there.runs.require(graph.runName);
      expect(there.metrics.list(run.id)).toEqual(store.metrics.list(graph.runId!));
      expect(there.runs.getRankings(run.id)).toEqual(store.runs.getRankings(graph.runId!));
    } finally {
      there.close();
    }
    const here = (await cli(['--data', data, 'runs', 'trace', graph.runName])).stdout;
    const away = (await cli(['--data', laptop, 'runs', 'trace', graph.runName])).stdout;
    const section = (text: string, from: string, to: string) =>
      text.slice(text.indexOf(from), text.indexOf(to));
    expect(section(away, 'input hashes', 'environment')).toBe(section(here, 'input hashes', 'environment'));
    expect(section(away, 'metrics (', 'search timing')).toBe(section(here, 'metrics (', 'search timing'));
    expect(section(away, 'latency profiles', '\u0000')).toBe(section(here, 'latency profiles', '\u0000'));

    // In the data folder that has the dataset, under another name, it is linked to it.
    const again = await cli(['--data', data, 'runs', 'bundle-import', file, '--name', 'graph-copy']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(store.runs.require('graph-copy').datasetName).toBe('tiny');
    expect((await cli(['--data', data, 'runs', 'bundle-import', file])).stderr).toMatch(/exists already/);
    expect((await cli(['--data', data, 'runs', 'delete', 'graph-copy'])).code).toBe(0);
    expect(store.runs.get('graph-copy')).toBeUndefined();
  });
});

describe('interrupting an experiment', () => {
  it('killed midway (SIGKILL), `experiments resume` finishes it without redoing finished jobs', async () => {
    const config = writeConfig(experiment('killed'), 'killed.json');
    const proc = spawnUntil(['--data', data, 'run', config], /start \[3\/4\]/);
    await proc.seen;
    proc.child.kill('SIGKILL');
    expect(await proc.exit).toBeNull();

    const before = jobsOf('killed');
    expect(before.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'running', 'pending']);
    const done = before.slice(0, 2).map((j) => store.runs.getById(j.runId!)!);
    // No run of the interrupted job: its latency was being measured, and runs are written whole or not at all.
    expect(
      store.runs
        .list()
        .filter((r) => r.name.startsWith('killed/'))
        .map((r) => r.name),
    ).toEqual(done.map((r) => r.name));

    const resumed = await cli(['--data', data, 'experiments', 'resume', 'killed']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/experiment killed: 4 jobs, 2 already done \(skipped\)/);
    expect(resumed.stderr).not.toMatch(/start \[[12]\/4\]/);
    const after = jobsOf('killed');
    expect(after.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(after.map((j) => j.attempts)).toEqual([1, 1, 2, 1]);
    for (let i = 0; i < 2; i++) {
      const run = store.runs.getById(after[i].runId!)!;
      expect([run.id, run.name, run.createdAt]).toEqual([done[i].id, done[i].name, done[i].createdAt]);
    }
    expect(experiments.require('killed').status).toBe('succeeded');
    expect(store.runs.list().filter((r) => r.name.startsWith('killed/'))).toHaveLength(4);
    // Same settings, same rankings as the uninterrupted experiment.
    const acc = jobsOf('acc');
    for (const [i, j] of after.entries())
      expect(store.runs.getRankings(j.runId!)).toEqual(store.runs.getRankings(acc[i].runId!));
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('Ctrl-C (SIGINT) cancels cleanly: exit 130, finished jobs kept, no half-written run', async () => {
    const config = writeConfig(experiment('cancelled'), 'cancelled.json');
    const proc = spawnUntil(['--data', data, 'run', config], /start \[2\/4\]/);
    await proc.seen;
    proc.child.kill('SIGINT');
    expect(await proc.exit).toBe(130);
    expect(proc.stderr()).toMatch(/was cancelled; finished jobs are kept.*experiments resume cancelled/s);
    expect(experiments.require('cancelled').status).toBe('interrupted');
    expect(jobsOf('cancelled').map((j) => j.status)).toEqual(['succeeded', 'pending', 'pending', 'pending']);
    expect(
      store.runs
        .list()
        .filter((r) => r.name.startsWith('cancelled/'))
        .map((r) => r.name),
    ).toEqual(['cancelled/tiny/hyp/exhaustive']);
  });
});
