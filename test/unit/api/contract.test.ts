import { describe, expect, it } from 'vitest';
import { createApi } from '../../../main/engine/api/index.ts';
import {
  API_METHODS,
  ApiCallError,
  bridgeShape,
  buildBridge,
  channelOf,
  unwrapBridge,
} from '../../../preload/contract.ts';
import { harness } from './helpers.ts';

describe('the API contract', () => {
  it('lists exactly the handler table: every method has a handler and every handler is listed', () => {
    const h = harness();
    try {
      const table = h.handlers as unknown as Record<string, Record<string, unknown>>;
      const fromTable = Object.fromEntries(
        Object.entries(table).map(([c, verbs]) => [c, Object.keys(verbs).sort()]),
      );
      const listed = Object.fromEntries(
        Object.entries(API_METHODS).map(([c, verbs]) => [c, [...verbs].sort()]),
      );
      expect(fromTable).toEqual(listed);
      expect(typeof createApi).toBe('function');
    } finally {
      h.close();
    }
  });

  it('builds a frozen bridge with the contract and events only, calling `capability:verb` channels', async () => {
    const calls: [string, unknown][] = [];
    const bridge = buildBridge(
      async (channel, payload) => {
        calls.push([channel, payload]);
        return channel === 'datasets:show'
          ? {
              ok: false,
              error: { code: 'NOT_FOUND', message: 'no dataset named "x"', details: { field: 'name' } },
            }
          : { ok: true, value: [] };
      },
      { subscribe: () => () => {} },
    );
    const shape = Object.fromEntries(
      Object.entries(bridge).map(([k, v]) => [k, Object.keys(v as object).sort()]),
    );
    expect(shape).toEqual(bridgeShape());
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge.datasets)).toBe(true);
    expect(await bridge.datasets.list()).toEqual({ ok: true, value: [] });
    const client = unwrapBridge(bridge);
    await expect(client.datasets.show({ name: 'x' })).rejects.toEqual(
      new ApiCallError('NOT_FOUND', 'no dataset named "x"', { field: 'name' }),
    );
    expect(calls.map(([c]) => c)).toEqual([channelOf('datasets', 'list'), 'datasets:show']);
    expect(calls[1][1]).toEqual({ name: 'x' });
  });
});
