import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { JobSnapshot } from '../../../preload/contract.ts';
import { useJobsStore } from '../../../renderer/src/stores/jobs.ts';
import JobsView from '../../../renderer/src/views/JobsView.vue';
import { fakeApi, mountWith, snapshot } from './helpers.ts';

describe('JobsView and the jobs store', () => {
  it('shows progress with ETA, applies pushed snapshots by id and cancels through the API', async () => {
    const cancel = vi.fn(async () => ({ cancelling: true }));
    const wrapper = mountWith(
      JobsView,
      fakeApi({ jobs: { list: async () => [snapshot({ id: 'a' })], cancel } }),
    );
    await flushPromises();
    const job = wrapper.get('[data-testid="job-a"]');
    expect(job.get('[data-testid="job-eta"]').text()).toBe('ETA 2 min 05 s');
    expect(job.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('50');
    await job.get('[data-testid="job-cancel"]').trigger('click');
    expect(cancel).toHaveBeenCalledWith({ id: 'a' });

    const jobs = useJobsStore();
    const ended: string[] = [];
    jobs.onEnded((j) => ended.push(`${j.id}:${j.state}`));
    jobs.apply(
      snapshot({
        id: 'a',
        state: 'cancelled',
        endedAt: 5,
        progress: { ...snapshot({ id: 'a' }).progress, stage: 'corpus' },
      }),
    );
    // a late progress event must not bring an ended job back to life
    jobs.apply(snapshot({ id: 'a' }));
    jobs.apply(
      snapshot({
        id: 'b',
        kind: 'models:import',
        progress: {
          fraction: null,
          stage: 'validating',
          done: 0,
          total: null,
          ratePerSecond: null,
          etaSeconds: null,
        },
      }),
    );
    await flushPromises();
    expect(ended).toEqual(['a:cancelled']);
    expect(jobs.items.map((j: JobSnapshot) => [j.id, j.state])).toEqual([
      ['b', 'running'],
      ['a', 'cancelled'],
    ]);
    expect(wrapper.get('[data-testid="jobs-ended"]').text()).toContain('cancelled');
    const b = wrapper.get('[data-testid="job-b"]');
    expect(b.find('[data-testid="job-eta"]').exists()).toBe(false); // no total, no ETA
    expect(b.get('.progress').classes()).toContain('indeterminate');
  });
});
