// Starts a TypeScript worker module in a checkout (tests, CLI through tsx): registers tsx in this thread,
// then imports the real entry. Built apps load their bundled JavaScript worker directly instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__tsEntry);
