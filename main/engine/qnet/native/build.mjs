#!/usr/bin/env node
// Builds the q-net CPU kernel (qnet_kernel.c → build/Release/qnet_kernel.node) with the node-gyp that ships
// with npm, against the headers of the running Node (no download). `npm ci` runs it (postinstall); so does
// `npm run build:native`. A failed build is not fatal: q-net scoring then stays on onnxruntime, and the app
// says why. `--strict` makes a failure exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');
const prefix = dirname(dirname(process.execPath));

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

// Local headers: npm's nodedir setting, else the running Node's own include/node (Debian, nodesource and the
// official tarballs all ship it), else node-gyp's default, which downloads them.
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function fail(reason) {
  console.warn(`q-net CPU kernel not built: ${reason}.`);
  console.warn(
    'q-net scoring will use onnxruntime only. Install a C compiler (Debian: apt-get install build-essential) and run `npm run build:native`.',
  );
  process.exit(strict ? 1 : 0);
}

const gyp = nodeGyp();
if (!gyp) fail('node-gyp (bundled with npm) was not found');
const dir = nodeDir();
const args = [gyp, 'rebuild', '--release', ...(dir ? [`--nodedir=${dir}`] : [])];
const result = spawnSync(process.execPath, args, {
  cwd: here,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
if (result.status !== 0) {
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((l) => /error|ERR!/i.test(l))
    .slice(0, 8)
    .join('\n');
  fail(`node-gyp exited with ${result.status ?? result.signal}\n${log}`);
}
console.log(`q-net CPU kernel built: ${join(here, 'build', 'Release', 'qnet_kernel.node')}`);
