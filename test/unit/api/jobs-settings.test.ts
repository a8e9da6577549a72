import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyPackages } from '../../fixtures/models/generate.ts';
import { finished, type Harness, harness } from './helpers.ts';

/** A JSONL corpus large enough that its import is still running when the cancel arrives. */
function bigCorpus(path: string, docs: number): string {
  const words = 'query document passage retrieval neural ranking hypernetwork weights lexical dense'.split(
    ' ',
  );
  const lines: string[] = [];
  for (let i = 0; i < docs; i++) {
    const text = Array.from({ length: 30 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
    lines.push(JSON.stringify({ _id: `doc${i}`, title: `t${i}`, text }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('jobs: cancel, list, events', () => {
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });
  afterAll(() => h.close());

  it('cancels a running import: the job ends cancelled and nothing of the dataset is stored', async () => {
    const corpus = bigCorpus(join(h.dir, 'big.jsonl'), 60_000);
    let running = false;
    const progressed = new Promise<void>((resolve) => {
      h.events.subscribe((s) => {
        if (s.kind === 'datasets:import' && s.progress.done > 0 && !running) {
          running = true;
          resolve();
        }
      });
    });
    const { jobId } = await h.api.datasets.import({ path: corpus, name: 'big' });
    await progressed;
    expect(await h.api.jobs.cancel({ id: jobId })).toEqual({ cancelling: true });
    const job = await finished(h.api, jobId);
    expect(job.state).toBe('cancelled');
    expect(job.error?.code).toBe('CANCELLED');
    expect(await h.api.datasets.list()).toEqual([]);
    expect(h.store.integrityCheck()).toEqual(['ok']);
    // an ended job cannot be cancelled again; an unknown one is NOT_FOUND
    expect(await h.api.jobs.cancel({ id: jobId })).toEqual({ cancelling: false });
    await expect(h.api.jobs.cancel({ id: 'job-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.api.jobs.list())[0].id).toBe(jobId);
  });

  it('imports and validates a model package as jobs and shows its manifest', async () => {
    const pkgs = await generateTinyPackages(join(h.dir, 'pkgs'), { seed: 3, dim: 16 });
    const { jobId } = await h.api.models.import({ path: pkgs.hypencoder });
    const job = await finished(h.api, jobId);
    expect(job.error).toBeUndefined();
    expect(job.state).toBe('succeeded');
    const [m] = await h.api.models.list();
    expect(m).toMatchObject({
      name: 'tiny-hypencoder',
      kind: 'hypencoder',
      embeddingDim: 16,
      similarity: null,
    });
    expect(m.qnet?.dims).toEqual([16, 16, 16, 1]);
    expect(m.validation.graphs.map((g) => g.role)).toEqual(['query', 'doc']);
    const v = await finished(h.api, (await h.api.models.validate({ name: 'tiny-hypencoder' })).jobId);
    expect(v.state).toBe('succeeded');
    expect((v.result as { packageHash: string }).packageHash).toBe(m.packageHash);
    const providers = await h.api.models.providers();
    expect(providers.find((p) => p.provider === 'cpu')).toEqual({
      provider: 'cpu',
      available: true,
      reason: null,
    });
    for (const p of providers) if (!p.available) expect(p.reason).toBeTruthy();
    await expect(h.api.models.show({ name: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.api.models.delete({ name: 'tiny-hypencoder' })).toEqual({ deleted: true });
    expect(await h.api.models.list()).toEqual([]);
  });
});

describe('settings', () => {
  it('keeps threads and provider in the data folder and refuses a data folder change in browser mode', async () => {
    const h = harness();
    try {
      expect(await h.api.settings.get()).toMatchObject({
        threads: null,
        provider: 'auto',
        nextDataDir: null,
      });
      const s = await h.api.settings.set({ threads: 2, provider: 'cpu' });
      expect(s).toMatchObject({ threads: 2, provider: 'cpu' });
      expect(JSON.parse(readFileSync(join(h.dir, 'data', 'settings.json'), 'utf8'))).toEqual({
        threads: 2,
        provider: 'cpu',
      });
      await expect(h.api.settings.set({ dataDir: '/elsewhere' })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('--data'),
      });
      await expect(h.api.settings.set({ provider: 'tpu' as 'cpu' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    } finally {
      h.close();
    }
  });

  it('records the next data folder for the desktop app, absolute paths only', async () => {
    const h = harness();
    const locationFile = join(h.dir, 'location.json');
    const d = harness({ locationFile });
    try {
      await expect(d.api.settings.set({ dataDir: 'relative/dir' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(existsSync(locationFile)).toBe(false);
      const s = await d.api.settings.set({ dataDir: '/data/next' });
      expect(s.nextDataDir).toBe('/data/next');
      expect(JSON.parse(readFileSync(locationFile, 'utf8'))).toEqual({ dataDir: '/data/next' });
    } finally {
      d.close();
      h.close();
    }
  });
});

describe('experiments.validate and demo.status', () => {
  it('reports every problem with its JSON path, including names the data folder lacks', async () => {
    const h = harness();
    try {
      const bad = await h.api.experiments.validate({
        config: {
          name: 'x',
          datasets: [{ name: 'd' }],
          models: [{ name: 'm', modes: [{ mode: 'graph', params: { nCandidates: 0 } }] }],
        },
      });
      expect(bad.valid).toBe(false);
      expect(bad.issues.map((i) => i.path)).toContain('models[0].modes[0].params.nCandidates');
      const unknown = await h.api.experiments.validate({
        config: { name: 'x', datasets: [{ name: 'd' }], lexical: [{ mode: 'bm25' }] },
      });
      expect(unknown.issues).toEqual([
        { path: 'datasets[0].name', message: expect.stringContaining('no dataset named "d"') },
      ]);
      const demo = await h.api.demo.status();
      expect(demo.available).toBe(false);
      expect(demo.reason).toBeTruthy();
    } finally {
      h.close();
    }
  });
});
