import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../errors.ts';
import { canonicalJson } from '../store/index.ts';
import type { Corpus } from './corpus.ts';
import type { BuildProgress } from './hnsw.ts';
import { DEFAULT_HNSW } from './hnsw.ts';
import type { NeighbourMetric } from './knn.ts';
import {
  buildNeighbourGraph,
  checkGraphK,
  chooseGraphMethod,
  DEFAULT_GRAPH_K,
  type GraphBuildOptions,
  type GraphBuildReport,
  type GraphMethod,
  type NeighbourGraph,
} from './neighbour-graph.ts';

/**
 * Neighbour graphs as content-addressed artifacts (DESIGN.md §2): `<dataDir>/artifacts/graphs/<key>/` with
 * `neighbours.i32` (little-endian int32, N×k, row-major) and `meta.json`, where key = sha256 of the inputs
 * (the embeddings' content hash, shape and every build parameter), so changed embeddings never reuse a
 * stale graph. A build writes into a `.building-…` folder and renames it to `<key>` only when complete, and
 * a folder is trusted only when its meta names the same key and the file's size and sha256 match: a build
 * killed at any point leaves nothing a later run trusts, and the next build clears its leftovers.
 */

export const GRAPH_ARTIFACT_FORMAT = 1;
const NEIGHBOURS_FILE = 'neighbours.i32';
const META_FILE = 'meta.json';
const BUILDING_FILE = 'building.json';
const BUILDING_PREFIX = '.building-';

export interface GraphArtifactInputs {
  format: number;
  embeddingsHash: string;
  rows: number;
  dim: number;
  k: number;
  metric: NeighbourMetric;
  method: GraphMethod;
  /** HNSW builds only: M, efConstruction, efSearch, seed. */
  hnsw?: { M: number; efConstruction: number; efSearch: number; seed: number };
}

export interface GraphArtifactMeta {
  key: string;
  inputs: GraphArtifactInputs;
  report: GraphBuildReport;
  neighboursSha256: string;
  createdAt: string;
}

export function graphArtifactKey(inputs: GraphArtifactInputs): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ResolvedGraph {
  graph: NeighbourGraph;
  meta: GraphArtifactMeta;
  dir: string;
  /** True when an existing artifact was loaded instead of building. */
  reused: boolean;
}

