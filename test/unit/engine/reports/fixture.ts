import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExperimentRunner, parseExperimentConfig } from '../../../../main/engine/experiments/index.ts';
import { openStore, type Store } from '../../../../main/engine/store/index.ts';
import { cli, prepareDataFolder } from '../experiments/helpers.ts';

/**
 * A real, small experiment to report on: the tiny dataset, a Hypencoder exhaustive and a 2-point graph sweep,
 * a bi-encoder baseline and BM25, one query-variation set and a latency profile — every report section has
 * something to show. Runs in about two seconds.
 */
export interface ReportFixture {
  root: string;
  data: string;
  store: Store;
  experiment: string;
  close(): void;
}

export async function reportFixture(prefix: string): Promise<ReportFixture> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const { data } = await prepareDataFolder(root);
  const store = openStore(data);
  const runner = new ExperimentRunner({ store, dataDir: data });
  const config = parseExperimentConfig({
    name: 'rep',
    datasets: [{ name: 'tiny', maxQueries: 8 }],
    models: [
      {
        name: 'hyp',
        modes: [
          { mode: 'exhaustive' },
          { mode: 'graph', params: { numEntryPoints: 6, nCandidates: [2, 3], maxIter: 4, neighbours: 8 } },
        ],
      },
      { name: 'be', modes: [{ mode: 'flat' }] },
    ],
    lexical: [{ mode: 'bm25' }],
    metrics: ['nDCG@10', 'RR@10', 'P.5'],
    baseline: 'be/flat',
    topK: 30,
    attacks: { generate: [{ family: 'naturality', variant: 'drop-word', seed: 3 }] },
    latency: { queries: 4, warmup: 1, repetitions: 2, batchSizes: [1], threads: [1] },
  });
  await runner.execute(runner.prepare(config).name);
  return {
    root,
    data,
    store,
    experiment: 'rep',
    close() {
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI against the fixture's data folder. */
export function workbench(f: Pick<ReportFixture, 'data'>, ...args: string[]) {
  return cli(['--data', f.data, ...args]);
}

/** The decimals a printed number carries (for comparing it with a stored double to the printed precision). */
export function closeToPrinted(printed: string, stored: number): boolean {
  const text = printed.replace(/[^0-9.+-]/g, '');
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  return Math.abs(Number(text) - stored) <= 0.5 * 10 ** -decimals + 1e-12;
}

/** A small RFC 4180 reader for the CSV files the report writes. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r') continue;
    else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
