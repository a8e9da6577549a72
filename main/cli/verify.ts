import type { Command } from 'commander';
import { WorkbenchError } from '../engine/errors.ts';
import { PROVIDER_REQUESTS, type ProviderRequest } from '../engine/onnx/index.ts';
import {
  type ConformanceResult,
  checkConformance,
  DEFAULT_CHUNK_SIZE,
  QNET_KERNEL_REQUESTS,
  type QnetKernelRequest,
  QnetScorer,
  type QnetScorerSettings,
  readConformanceFile,
} from '../engine/qnet/index.ts';
import type { CliContext } from './context.ts';

interface VerifyQnetOptions {
  provider: string;
  threads?: number;
  chunkSize: number;
  kernel: string;
}

function wholeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new WorkbenchError('INVALID_ARGUMENT', `${flag} must be a whole number ≥ 1 (got "${value}")`, {
      field: flag,
    });
  }
  return n;
}

const pad = (text: string, width: number) => text.padEnd(width);

/**
 * `verify qnet FILE.json`: scores every golden case through the production ONNX path — one query at a
 * time and as a batch — and fails when any score leaves the file's tolerance.
 */
export function registerVerifyCommands(program: Command, ctx: Pick<CliContext, 'out' | 'err'>): void {
  const verify = program.command('verify').description('check the engine against golden reference vectors');
  verify
    .command('qnet')
    .description(
      'score the cases of a q-net reference file (qnet_reference.json format) through the production scorer',
    )
    .argument('<file>', 'reference file: generator description, cases and expected scores')
    .option('--provider <name>', `execution provider (${PROVIDER_REQUESTS.join('|')})`, 'cpu')
    .option('--threads <n>', 'intra-op threads (default: all logical cores)', (v) =>
      wholeNumber(v, '--threads'),
    )
    .option(
      '--chunk-size <n>',
      'documents per onnxruntime run',
      (v) => wholeNumber(v, '--chunk-size'),
      DEFAULT_CHUNK_SIZE,
    )
    .option(
      '--kernel <kernel>',
      `q-net kernel (${QNET_KERNEL_REQUESTS.join('|')}); auto: the native kernel with AVX-512 for one CPU thread`,
      'auto',
    )
    .action(async (file: string, opts: VerifyQnetOptions) => {
      if (!PROVIDER_REQUESTS.includes(opts.provider as ProviderRequest)) {
        throw new WorkbenchError(
          'INVALID_ARGUMENT',
          `Unknown provider "${opts.provider}". Use one of ${PROVIDER_REQUESTS.join(', ')}`,
          {
            field: '--provider',
          },
        );
      }
      const reference = readConformanceFile(file);
      let settings: QnetScorerSettings | undefined;
      const run = (batched: boolean) =>
        checkConformance(reference, async (spec, params, docs, nDocs) => {
          const scorer = await QnetScorer.create({
            spec,
            provider: opts.provider as ProviderRequest,
            threads: { intraOpNumThreads: opts.threads },
            chunkSize: opts.chunkSize,
            kernel: opts.kernel as QnetKernelRequest,
          });
          try {
            settings ??= scorer.settings;
            return batched
              ? await scorer.scoreBatch(params, docs, nDocs)
              : await scorer.score(params, docs, nDocs);
          } finally {
            await scorer.dispose();
          }
        });
      const single = await run(false);
      const batched = await run(true);
      if (settings?.notice) ctx.err(`notice: ${settings.notice}`);
      ctx.out(
        `q-net conformance: ${file}\n` +
          `rule |got − expected| / max(1, |expected|) ≤ ${reference.tolerance}; float32, kernel ${settings?.kernel}, on ${settings?.provider} ` +
          `(requested ${settings?.requested}), ${settings?.intraOpNumThreads} intra-op / ${settings?.interOpNumThreads} inter-op threads, ` +
          `chunks of ${opts.chunkSize} documents`,
      );
      const nameWidth = Math.max(4, ...single.map((r) => r.name.length)) + 2;
      const dimsText = (r: ConformanceResult) => r.dims.join('-');
      const dimsWidth = Math.max(4, ...single.map((r) => dimsText(r).length)) + 2;
      ctx.out(
        `${pad('case', nameWidth)}${pad('dims', dimsWidth)}${pad('docs', 7)}${pad('single', 12)}${pad('batched', 12)}result`,
      );
      const failed: string[] = [];
      single.forEach((r, i) => {
        const b = batched[i];
        const ok = r.passed && b.passed;
        if (!ok)
          failed.push(`${r.name} (${Math.max(r.maxRelativeError, b.maxRelativeError).toExponential(2)})`);
        ctx.out(
          `${pad(r.name, nameWidth)}${pad(dimsText(r), dimsWidth)}${pad(String(r.nDocs), 7)}` +
            `${pad(r.maxRelativeError.toExponential(2), 12)}${pad(b.maxRelativeError.toExponential(2), 12)}${ok ? 'ok' : 'FAIL'}`,
        );
      });
      if (failed.length > 0) {
        throw new WorkbenchError(
          'INTERNAL',
          `${file}: ${failed.length} of ${single.length} q-net cases exceed the tolerance ${reference.tolerance}: ${failed.join(', ')}. ` +
            'The ONNX q-net does not follow the reference semantics (DESIGN.md §4) for these configurations; compare with scoreReference',
          { file },
        );
      }
      ctx.out(
        `all ${single.length} cases within tolerance (max relative error columns: one query per run, and a batch of one)`,
      );
    });
}