export class GraphArtifacts {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.root = join(dataDir, 'artifacts', 'graphs');
  }

  /** The inputs that name the graph `options` would build for `corpus` ('auto' resolved). */
  inputsFor(corpus: Corpus, options: GraphBuildOptions): GraphArtifactInputs {
    const method =
      !options.method || options.method === 'auto'
        ? chooseGraphMethod(corpus.rows, corpus.dim)
        : options.method;
    const inputs: GraphArtifactInputs = {
      format: GRAPH_ARTIFACT_FORMAT,
      embeddingsHash: corpus.contentHash,
      rows: corpus.rows,
      dim: corpus.dim,
      k: checkGraphK(options.k ?? DEFAULT_GRAPH_K, corpus.rows),
      metric: options.metric ?? 'l2',
      method,
    };
    if (method === 'hnsw') {
      const { M, efConstruction, efSearch, seed } = { ...DEFAULT_HNSW, ...options.hnsw };
      inputs.hnsw = { M, efConstruction, efSearch, seed };
    }
    return inputs;
  }

  dir(key: string): string {
    return join(this.root, key);
  }

  /** The artifact of `key` when it is complete and intact; undefined (with the reason) otherwise. */
  load(key: string): { resolved?: ResolvedGraph; problem?: string } {
    const dir = this.dir(key);
    if (!existsSync(dir)) return { problem: 'absent' };
    let meta: GraphArtifactMeta;
    try {
      meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as GraphArtifactMeta;
    } catch {
      return { problem: `${join(dir, META_FILE)} is missing or not JSON` };
    }
    if (meta.key !== key || graphArtifactKey(meta.inputs) !== key)
      return { problem: `${dir}: meta.json describes other inputs` };
    const { rows, k } = meta.inputs;
    const file = join(dir, NEIGHBOURS_FILE);
    const bytes = rows * k * 4;
    if (!existsSync(file) || statSync(file).size !== bytes)
      return { problem: `${file} is not ${bytes} bytes` };
    const neighbours = new Int32Array(rows * k);
    const fd = openSync(file, 'r');
    try {
      const view = new Uint8Array(neighbours.buffer);
      let read = 0;
      while (read < bytes) read += readSync(fd, view, read, bytes - read, read);
    } finally {
      closeSync(fd);
    }
    const sha = createHash('sha256').update(new Uint8Array(neighbours.buffer)).digest('hex');
    if (sha !== meta.neighboursSha256) return { problem: `${file} does not match the checksum in meta.json` };
    return {
      resolved: {
        graph: { rows, k, neighbours, metric: meta.inputs.metric, method: meta.inputs.method },
        meta,
        dir,
        reused: true,
      },
    };
  }

  /** Loads the graph for these inputs, or builds, writes and returns it. */
  async resolve(
    corpus: Corpus,
    options: GraphBuildOptions = {},
    job: BuildProgress = {},
  ): Promise<ResolvedGraph> {
    const inputs = this.inputsFor(corpus, options);
    const key = graphArtifactKey(inputs);
    const found = this.load(key);
    if (found.resolved) return found.resolved;
    mkdirSync(this.root, { recursive: true });
    this.removeLeftovers();
    const building = join(
      this.root,
      `${BUILDING_PREFIX}${key.slice(0, 16)}-${process.pid}-${Date.now().toString(36)}`,
    );
    mkdirSync(building);
    writeFileSync(
      join(building, BUILDING_FILE),
      JSON.stringify({ pid: process.pid, startedAt: this.now().toISOString(), key }),
    );
    const fd = openSync(join(building, NEIGHBOURS_FILE), 'w');
    const hash = createHash('sha256');
    let closed = false;
    try {
      const { graph, report } = await buildNeighbourGraph(
        corpus,
        {
          ...options,
          k: inputs.k,
          metric: inputs.metric,
          method: inputs.method,
          hnsw: inputs.hnsw,
          onRows: (first, end, neighbours) => {
            // Rows complete in order; stream them out so a large graph is never written in one go at the end.
            const bytes = new Uint8Array(
              neighbours.buffer,
              neighbours.byteOffset + first * inputs.k * 4,
              (end - first) * inputs.k * 4,
            );
            hash.update(bytes);
            let written = 0;
            while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
          },
        },
        job,
      );
      fsyncSync(fd);
      closeSync(fd);
      closed = true;
      const meta: GraphArtifactMeta = {
        key,
        inputs,
        report,
        neighboursSha256: hash.digest('hex'),
        createdAt: this.now().toISOString(),
      };
      writeFileSync(join(building, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
      rmSync(join(building, BUILDING_FILE));
      const dir = this.dir(key);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // an untrusted (damaged) artifact
      try {
        renameSync(building, dir);
      } catch (err) {
        // Another process finished the same graph first: use theirs if it is intact.
        const theirs = this.load(key);
        if (theirs.resolved) {
          rmSync(building, { recursive: true, force: true });
          return theirs.resolved;
        }
        throw new WorkbenchError(
          'INTERNAL',
          `could not move the finished graph to ${dir}: ${(err as Error).message}`,
          { file: dir },
        );
      }
      return { graph, meta, dir, reused: false };
    } catch (err) {
      if (!closed) closeSync(fd);
      rmSync(building, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes `.building-…` folders whose process is gone (a build that was killed). */
  removeLeftovers(): string[] {
    if (!existsSync(this.root)) return [];
    const removed: string[] = [];
    for (const name of readdirSync(this.root)) {
      if (!name.startsWith(BUILDING_PREFIX)) continue;
      const dir = join(this.root, name);
      let pid = 0;
      try {
        pid = (JSON.parse(readFileSync(join(dir, BUILDING_FILE), 'utf8')) as { pid: number }).pid;
      } catch {
        // no readable marker: the build died before writing it, or finished writing meta and died before the rename
      }
      if (pid === process.pid || (pid > 0 && processAlive(pid))) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    return removed;
  }
}
