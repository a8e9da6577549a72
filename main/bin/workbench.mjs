#!/usr/bin/env node
// The `workbench` command: runs the TypeScript CLI through tsx so that a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

// `workbench … | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
