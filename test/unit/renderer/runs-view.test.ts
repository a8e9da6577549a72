import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { WorkbenchApi } from '../../../preload/contract.ts';
import RunsView from '../../../renderer/src/views/RunsView.vue';
import { fakeApi, mountWith } from './helpers.ts';

type Run = Awaited<ReturnType<WorkbenchApi['runs']['list']>>[number];
type Comparison = Awaited<ReturnType<WorkbenchApi['runs']['compare']>>;

const run = (name: string, p50: number | null, params: Run['params']): Run =>
  ({
    name,
    dataset: 'scifact',
    source: 'search:qnet-graph',
    format: 'search',
    status: 'ready',
    createdAt: `2026-01-0${name.length}T00:00:00Z`,
    queries: 300,
    params,
    latencyMs: p50 === null ? null : { p50, p95: p50, p99: p50, mean: p50 },
    profile: null,
    querySet: null,
  }) as Run;

const runs = [
  run('hyp-64', 12, { mode: 'qnet-graph', 'graphSearch.nCandidates': 64 }),
  run('hyp-8', 3, { mode: 'qnet-graph', 'graphSearch.nCandidates': 8 }),
  run('bm25', null, { mode: 'bm25' }),
];

describe('RunsView', () => {
  it('sorts by latency, filters by parameter, and compares exactly the two runs picked', async () => {
    const compare = vi.fn(
      async (): Promise<Comparison> =>
        ({
          a: runs[1],
          b: runs[0],
          parameters: [{ key: 'graphSearch.nCandidates', a: 8, b: 64 }],
          latency: { a: runs[1].latencyMs, b: runs[0].latencyMs },
          comparisons: [],
        }) as unknown as Comparison,
    );
    const wrapper = mountWith(
      RunsView,
      fakeApi({
        runs: { list: async () => runs, compare, queries: async () => [] },
        datasets: { list: async () => [] },
      }),
    );
    await flushPromises();
    const names = () => wrapper.findAll('[data-testid^="run-row-"]').map((r) => r.findAll('td')[1].text());
    await wrapper.get('[data-testid="sort-latency"]').trigger('click');
    expect(names()).toEqual(['hyp-8', 'hyp-64', 'bm25']); // no latency sorts last
    await wrapper.get('[data-testid="sort-latency"]').trigger('click');
    expect(names()).toEqual(['bm25', 'hyp-64', 'hyp-8']);
    await wrapper.get('[data-testid="runs-filter"]').setValue('ncandidates=64');
    expect(names()).toEqual(['hyp-64']);
    await wrapper.get('[data-testid="runs-filter"]').setValue('');

    expect(wrapper.get('[data-testid="runs-compare"]').attributes('disabled')).toBeDefined();
    for (const n of ['bm25', 'hyp-8', 'hyp-64'])
      await wrapper.get(`[data-testid="run-pick-${n}"]`).trigger('change');
    // a third pick drops the oldest: hyp-8 and hyp-64 remain
    await wrapper.get('[data-testid="runs-compare"]').trigger('click');
    await flushPromises();
    expect(compare).toHaveBeenCalledWith({ a: 'hyp-8', b: 'hyp-64' });
    const params = wrapper.get('[data-testid="compare-params"]').findAll('tbody tr');
    expect(params.map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['graphSearch.nCandidates', '8', '64'],
    ]);
  });
});
