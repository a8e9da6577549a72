import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import type { JobSnapshot, WorkbenchClient } from '../../../preload/contract.ts';
import { API_KEY } from '../../../renderer/src/injection.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (...a: never[]) => unknown ? T[K] : DeepPartial<T[K]> };

/** A client with only the methods a test needs; any other call fails the test loudly. */
export function fakeApi(parts: DeepPartial<WorkbenchClient>): WorkbenchClient {
  const listeners = new Set<(s: JobSnapshot) => void>();
  const events = {
    subscribe: (_e: string, l: (s: JobSnapshot) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const base = { events, ...parts } as Record<string, Record<string, unknown>>;
  return new Proxy(base, {
    get(target, capability: string) {
      const group = target[capability] ?? {};
      return new Proxy(group, {
        get(g, verb: string) {
          if (verb in g) return g[verb];
          return () => Promise.reject(new Error(`unexpected call ${capability}.${verb}`));
        },
      });
    },
  }) as unknown as WorkbenchClient;
}

export function mountWith(component: Component, api: WorkbenchClient, props: Record<string, unknown> = {}) {
  return mount(component, {
    props,
    global: {
      plugins: [createPinia()],
      provide: { [API_KEY as symbol]: api },
      stubs: {
        ChartBox: {
          props: ['option', 'testid', 'title'],
          template: '<figure :data-testid="testid"></figure>',
        },
      },
    },
  });
}

export function snapshot(over: Partial<JobSnapshot> & { id: string }): JobSnapshot {
  return {
    kind: 'datasets:import',
    label: 'import dataset x',
    state: 'running',
    progress: { fraction: 0.5, stage: 'corpus', done: 512, total: 1024, ratePerSecond: 100, etaSeconds: 125 },
    createdAt: 0,
    startedAt: 0,
    endedAt: null,
    ...over,
  };
}
