import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiCallError, type WorkbenchApi } from '../../../preload/contract.ts';
import DatasetsView from '../../../renderer/src/views/DatasetsView.vue';
import { fakeApi, mountWith, snapshot } from './helpers.ts';

type Listed = Awaited<ReturnType<WorkbenchApi['datasets']['list']>>;
type Preview = Awaited<ReturnType<WorkbenchApi['datasets']['preview']>>;

const rows = [
  {
    name: 'scifact',
    format: 'beir',
    stats: { documents: 5183, queries: 1109, judgedQueries: 300, judgments: 339, meanDocLength: 201.8 },
  },
  {
    name: 'dl19',
    format: 'trec',
    stats: { documents: 0, queries: 43, judgedQueries: 43, judgments: 9260, meanDocLength: 0 },
  },
] as unknown as Listed;

describe('DatasetsView', () => {
  it('lists the datasets the API returns, with their counts', async () => {
    const wrapper = mountWith(DatasetsView, fakeApi({ datasets: { list: async () => rows } }));
    await flushPromises();
    const scifact = wrapper
      .get('[data-testid="dataset-row-scifact"]')
      .findAll('td')
      .map((td) => td.text());
    expect(scifact).toEqual(['scifact', 'beir', '5,183', '1,109', '300', '339', '201.8']);
    expect(wrapper.find('[data-testid="dataset-row-dl19"]').exists()).toBe(true);
  });

  type Details = Awaited<ReturnType<WorkbenchApi['datasets']['show']>>;
  /** `datasets.show` answering for scifact, with `extra` laid over a plain answer. */
  const showing =
    (extra: Record<string, unknown>): (() => Promise<Details>) =>
    async () =>
      ({
        dataset: {
          name: 'scifact',
          format: 'beir',
          sourcePath: '/d',
          contentHash: 'ab'.repeat(32),
          hasCorpus: true,
          stats: {
            documents: 5183,
            queries: 1109,
            judgedQueries: 300,
            judgments: 339,
            meanDocLength: 201.8,
            meanQueryLength: 12.4,
            judgmentsPerLabel: { '1': 339 },
            unjudgedEntries: 0,
            splits: {},
            unknownQrels: { policy: 'keep', unknownQueries: 0, unknownDocuments: 0 },
          },
        },
        files: [],
        splits: [],
        fullTextIndex: { status: 'built', indexed: 5183, documents: 5183 },
        sampleQueries: [],
        card: null,
        ...extra,
      }) as unknown as Details;
  const openScifact = async (show: () => Promise<Details>) => {
    const wrapper = mountWith(DatasetsView, fakeApi({ datasets: { list: async () => rows, show } }));
    await flushPromises();
    await wrapper.get('[data-testid="dataset-row-scifact"]').trigger('click');
    await flushPromises();
    return wrapper;
  };

  it("shows a dataset's full-text index state: building n of N, which BM25 does not use yet", async () => {
    const wrapper = await openScifact(
      showing({ fullTextIndex: { status: 'building', indexed: 2000, documents: 5183 } }),
    );
    expect(wrapper.get('[data-testid="dataset-fulltext"]').text()).toBe(
      'building, 2,000 of 5,183 documents indexed (BM25 uses it once complete)',
    );
    expect(wrapper.find('[data-testid="dataset-card"]').exists()).toBe(false);
  });

  it("renders the dataset's card, raw HTML in it as text", async () => {
    const text =
      '### Card\n\n| system | nDCG@10 |\n|---|---:|\n| BM25 | 0.2780 |\n\n<img src=x onerror=alert(1)>\n';
    const wrapper = await openScifact(
      showing({ card: { file: 'DATASET_CARD.md', sha256: 'cd'.repeat(32), text } }),
    );
    const card = wrapper.get('[data-testid="dataset-card"]');
    expect(card.get('summary').text()).toContain('DATASET_CARD.md');
    expect(card.get('h3').text()).toBe('Card');
    expect(card.findAll('td').map((td) => td.text())).toEqual(['BM25', '0.2780']);
    expect(card.find('img').exists()).toBe(false);
    expect(card.text()).toContain('<img src=x onerror=alert(1)>');
  });

  it('says so when there is nothing', async () => {
    const wrapper = mountWith(DatasetsView, fakeApi({ datasets: { list: async () => [] } }));
    await flushPromises();
    expect(wrapper.get('[data-testid="datasets-empty"]').text()).toContain('No datasets yet');
  });

  it('shows the API error message', async () => {
    const list = async (): Promise<Listed> => {
      throw new ApiCallError('INTERNAL', 'database is locked');
    };
    const wrapper = mountWith(DatasetsView, fakeApi({ datasets: { list } }));
    await flushPromises();
    expect(wrapper.get('[data-testid="datasets-error"]').text()).toBe('database is locked');
  });

  it('walks the import wizard: detect with the typed path, preview the files, import as a tracked job', async () => {
    const preview = vi.fn(
      async (): Promise<Preview> =>
        ({
          name: 'scifact',
          format: 'beir',
          attachTo: null,
          sourcePath: '/d/scifact',
          keys: null,
          fullText: true,
          unknown: 'keep',
          nameTaken: false,
          files: [
            {
              role: 'corpus',
              path: '/d/scifact/corpus.jsonl',
              split: null,
              bytes: 2048,
              head: [{ lineNo: 1, text: '{"_id":"4983"}' }],
            },
            {
              role: 'qrels',
              path: '/d/scifact/qrels/test.tsv',
              split: 'test',
              bytes: 10,
              head: [{ lineNo: 1, text: 'query-id\tcorpus-id\tscore' }],
            },
          ],
        }) as Preview,
    );
    const importFn = vi.fn(async () => ({ jobId: 'job-1' }));
    const get = vi.fn(async () => snapshot({ id: 'job-1' }));
    const wrapper = mountWith(
      DatasetsView,
      fakeApi({ datasets: { list: async () => [], preview, import: importFn }, jobs: { get } }),
    );
    await flushPromises();
    await wrapper.get('[data-testid="open-import"]').trigger('click');
    await wrapper.get('[data-testid="wizard-path"]').setValue(' /d/scifact ');
    await wrapper.get('[data-testid="wizard-detect"]').trigger('submit');
    await flushPromises();
    expect(preview).toHaveBeenCalledWith({ path: '/d/scifact', unknown: 'keep', fullText: true });
    expect(wrapper.get('[data-testid="wizard-format"]').text()).toBe('beir');
    expect(wrapper.get('[data-testid="wizard-preview"]').text()).toContain('{"_id":"4983"}');
    expect((wrapper.get('[data-testid="wizard-name"]').element as HTMLInputElement).value).toBe('scifact');
    await wrapper.get('[data-testid="wizard-name"]').setValue('scifact-2');
    await wrapper.get('[data-testid="wizard-import"]').trigger('click');
    await flushPromises();
    expect(importFn).toHaveBeenCalledWith(expect.objectContaining({ path: '/d/scifact', name: 'scifact-2' }));
    const job = wrapper.get('[data-testid="job-job-1"]');
    expect(job.get('[data-testid="job-eta"]').text()).toBe('ETA 2 min 05 s');
    expect(job.text()).toContain('512 B / 1.0 KiB');
  });
});
