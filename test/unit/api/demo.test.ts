import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASET, DEMO_PACKAGES } from '../../../main/engine/api/index.ts';
import { derivePackage, generateTinyPackages } from '../../fixtures/models/generate.ts';
import { writeTinyBeir } from '../engine/experiments/helpers.ts';
import { finished, type Harness, harness } from './helpers.ts';

describe('the first-start demo', () => {
  it('is unavailable, with the reason, until its packages are built', async () => {
    const h = harness({ demoDir: join(__dirname, 'no-such-folder') });
    try {
      const s = await h.api.demo.status();
      expect(s.available).toBe(false);
      expect(s.reason).toContain('wordnet-tiny-hypencoder');
      await expect(h.api.demo.run()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      h.close();
    }
  });

  describe('with packages in place', () => {
    let h: Harness;
    let demoDir: string;
    beforeAll(async () => {
      demoDir = join(mkdtempSync(join(tmpdir(), 'wb-demo-')), 'native-models');
      const pkgs = await generateTinyPackages(join(demoDir, 'generated'), { seed: 9, dim: 16 });
      // stand-ins for the trained packages, under the names the demo looks for
      derivePackage(pkgs.hypencoder, join(demoDir, 'packages', DEMO_PACKAGES[0]), {
        manifest: (m) => {
          m.name = DEMO_PACKAGES[0];
        },
      });
      derivePackage(pkgs.biencoder, join(demoDir, 'packages', DEMO_PACKAGES[1]), {
        manifest: (m) => {
          m.name = DEMO_PACKAGES[1];
        },
      });
      // a small config in place of the built-in one keeps the test short
      mkdirSync(join(demoDir, 'demo'), { recursive: true });
      const small = {
        name: 'ignored',
        datasets: [{ name: DEMO_DATASET, split: 'test', maxQueries: 5 }],
        models: [{ name: DEMO_PACKAGES[0], modes: [{ mode: 'exhaustive' }] }],
        lexical: [{ mode: 'bm25' }],
        metrics: ['nDCG@10'],
        topK: 10,
      };
      writeFileSync(join(demoDir, 'demo', 'experiment.json'), JSON.stringify(small));
      writeFileSync(
        join(demoDir, 'demo', 'robustness.json'),
        JSON.stringify({
          ...small,
          attacks: { generate: [{ family: 'ordering', variant: 'shuffle', seed: 3 }] },
        }),
      );
      h = harness({ demoDir });
      // Building the 23k-card WordNet dataset takes minutes on two cores (main/engine/demo has its own
      // tests): a small dataset under the demo's name stands in, and the demo must skip that step.
      const beir = writeTinyBeir(join(h.dir, 'beir'), { documents: 60, queries: 8 });
      const ds = await h.api.datasets.import({ path: beir, name: DEMO_DATASET });
      expect((await finished(h.api, ds.jobId)).state).toBe('succeeded');
    });
    afterAll(() => {
      h.close();
      rmSync(dirname(demoDir), { recursive: true, force: true });
    });

    it('registers the packages and runs the experiment as one job, skipping what is there', async () => {
      expect((await h.api.demo.status()).available).toBe(true);
      const { jobId } = await h.api.demo.run();
      const job = await finished(h.api, jobId, 120_000);
      expect(job.error).toBeUndefined();
      expect(job.result).toMatchObject({ experiment: 'demo', ran: 2, failed: 0 });
      const [ds] = await h.api.datasets.list();
      expect(ds.name).toBe(DEMO_DATASET);
      expect(ds.stats.documents).toBe(60);
      expect((await h.api.models.list()).map((m) => m.name).sort()).toEqual([...DEMO_PACKAGES].sort());
      expect((await h.api.runs.list()).map((r) => r.name).sort()).toEqual([
        `demo/${DEMO_DATASET}/bm25`,
        `demo/${DEMO_DATASET}/${DEMO_PACKAGES[0]}/exhaustive`,
      ]);
    });

    it('runs the robustness demo as the second action, under its own name', async () => {
      const { jobId } = await h.api.demo.run({ experiment: 'robustness' });
      const job = await finished(h.api, jobId, 120_000);
      expect(job.error).toBeUndefined();
      expect(job.result).toMatchObject({ experiment: 'demo-robustness', ran: 4, failed: 0 });
      // run names carry the set's name without its dataset prefix
      const set = 'ordering-shuffle/seed3/test';
      expect(
        (await h.api.runs.list())
          .map((r) => r.name)
          .filter((n) => n.startsWith('demo-robustness/'))
          .sort(),
      ).toEqual([
        `demo-robustness/${DEMO_DATASET}/bm25`,
        `demo-robustness/${DEMO_DATASET}/bm25@${set}`,
        `demo-robustness/${DEMO_DATASET}/${DEMO_PACKAGES[0]}/exhaustive`,
        `demo-robustness/${DEMO_DATASET}/${DEMO_PACKAGES[0]}/exhaustive@${set}`,
      ]);
      await expect(h.api.demo.run({ experiment: 'paraphrase' } as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });
  });
});
