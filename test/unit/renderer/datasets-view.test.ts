import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type WorkbenchApi } from '../../../preload/contract.ts';
import { API_KEY } from '../../../renderer/src/injection.ts';
import DatasetsView from '../../../renderer/src/views/DatasetsView.vue';

type Listed = Awaited<ReturnType<WorkbenchApi['datasets']['list']>>;

function fakeApi(list: () => Promise<Listed>): WorkbenchApi {
  return { datasets: { list } } as unknown as WorkbenchApi;
}

function mountWith(api: WorkbenchApi) {
  return mount(DatasetsView, { global: { plugins: [createPinia()], provide: { [API_KEY as symbol]: api } } });
}

describe('DatasetsView', () => {
  it('lists the datasets the API returns, with their counts', async () => {
    const rows = [
      {
        name: 'scifact',
        format: 'beir',
        stats: { documents: 5183, queries: 1109, judgedQueries: 300, judgments: 339 },
      },
      {
        name: 'dl19',
        format: 'trec',
        stats: { documents: 0, queries: 43, judgedQueries: 43, judgments: 9260 },
      },
    ] as unknown as Listed;
    const wrapper = mountWith(fakeApi(async () => rows));
    await flushPromises();
    const scifact = wrapper
      .get('[data-testid="dataset-row-scifact"]')
      .findAll('td')
      .map((td) => td.text());
    expect(scifact).toEqual(['scifact', 'beir', '5183', '1109', '300', '339']);
    expect(wrapper.find('[data-testid="dataset-row-dl19"]').exists()).toBe(true);
  });

  it('says so when there is nothing', async () => {
    const wrapper = mountWith(fakeApi(async () => []));
    await flushPromises();
    expect(wrapper.get('[data-testid="datasets-empty"]').text()).toContain('No datasets yet');
  });

  it('shows the API error message', async () => {
    const wrapper = mountWith(
      fakeApi(async () => {
        throw new ApiCallError('INTERNAL', 'database is locked');
      }),
    );
    await flushPromises();
    expect(wrapper.get('[data-testid="datasets-error"]').text()).toBe('database is locked');
  });
});
