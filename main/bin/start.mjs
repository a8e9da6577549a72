#!/usr/bin/env node
// `npm start`: builds the app when needed, then runs the desktop app when the Electron binary is installed
// and usable, and otherwise says exactly what is missing and opens browser mode instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const built = join(root, 'out', 'renderer', 'index.html');

function run(cmd, args, env = {}) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
}

if (!existsSync(built) || process.env.WORKBENCH_REBUILD === '1') {
  console.log('Building the app (electron-vite build)…');
  const r = run(process.execPath, [
    join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
    'build',
  ]);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Why the desktop app cannot start here, or undefined when it can. */
function electronProblem() {
  let electronPath;
  try {
    const pathFile = join(dirname(require.resolve('electron/package.json')), 'path.txt');
    if (!existsSync(pathFile)) {
      return 'the Electron binary is not installed (its download was skipped at install). On a machine that can reach github.com run: npm run electron:fetch && npm run electron:rebuild';
    }
    electronPath = join(
      dirname(require.resolve('electron/package.json')),
      'dist',
      readFileSync(pathFile, 'utf8').trim(),
    );
  } catch {
    return 'the electron package is missing: run npm ci';
  }
  if (!existsSync(electronPath))
    return `the Electron binary ${electronPath} is missing: run npm run electron:fetch`;
  // better-sqlite3 must be compiled for Electron's Node ABI, not the system Node's.
  const probe = spawnSync(electronPath, ['-e', "require('better-sqlite3')(':memory:').close()"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    return `better-sqlite3 is not built for Electron (${(probe.stderr || '').split('\n')[0]}): run npm run electron:rebuild`;
  }
  return { electronPath };
}

const problem = electronProblem();
if (typeof problem === 'object') {
  const r = run(problem.electronPath, [root]);
  process.exit(r.status ?? 0);
}
console.log(`Desktop app unavailable: ${problem}.`);
console.log('Falling back to browser mode (the same app and API over http://127.0.0.1 with a token).');
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli.ts');
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
