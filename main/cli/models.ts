import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  type ModelManifest,
  ModelRegistry,
  type RegisteredModel,
  type ValidationReport,
  validatePackage,
} from '../engine/models/index.ts';
import { PROVIDER_REQUESTS, type ProviderRequest } from '../engine/onnx/index.ts';
import type { CliContext } from './context.ts';
import { formatTable } from './datasets.ts';

/** `workbench models …`: import, list, show, validate and delete model packages (main/engine/models/README.md). */

function describeShape(m: ModelManifest): string {
  return m.kind === 'hypencoder'
    ? `embedding dim ${m.embeddingDim}, q-net dims [${m.qnet!.dims.join(', ')}]`
    : `embedding dim ${m.embeddingDim}, similarity ${m.similarity}`;
}

/** The stable JSON shape of `models show --json`. */
export function modelJson(model: RegisteredModel): Record<string, unknown> {
  const m = model.manifest;
  return {
    name: model.name,
    kind: m.kind,
    backbone: m.backbone,
    ...(m.description ? { description: m.description } : {}),
    embeddingDim: m.embeddingDim,
    query: m.query,
    doc: m.doc,
    pooling: m.pooling,
    ...(m.similarity ? { similarity: m.similarity } : {}),
    ...(m.qnet ? { qnet: { dims: m.qnet.dims, ...m.qnet.config } } : {}),
    provenance: m.provenance,
    dir: model.dir,
    importedAt: model.importedAt,
    importedFrom: model.importedFrom,
    packageHash: model.packageHash,
    documentEncoderHash: model.documentEncoderHash,
    validation: model.validation,
  };
}

function describeModel(model: RegisteredModel): string {
  const m = model.manifest;
  const lines = [
    `model ${model.name} (${m.kind}) from ${model.importedFrom}`,
    `  backbone          ${m.backbone}${m.description ? ` — ${m.description}` : ''}`,
    `  embedding dim     ${m.embeddingDim}, ${m.pooling.toUpperCase()} pooling (inside the graph)`,
    `  query             ${m.query.file}, maxLength ${m.query.maxLength}`,
    `  documents         ${m.doc.file}, maxLength ${m.doc.maxLength}`,
  ];
  if (m.qnet) {
    const c = m.qnet.config;
    lines.push(
      `  q-net             dims [${m.qnet.dims.join(', ')}], ${c.activation}, layerNorm ${c.layerNorm}${c.layerNorm ? ` (eps ${c.lnEps}, ${c.layerNormBeforeResidual ? 'before' : 'after'} residual)` : ''}, residual ${c.residual}${c.residual ? `, on last core block ${c.residualOnLast}` : ''}`,
    );
  } else lines.push(`  similarity        ${m.similarity === 'ip' ? 'inner product' : 'cosine'}`);
  lines.push(
    `  source            ${m.provenance.source} (exported by ${m.provenance.exporter}, ${m.provenance.createdAt})`,
    `  package sha256    ${model.packageHash}`,
    `  imported          ${model.importedAt} into ${model.dir}`,
  );
  return lines.join('\n');
}

function describeReport(report: ValidationReport): string {
  const lines = [`package "${report.name}" (${report.kind}) in ${report.dir} is valid`];
  for (const f of report.files)
    lines.push(`  ok  ${f.file}: ${f.bytes.toLocaleString('en-US')} bytes, sha256 matches`);
  const t = report.tokenizer;
  lines.push(
    `  ok  tokenizer: WordPiece, ${t.vocabSize.toLocaleString('en-US')} tokens, specials ${JSON.stringify(t.prefix)} … ${JSON.stringify(t.suffix)}, pad ${t.pad}`,
  );
  for (const g of report.graphs) {
    const shapes = Object.entries(g.probe.shapes)
      .map(([name, dims]) => `${name} [${dims.join(', ')}]`)
      .join(', ');
    lines.push(
      `  ok  ${g.role} graph ${g.file} on ${g.provider}: probe ${g.probe.batchSize} × ${g.probe.length} tokens → ${shapes}`,
    );
    if (g.notice) lines.push(`      note: ${g.notice}`);
  }
  return lines.join('\n');
}

const providerOption = () =>
  new Option('--provider <provider>', 'execution provider for the validation run')
    .choices([...PROVIDER_REQUESTS])
    .default('cpu');

export function registerModelCommands(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .description('import, list, show, validate and delete model packages');
  const registry = () => new ModelRegistry(ctx.dataDir);

  models
    .command('import')
    .argument('<dir>', 'model package folder (model.json, tokenizer.json, ONNX files)')
    .description('validate a package (hashes, graphs, a probe run) and register a copy of it')
    .option('--name <name>', "register under this name instead of the manifest's")
    .addOption(providerOption())
    .action(async (dir: string, opts: { name?: string; provider: ProviderRequest }) => {
      const model = await registry().import(dir, { name: opts.name, provider: opts.provider });
      const providers = [...new Set(model.validation.graphs.map((g) => g.provider))].join(', ');
      ctx.out(
        `imported model "${model.name}" (${model.manifest.kind}, ${model.manifest.backbone}): ${describeShape(model.manifest)}; validated on ${providers}`,
      );
    });

  models
    .command('list')
    .description('list registered models')
    .action(() => {
      const all = registry().list();
      if (all.length === 0) {
        ctx.out('no models yet — import one with `workbench models import DIR`');
        return;
      }
      ctx.out(
        formatTable(
          ['NAME', 'KIND', 'BACKBONE', 'DIM', 'Q-NET', 'IMPORTED'],
          all.map((m) => [
            m.name,
            m.manifest.kind,
            m.manifest.backbone,
            m.manifest.embeddingDim,
            m.manifest.qnet ? `[${m.manifest.qnet.dims.join(',')}]` : '-',
            m.importedAt,
          ]),
        ),
      );
    });

  models
    .command('show')
    .argument('<name>')
    .description('show a registered model')
    .option('--json', 'print a JSON object')
    .action((name: string, opts: { json?: boolean }) => {
      const model = registry().get(name);
      ctx.out(opts.json ? JSON.stringify(modelJson(model), null, 2) : describeModel(model));
    });

  models
    .command('validate')
    .argument('<dir-or-name>', 'a package folder, or the name of a registered model')
    .description('check files, hashes, tokenizer and graphs (with a probe run) without registering anything')
    .addOption(providerOption())
    .option('--json', 'print the report as JSON')
    .action(async (target: string, opts: { provider: ProviderRequest; json?: boolean }) => {
      const isDir = existsSync(target) && statSync(target).isDirectory();
      const report = isDir
        ? await validatePackage(resolve(target), { provider: opts.provider })
        : await registry().validate(target, { provider: opts.provider });
      ctx.out(opts.json ? JSON.stringify(report, null, 2) : describeReport(report));
    });

  models
    .command('delete')
    .argument('<name>')
    .description('delete a registered model (its embedding artifacts stay: they are shared by content)')
    .action((name: string) => {
      registry().delete(name);
      ctx.out(`deleted model "${name}"`);
    });
}
