/**
 * Drives qnet_baselines.py (beside this file) for the q-net benchmark: one long-lived process per
 * library (so one library's idle BLAS threads never compete with the other's), each timing one pass
 * over the documents whenever the bench asks, so its passes interleave with ours.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { QnetConfig, QnetParams } from '../../../main/engine/qnet/index.ts';

const SCRIPT = fileURLToPath(new URL('./qnet_baselines.py', import.meta.url));

export interface PythonBaseline {
  impl: 'numpy' | 'torch';
  threads: number;
  /** One timed pass over all documents, `chunk` per call; seconds as measured inside Python. */
  pass(chunk: number): Promise<number>;
  scores(count: number): Promise<number[]>;
  close(): void;
}

/** The first interpreter that can import numpy: $WORKBENCH_PYTHON, Debian's /usr/bin/python3, then python3. */
export function findPython(): string | undefined {
  const candidates = [process.env.WORKBENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => !!p,
  );
  return candidates.find((p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0);
}

class Worker implements PythonBaseline {
  private readonly replies: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  stderr = '';
  threads = 0;

  constructor(
    readonly impl: 'numpy' | 'torch',
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = this.replies.shift();
      if (reply) reply(line);
      else this.lines.push(line);
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
  }

  next(): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.replies.push(resolve);
      this.child.once('exit', (code) =>
        reject(
          new Error(
            `${this.impl} baseline exited (${code}): ${this.stderr.trim().split('\n').slice(-2).join(' | ')}`,
          ),
        ),
      );
    });
  }

  private async request(command: object): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return JSON.parse(await this.next()) as Record<string, unknown>;
  }

  async pass(chunk: number): Promise<number> {
    return (await this.request({ pass: chunk })).seconds as number;
  }

  async scores(count: number): Promise<number[]> {
    return (await this.request({ scores: count })).values as number[];
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * Writes the documents and one query's q-net as raw float32 files and starts a numpy and a PyTorch
 * process on them; returns those that started and a note for each that did not (and why).
 */
export async function startPythonBaselines(input: {
  dims: readonly number[];
  config: QnetConfig;
  nDocs: number;
  threads: number;
  docs: Float32Array;
  params: QnetParams;
}): Promise<{ baselines: PythonBaseline[]; notes: string[] }> {
  const python = findPython();
  if (!python) {
    return {
      baselines: [],
      notes: [
        'skipped: no python3 that imports numpy (apt-get install python3-numpy python3-torch libopenblas0-pthread)',
      ],
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-qnet-'));
  const file = (name: string, data: Float32Array) => {
    const p = join(dir, name);
    writeFileSync(p, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return p;
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dims: input.dims,
      config: input.config,
      nDocs: input.nDocs,
      threads: input.threads,
      docsFile: file('docs.f32', input.docs.subarray(0, input.nDocs * input.dims[0])),
      weightFiles: input.params.weights.map((w, j) => file(`w${j}.f32`, w)),
      biasFiles: input.params.biases.map((b, j) => file(`b${j}.f32`, b)),
    }),
  );
  const t = String(input.threads);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t };
  const baselines: PythonBaseline[] = [];
  const notes = [`interpreter: ${python}`];
  try {
    for (const impl of ['numpy', 'torch'] as const) {
      const worker = new Worker(impl, spawn(python, [SCRIPT, configFile, impl], { env }));
      try {
        const first = JSON.parse(await worker.next()) as {
          ready?: string;
          skip?: string;
          reason?: string;
          threads?: number;
          versions?: Record<string, string>;
        };
        if (first.ready) {
          worker.threads = first.threads ?? input.threads;
          baselines.push(worker);
          notes.push(
            `${impl}: ${Object.entries(first.versions ?? {})
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
          );
        } else notes.push(`${impl}: skipped — ${first.reason}`);
      } catch (err) {
        notes.push(`${impl}: skipped — ${(err as Error).message}`);
      }
    }
  } finally {
    // The processes have read their inputs into memory by the time they report ready.
    rmSync(dir, { recursive: true, force: true });
  }
  return { baselines, notes };
}
