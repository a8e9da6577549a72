import { z } from 'zod';
import { WorkbenchError } from '../errors.ts';
import { ExperimentConfigSchema, jsonPath } from '../experiments/config.ts';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

export interface ConfigIssue {
  /** JSON path of the entry, e.g. `models[0].modes[1].params.nCandidates`. */
  path: string;
  message: string;
}

export interface ConfigCheck {
  valid: boolean;
  issues: ConfigIssue[];
  /** The config with its defaults filled in, when it parses. */
  normalized: unknown;
}

const MODE_KIND: Record<string, 'hypencoder' | 'biencoder' | null> = {
  exhaustive: 'hypencoder',
  graph: 'hypencoder',
  flat: 'biencoder',
  hnsw: 'biencoder',
  rerank: null,
};

export function experimentHandlers(ctx: ApiContext) {
  const { store, models } = ctx;
  /** Schema first (experiments/config.ts), then what only the data folder knows: names that must exist. */
  const check = (config: unknown): ConfigCheck => {
    const parsed = ExperimentConfigSchema.safeParse(config);
    if (!parsed.success) {
      return {
        valid: false,
        issues: parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
        normalized: null,
      };
    }
    const c = parsed.data;
    const issues: ConfigIssue[] = [];
    c.datasets.forEach((d, i) => {
      if (!store.datasets.get(d.name))
        issues.push({ path: `datasets[${i}].name`, message: `no dataset named "${d.name}": import it first (Datasets)` });
    });
    c.models.forEach((m, i) => {
      if (!models.has(m.name)) {
        issues.push({ path: `models[${i}].name`, message: `no model named "${m.name}" is registered: import it first (Models)` });
        return;
      }
      const kind = models.get(m.name).manifest.kind;
      m.modes.forEach((mode, j) => {
        const needs = MODE_KIND[mode.mode];
        if (needs && needs !== kind)
          issues.push({
            path: `models[${i}].modes[${j}].mode`,
            message: `mode "${mode.mode}" needs a ${needs}; "${m.name}" is a ${kind}`,
          });
      });
    });
    return { valid: issues.length === 0, issues, normalized: c };
  };
  return {
    /** Validates as the builder is typed: every problem at once, each with its JSON path. */
    validate: handler(z.object({ config: z.unknown() }).strict(), ({ config }) => check(config)),
    run: handler(z.object({ config: z.unknown() }).strict(), ({ config }): { jobId: string } => {
      const result = check(config);
      if (!result.valid) {
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `invalid experiment config: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { field: result.issues[0]?.path ?? '(root)' },
        );
      }
      throw new WorkbenchError(
        'UNAVAILABLE',
        'the experiment runner is not part of this build yet; run searches with `workbench search` and import their runs',
      );
    }),
    runnerAvailable: handler(noInput, () => ({ available: false as boolean, reason: 'the experiment runner is not part of this build yet' as string | null })),
  };
}
