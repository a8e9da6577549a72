import { z } from 'zod';
import { type ErrorData, toErrorData } from '../errors.ts';

/** The envelope every API call answers with, over IPC and HTTP alike: errors cross as data. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** One API method: validates its payload with its schema before the engine sees it. */
export interface Handler<I, O> {
  readonly schema: z.ZodType<I>;
  run(payload: unknown): Promise<ApiResult<O>>;
}

export function handler<S extends z.ZodType, O>(
  schema: S,
  fn: (input: z.output<S>) => O | Promise<O>,
): Handler<z.input<S>, Awaited<O>> {
  return {
    schema: schema as unknown as z.ZodType<z.input<S>>,
    async run(payload: unknown) {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.path.join('.') || '(payload)';
        return {
          ok: false,
          error: {
            code: 'INVALID_ARGUMENT',
            message: `invalid request: ${path}: ${issue?.message ?? 'malformed'}`,
            details: { field: path },
          },
        };
      }
      try {
        return { ok: true, value: await fn(parsed.data) };
      } catch (err) {
        return { ok: false, error: toErrorData(err) };
      }
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the constraint of a handler table of any shape
export type AnyHandler = Handler<any, any>;
export type HandlerTable = Record<string, Record<string, AnyHandler>>;

/** The payload of a method that takes none: nothing, or an empty object (what a form without fields sends). */
export const noInput = z.undefined().or(z.object({}).strict());

/** A method whose schema accepts `undefined` may be called without an argument. */
type Method<I, O> = undefined extends I ? (input?: I) => Promise<O> : (input: I) => Promise<O>;

/** The renderer-facing shape of a handler table: each method takes its input and resolves to its output. */
export type ClientOf<T extends HandlerTable> = {
  [C in keyof T]: {
    [V in keyof T[C]]: T[C][V] extends Handler<infer I, infer O> ? Method<I, O> : never;
  };
};
