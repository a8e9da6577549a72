import { API_EVENTS, type WorkbenchClient } from '../../preload/contract.ts';
import { useDatasetsStore } from './stores/datasets.ts';
import { useJobsStore } from './stores/jobs.ts';
import { useModelsStore } from './stores/models.ts';
import { useRunsStore } from './stores/runs.ts';

/**
 * The one place pushed events are subscribed (STYLE.md): job snapshots go to the jobs store, and a finished
 * job refreshes the stores whose data it changed. Call from the root component's setup.
 */
export function connectEvents(api: WorkbenchClient): () => void {
  const jobs = useJobsStore();
  const datasets = useDatasetsStore();
  const models = useModelsStore();
  const runs = useRunsStore();
  const off = api.events.subscribe(API_EVENTS.jobsProgress, (snapshot) => jobs.apply(snapshot));
  const offEnded = jobs.onEnded((job) => {
    if (job.state !== 'succeeded') return;
    if (job.kind.startsWith('datasets:')) void datasets.refresh();
    if (job.kind.startsWith('models:')) void models.refresh();
    if (job.kind.startsWith('runs:') || job.kind.startsWith('experiments:')) void runs.refresh();
  });
  void jobs.refresh();
  return () => {
    off();
    offEnded();
  };
}
