/**
 * The API contract between renderer and engine. Channel names are `capability:verb`, built here and nowhere
 * else; the method list is checked against the engine's handler table at compile time, and the renderer's
 * type is derived from it.
 */

import type { ApiResult } from '../main/engine/api/handler.ts';
import type { WorkbenchApi, WorkbenchHandlers } from '../main/engine/api/index.ts';
import type { JobSnapshot } from '../main/engine/jobs/index.ts';

export type { ApiResult, JobSnapshot, WorkbenchApi };

export const API_METHODS = {
  system: ['info'],
  settings: ['get', 'set'],
  datasets: ['list', 'show', 'preview', 'import', 'delete'],
  models: ['list', 'show', 'import', 'validate', 'delete', 'providers'],
  jobs: ['list', 'get', 'cancel'],
  runs: ['list', 'show', 'delete', 'import', 'compare', 'queries', 'drilldown'],
  results: ['summary'],
  experiments: ['validate', 'run', 'list', 'runnerAvailable'],
  attacks: ['families', 'list'],
  reports: ['formats', 'export'],
  demo: ['status', 'run'],
} as const satisfies { [C in keyof WorkbenchHandlers]: readonly (keyof WorkbenchHandlers[C])[] };

// Every handler must be listed: a method missing from API_METHODS is a compile error here.
type Listed = { [C in keyof typeof API_METHODS]: (typeof API_METHODS)[C][number] };
type AllMethods = { [C in keyof WorkbenchHandlers]: keyof WorkbenchHandlers[C] };
type Unlisted = { [C in keyof AllMethods & keyof Listed]: Exclude<AllMethods[C], Listed[C]> };
const _complete: { [C in keyof Unlisted]: [Unlisted[C]] extends [never] ? true : false } & {
  [C in Exclude<keyof WorkbenchHandlers, keyof Listed>]: never;
} = {
  system: true,
  settings: true,
  datasets: true,
  models: true,
  jobs: true,
  runs: true,
  results: true,
  experiments: true,
  attacks: true,
  reports: true,
  demo: true,
};
void _complete;

export type Capability = keyof typeof API_METHODS;

export function channelOf(capability: string, verb: string): string {
  return `${capability}:${verb}`;
}

/** Events pushed to the renderer: over IPC in the desktop app, over SSE (`/api/events`) in browser mode. */
export const API_EVENTS = { jobsProgress: 'jobs:progress' } as const;
export type ApiEventName = (typeof API_EVENTS)[keyof typeof API_EVENTS];
export interface ApiEventPayloads {
  'jobs:progress': JobSnapshot;
}

/** The one member of `window.api` besides the capabilities: subscribing to pushed events. */
export const EVENTS_MEMBER = 'events';

export interface EventBridge {
  /** Calls `listener` on every event of that name until the returned function is called. */
  subscribe<E extends ApiEventName>(event: E, listener: (payload: ApiEventPayloads[E]) => void): () => void;
}

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
export type WorkbenchBridge = Envelopes<WorkbenchApi> & { events: EventBridge };

/** The renderer's client: methods resolve to values (errors thrown as ApiCallError), plus the events. */
export type WorkbenchClient = WorkbenchApi & { events: EventBridge };

type Transport = (channel: string, payload: unknown) => Promise<ApiResult<unknown>>;

function buildGroups<F>(make: (channel: string) => F): Record<string, Record<string, F>> {
  const api: Record<string, Record<string, F>> = {};
  for (const [capability, verbs] of Object.entries(API_METHODS)) {
    const group: Record<string, F> = {};
    for (const verb of verbs) group[verb] = make(channelOf(capability, verb));
    api[capability] = Object.freeze(group);
  }
  return api;
}

/** The bridge object (envelopes) over one transport: IPC in the preload, fetch in browser mode. */
export function buildBridge(call: Transport, events: EventBridge): WorkbenchBridge {
  const api = buildGroups((channel) => (input?: unknown) => call(channel, input)) as Record<string, unknown>;
  api[EVENTS_MEMBER] = Object.freeze({ subscribe: events.subscribe });
  return Object.freeze(api) as unknown as WorkbenchBridge;
}

/** The renderer's client: unwraps envelopes, throwing ApiCallError (code, message, details) on an error. */
export function unwrapBridge(bridge: WorkbenchBridge): WorkbenchClient {
  const raw = bridge as unknown as Record<
    string,
    Record<string, (input?: unknown) => Promise<ApiResult<unknown>>>
  >;
  const api = buildGroups((channel) => {
    const [capability, verb] = channel.split(':');
    return async (input?: unknown) => {
      const result = await raw[capability][verb](input);
      if (result.ok) return result.value;
      throw new ApiCallError(result.error.code, result.error.message, result.error.details);
    };
  }) as Record<string, unknown>;
  api[EVENTS_MEMBER] = bridge.events;
  return api as unknown as WorkbenchClient;
}

/** The names `window.api` must have, exactly: the capabilities and `events` (checked by the security tests). */
export function bridgeShape(): Record<string, string[]> {
  const shape: Record<string, string[]> = {};
  for (const [capability, verbs] of Object.entries(API_METHODS)) shape[capability] = [...verbs].sort();
  shape[EVENTS_MEMBER] = ['subscribe'];
  return shape;
}
