import { type Command, Option } from 'commander';
import {
  ATTACK_FAMILIES,
  type AttackFamily,
  type AttackParams,
  AttackService,
  FAMILY_VARIANTS,
  isAttackFamily,
  MAX_SETS_PER_REQUEST,
  type VariationSetRecord,
} from '../engine/attacks/index.ts';
import { WorkbenchError } from '../engine/errors.ts';
import type { CliContext } from './context.ts';
import { formatTable, withInterrupt } from './datasets.ts';

function whole(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new WorkbenchError('INVALID_ARGUMENT', `${flag} must be a whole number ${range} (got "${value}")`, {
      field: flag,
    });
  }
  return n;
}

/** `--param key=value`, repeatable; "true"/"false" are booleans, numbers are numbers. */
function collectParam(value: string, previous: AttackParams = {}): AttackParams {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `--param takes key=value (got "${value}"), e.g. --param minWordLength=4`,
      { field: '--param' },
    );
  }
  const key = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  const parsed =
    raw === 'true'
      ? true
      : raw === 'false'
        ? false
        : raw !== '' && Number.isFinite(Number(raw))
          ? Number(raw)
          : raw;
  return { ...previous, [key]: parsed };
}

function family(value: string, flag: string): AttackFamily {
  if (!isAttackFamily(value)) {
    throw new WorkbenchError(
      'INVALID_ARGUMENT',
      `${flag}: unknown family "${value}". Families: ${ATTACK_FAMILIES.join(', ')}`,
      { field: flag },
    );
  }
  return value;
}

function setJson(set: VariationSetRecord): Record<string, unknown> {
  return {
    name: set.name,
    dataset: set.datasetName,
    family: set.family,
    variant: set.variant,
    seed: set.seed,
    params: set.params,
    split: set.split,
    source: set.source,
    sourcePath: set.sourcePath,
    generatorVersion: set.generatorVersion,
    summary: set.summary,
    createdAt: set.createdAt,
  };
}

