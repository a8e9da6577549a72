import { defineStore } from 'pinia';
import { shallowRef } from 'vue';

export const VIEWS = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'models', label: 'Models' },
  { id: 'experiment', label: 'Experiment' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'runs', label: 'Runs' },
  { id: 'results', label: 'Results' },
  { id: 'settings', label: 'Settings' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

const isView = (v: string): v is ViewId => VIEWS.some((x) => x.id === v);

/** Which view is open (mirrored in the address's #hash so that reload keeps it) and the drill-down asked for. */
export const useUiStore = defineStore('ui', () => {
  const fromHash = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  const view = shallowRef<ViewId>(isView(fromHash) ? fromHash : 'datasets');
  /** Two runs and a query to open in the drill-down. */
  const drill = shallowRef<{ runs: string[]; queryId: string } | null>(null);
  /** Two runs picked for comparison in the Runs view. */
  const compare = shallowRef<[string, string] | null>(null);

  function open(next: ViewId): void {
    view.value = next;
    if (typeof history !== 'undefined') history.replaceState(null, '', `#/${next}`);
  }

  function drillDown(runs: string[], queryId: string): void {
    drill.value = { runs, queryId };
  }

  return { view, drill, compare, open, drillDown };
});
