import { z } from 'zod';
import type { ApiContext } from './context.ts';
import { handler, noInput } from './handler.ts';

export function attackHandlers(ctx: ApiContext) {
  const { attacks } = ctx;
  return {
    /** The query-variation families and whether each can be generated here (paraphrase needs a model). */
    families: handler(noInput, () => attacks.families()),
    /** Stored variation sets, of one dataset or all. */
    list: handler(
      z.undefined().or(z.object({ dataset: z.string().min(1).max(200).optional() }).strict()),
      (input) => attacks.list(input?.dataset),
    ),
  };
}
