// The production worker entry: every pool the engine starts by default (`enginePool`) runs this module,
// which serves all the engine's task tables. It imports the task modules themselves rather than their
// capabilities' index files, so a worker thread loads only what its tasks run (no store, no HNSW addon).
import { encodeTasks } from '../encode/tasks.ts';
import { searchTasks } from '../search/tasks.ts';
import { serveTasks } from './serve.ts';

export const engineTasks = { ...searchTasks, ...encodeTasks };

serveTasks(engineTasks);