function describeSet(set: VariationSetRecord): string {
  const s = set.summary;
  const params = Object.keys(set.params).length ? JSON.stringify(set.params) : '(defaults)';
  return [
    `variation set ${set.name}`,
    `  dataset   ${set.datasetName}${set.split ? ` (split ${set.split})` : ''}`,
    `  attack    ${set.family}/${set.variant}`,
    set.source === 'generated'
      ? `  seed      ${set.seed} (generator version ${set.generatorVersion}), parameters ${params}`
      : `  source    imported from ${set.sourcePath}${set.params.originalMismatches ? ` (${set.params.originalMismatches} original texts differ from the dataset's)` : ''}`,
    `  queries   ${s.queries}: ${s.changed} changed, ${s.queries - s.changed} unchanged${s.noCandidate ? ` (${s.noCandidate} without a candidate)` : ''}`,
  ].join('\n');
}

function summaryLine(set: VariationSetRecord): string {
  const s = set.summary;
  return `${set.name}: ${s.queries} queries, ${s.changed} changed${s.noCandidate ? `, ${s.noCandidate} without a candidate` : ''}`;
}

/** `attacks generate|import|list|show|delete`: query-variation sets of the store's datasets. */
export function registerAttackCommands(program: Command, ctx: CliContext): void {
  const attacks = program
    .command('attacks')
    .description('query-variation attacks: generate, import, list and show variation sets');
  const service = (): AttackService => new AttackService(ctx.store());

  attacks
    .command('generate')
    .description(
      "generate seeded variation sets of a dataset's queries (same spec and seed → same texts; stored once)",
    )
    .requiredOption(
      '--family <family>',
      `${ATTACK_FAMILIES.filter((f) => f !== 'paraphrase').join('|')}, or all (every variant of every family that can be generated)`,
    )
    .option(
      '--variant <variant>',
      `variant of the family (default: its first): ${Object.entries(FAMILY_VARIANTS)
        .filter(([f]) => f !== 'paraphrase')
        .map(([f, v]) => `${f}: ${v.join(', ')}`)
        .join('; ')}`,
    )
    .requiredOption('--seed <n>', 'seed of the first set (set k uses seed + k − 1)', (v) =>
      whole(v, '--seed', 0),
    )
    .requiredOption('--dataset <name>', 'dataset whose queries are varied')
    .option('--split <split>', 'vary only the queries of this split')
    .option(
      '--sets <n>',
      `number of sets, consecutive seeds (1–${MAX_SETS_PER_REQUEST}; DL-typo uses 10)`,
      (v) => whole(v, '--sets', 1, MAX_SETS_PER_REQUEST),
      1,
    )
    .option(
      '--param <key=value>',
      'generator parameter, repeatable (misspelling variants: minWordLength, skipStopWords, lowercase)',
      collectParam,
    )
    .option(
      '--name <name>',
      'set name (with --sets > 1: prefix of NAME/seedS); default DATASET/FAMILY-VARIANT/seedS',
    )
    .action(
      (opts: {
        family: string;
        variant?: string;
        seed: number;
        dataset: string;
        split?: string;
        sets: number;
        param?: AttackParams;
        name?: string;
      }) => {
        const svc = service();
        try {
          const all = opts.family === 'all';
          if (all && (opts.variant || opts.param || opts.name)) {
            throw new WorkbenchError(
              'INVALID_ARGUMENT',
              '--family all takes no --variant, --param or --name',
              { field: '--family' },
            );
          }
          const requests = all
            ? svc
                .families()
                .flatMap((f) =>
                  f.generate ? f.variants.map((variant) => ({ family: f.family, variant })) : [],
                )
            : [{ family: family(opts.family, '--family'), variant: opts.variant }];
          for (const r of requests) {
            const made = svc.generate({
              ...r,
              seed: opts.seed,
              dataset: opts.dataset,
              split: opts.split,
              sets: opts.sets,
              params: opts.param,
              name: opts.name,
            });
            for (const m of made) ctx.out(`${m.created ? 'created' : 'exists '} ${summaryLine(m.set)}`);
          }
          if (all) {
            for (const f of svc.families())
              if (!f.generate) ctx.err(`skipped ${f.family}: unavailable — ${f.reason}`);
          }
        } finally {
          svc.close();
        }
      },
    );

  attacks
    .command('import')
    .argument(
      '<file>',
      'TSV "qid<TAB>query" (as DL-typo ships) or query_variation_generators CSV; .gz accepted',
    )
    .description('import external variation sets into a dataset (a CSV gives one set per method in it)')
    .requiredOption('--dataset <name>', 'dataset the queries belong to')
    .addOption(
      new Option('--format <format>', 'file format (default: csv for *.csv, else tsv)').choices([
        'tsv',
        'csv',
      ]),
    )
    .option(
      '--family <family>',
      "family of a TSV file's variations (default: misspelling, as DL-typo)",
      (v) => family(v, '--family'),
    )
    .option('--name <name>', 'set name (a CSV appends /METHOD per set); default DATASET/FILE-NAME')
    .action(
      async (
        file: string,
        opts: { dataset: string; format?: 'tsv' | 'csv'; family?: AttackFamily; name?: string },
      ) => {
        const svc = service();
        try {
          const sets = await withInterrupt(() => svc.import(file, opts));
          for (const set of sets) {
            ctx.out(`imported ${summaryLine(set)} (${set.family}/${set.variant})`);
            const mismatches = Number(set.params.originalMismatches ?? 0);
            if (mismatches > 0)
              ctx.err(
                `warning: ${mismatches} rows of ${set.name} give an original query that differs from the dataset's text`,
              );
          }
        } finally {
          svc.close();
        }
      },
    );

  attacks
    .command('list')
    .description('list variation sets and which attack families can be generated here')
    .option('--dataset <name>', 'only the sets of this dataset')
    .option('--json', 'print JSON')
    .action((opts: { dataset?: string; json?: boolean }) => {
      const svc = service();
      const sets = svc.list(opts.dataset);
      const families = svc.families();
      if (opts.json) {
        ctx.out(JSON.stringify({ sets: sets.map(setJson), families }, null, 2));
        return;
      }
      if (sets.length === 0)
        ctx.out('no variation sets yet: make some with `attacks generate` or `attacks import`');
      else {
        ctx.out(
          formatTable(
            ['set', 'dataset', 'attack', 'seed', 'queries', 'changed', 'source'],
            sets.map((s) => [
              s.name,
              s.datasetName,
              `${s.family}/${s.variant}`,
              s.seed ?? '-',
              s.summary.queries,
              s.summary.changed,
              s.source,
            ]),
          ),
        );
      }
      ctx.out('\nattack families');
      ctx.out(
        formatTable(
          ['family', 'generate'],
          families.map((f) => [f.family, f.generate ? f.variants.join(', ') : `unavailable: ${f.reason}`]),
        ),
      );
    });

  attacks
    .command('show')
    .argument('<set>', 'variation set name')
    .description('show a variation set: per query the original, the variation, changed or not, and the edit')
    .option('--json', 'print JSON (the set and all its variations)')
    .action((name: string, opts: { json?: boolean }) => {
      const { set, variations } = service().show(name);
      if (opts.json) {
        ctx.out(JSON.stringify({ set: setJson(set), variations }, null, 2));
        return;
      }
      ctx.out(describeSet(set));
      ctx.out('');
      ctx.out(['qid', 'changed', 'original', 'variation', 'edit'].join('\t'));
      for (const v of variations)
        ctx.out([v.queryId, v.changed ? 'yes' : 'no', v.original, v.text, v.edit].join('\t'));
    });

  attacks
    .command('delete')
    .argument('<set>', 'variation set name')
    .description('delete a variation set')
    .action((name: string) => {
      service().delete(name);
      ctx.out(`deleted variation set ${name}`);
    });
}
