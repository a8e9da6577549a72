import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { JsonObject } from '../store/index.ts';

/** Hardware and library versions, stored with every search run and printed with every benchmark (DESIGN.md §8). */
export function searchEnvironment(extra: JsonObject = {}): JsonObject {
  const require = createRequire(import.meta.url);
  const version = (name: string): string => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: availableParallelism(),
    memoryBytes: totalmem(),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    onnxruntime: version('onnxruntime-node'),
    hnswlib: version('hnswlib-node'),
    sqlite: version('better-sqlite3'),
    ...extra,
  };
}
