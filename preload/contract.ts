/**
 * The API contract between renderer and engine. Channel names are `capability:verb`, built here and nowhere
 * else; the method list is checked against the engine's handler table at compile time, and the renderer's
 * type is derived from it.
 */

import type { ApiResult } from '../main/engine/api/handler.ts';
import type { WorkbenchApi, WorkbenchHandlers } from '../main/engine/api/index.ts';

export type { ApiResult, WorkbenchApi };

export const API_METHODS = {
  system: ['info'],
  datasets: ['list', 'show'],
} as const satisfies { [C in keyof WorkbenchHandlers]: readonly (keyof WorkbenchHandlers[C])[] };

// Every handler must be listed: a method missing from API_METHODS is a compile error here.
type Listed = { [C in keyof typeof API_METHODS]: (typeof API_METHODS)[C][number] };
type AllMethods = { [C in keyof WorkbenchHandlers]: keyof WorkbenchHandlers[C] };
const _complete: { [C in keyof AllMethods]: Exclude<AllMethods[C], Listed[C]> extends never ? true : false } =
  {
    system: true,
    datasets: true,
  };
void _complete;

export type Capability = keyof typeof API_METHODS;

export function channelOf(capability: string, verb: string): string {
  return `${capability}:${verb}`;
}

/** Server-sent / IPC events pushed to the renderer. */
export const API_EVENTS = { jobsProgress: 'jobs:progress' } as const;

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

type Envelopes<T> = {
  [C in keyof T]: {
    [V in keyof T[C]]: T[C][V] extends (input: infer I) => Promise<infer O>
      ? (input?: I) => Promise<ApiResult<O>>
      : never;
  };
};

/** What the preload exposes as `window.api`: every method answers with an envelope, errors as data. */
export type WorkbenchBridge = Envelopes<WorkbenchApi>;

type Transport = (channel: string, payload: unknown) => Promise<ApiResult<unknown>>;

function buildGroups<F>(make: (channel: string) => F): Record<string, Record<string, F>> {
  const api: Record<string, Record<string, F>> = {};
  for (const [capability, verbs] of Object.entries(API_METHODS)) {
    const group: Record<string, F> = {};
    for (const verb of verbs) group[verb] = make(channelOf(capability, verb));
    api[capability] = Object.freeze(group);
  }
  return Object.freeze(api);
}

/** The bridge object (envelopes) over one transport: IPC in the preload, fetch in browser mode. */
export function buildBridge(call: Transport): WorkbenchBridge {
  return buildGroups((channel) => (input?: unknown) => call(channel, input)) as unknown as WorkbenchBridge;
}

/** The renderer's client: unwraps envelopes, throwing ApiCallError (code, message, details) on an error. */
export function unwrapBridge(bridge: WorkbenchBridge): WorkbenchApi {
  const raw = bridge as unknown as Record<
    string,
    Record<string, (input?: unknown) => Promise<ApiResult<unknown>>>
  >;
  return buildGroups((channel) => {
    const [capability, verb] = channel.split(':');
    return async (input?: unknown) => {
      const result = await raw[capability][verb](input);
      if (result.ok) return result.value;
      throw new ApiCallError(result.error.code, result.error.message, result.error.details);
    };
  }) as unknown as WorkbenchApi;
}
