#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm dependencies when the lock file changed since the
// last install, and compiles TypeScript when any source is newer than the last build.
// Used by `npm start`, `npm test` and `npm run bench` so each works with no other step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const force = process.argv.includes('--force-build');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`prepare: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const pkg = join(root, 'package.json');
const installedAt = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const wanted = Math.max(statSync(pkg).mtimeMs, existsSync(lock) ? statSync(lock).mtimeMs : 0);
if (installedAt < wanted) {
  // `npm install`, not `npm ci`: npm 11 lock files omit other platforms' optional packages (biome's
  // binaries), which `npm ci` then reports as out of sync.
  run('npm', ['install', '--no-audit', '--no-fund']);
}

const built = join(root, 'dist', '.tsbuildinfo');
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const sourcesAt = Math.max(newest(join(root, 'src')), newest(join(root, 'bench')), statSync(join(root, 'tsconfig.json')).mtimeMs);
if (force || builtAt < sourcesAt) {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root]);
}
