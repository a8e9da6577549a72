import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApi, JobEvents } from '../../../main/engine/api/index.ts';
import type { JobSnapshot } from '../../../main/engine/jobs/index.ts';
import { openStore, type Store } from '../../../main/engine/store/index.ts';
import { buildBridge, unwrapBridge, type WorkbenchClient } from '../../../preload/contract.ts';

export const E2E_BEIR = fileURLToPath(new URL('../../fixtures/e2e-beir', import.meta.url));

export interface Harness {
  dir: string;
  store: Store;
  events: JobEvents;
  handlers: ReturnType<typeof createApi>;
  /** The renderer's client over the real contract, with the handler table as its transport. */
  api: WorkbenchClient;
  close(): void;
}

export function harness(options: { locationFile?: string; demoDir?: string } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'wb-api-'));
  const store = openStore(join(dir, 'data'));
  const events = new JobEvents();
  const handlers = createApi({ store, dataDir: join(dir, 'data'), shell: 'browser', events, ...options });
  const table = handlers as unknown as Record<string, Record<string, { run(p: unknown): Promise<never> }>>;
  const api = unwrapBridge(
    buildBridge(
      (channel, payload) => {
        const [c, v] = channel.split(':');
        return table[c][v].run(payload);
      },
      { subscribe: (_e, l) => events.subscribe(l as (s: JobSnapshot) => void) },
    ),
  );
  return {
    dir,
    store,
    events,
    handlers,
    api,
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the job's final snapshot (polls the API as the Jobs view would without events). */
export async function finished(api: WorkbenchClient, id: string, timeoutMs = 60_000): Promise<JobSnapshot> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await api.jobs.get({ id });
    if (job.endedAt !== null) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A TREC run file: `qid Q0 docno rank score tag` per [qid, docno, score]. */
export function writeRun(path: string, tag: string, lines: [string, string, number][]): string {
  writeFileSync(path, lines.map(([q, d, s], i) => `${q} Q0 ${d} ${i + 1} ${s} ${tag}\n`).join(''));
  return path;
}
