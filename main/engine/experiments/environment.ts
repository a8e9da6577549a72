import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { release, type } from 'node:os';
import { dirname, join } from 'node:path';
import { searchEnvironment } from '../search/index.ts';
import type { JsonObject } from '../store/index.ts';

/**
 * The machine and software behind every stored number (DESIGN.md §8): OS, CPU model, cores, RAM, GPUs if
 * any, the workbench's version and the versions of the libraries that compute results. The search runs
 * record the provider and threads they used on their own; this adds what they leave out.
 */

let gpusSeen: string[] | undefined;

/** NVIDIA GPUs by name: `nvidia-smi -L` when it is installed, else the driver's /proc entries (Linux). */
export function detectGpus(): string[] {
  if (gpusSeen) return gpusSeen;
  const found: string[] = [];
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 3000 });
  if (smi.status === 0 && smi.stdout) {
    for (const line of smi.stdout.split('\n')) {
      const m = /^GPU \d+: (.+?)(?: \(UUID|$)/.exec(line.trim());
      if (m) found.push(m[1]);
    }
  }
  const proc = '/proc/driver/nvidia/gpus';
  if (found.length === 0 && existsSync(proc)) {
    for (const bus of readdirSync(proc)) {
      try {
        const m = /^Model:\s*(.+)$/m.exec(readFileSync(join(proc, bus, 'information'), 'utf8'));
        if (m) found.push(m[1].trim());
      } catch {
        // An entry we cannot read says nothing about the GPU; skip it.
      }
    }
  }
  gpusSeen = found;
  return found;
}

/** A package's version, also for packages whose `exports` hide package.json: walk up from its entry point. */
function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 6; i++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
  } catch {
    // Not installed: say so below.
  }
  return 'unknown';
}

function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return pkg.name === 'hypencoder-workbench' && pkg.version ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function experimentEnvironment(extra: JsonObject = {}): JsonObject {
  const gpus = detectGpus();
  return searchEnvironment({
    os: `${type()} ${release()}`,
    gpus,
    workbench: appVersion(),
    tokenizers: packageVersion('@huggingface/tokenizers'),
    ...extra,
  });
}
