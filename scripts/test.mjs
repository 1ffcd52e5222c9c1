#!/usr/bin/env node
// Runs every compiled *.test.js under dist/ whose TypeScript source still exists, with Node's
// built-in test runner (its summary line is what CI reads). System packages that tests talk to
// (nats-server, promtool, chromium) are installed first when missing; see scripts/system-deps.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureSystemDeps } from './system-deps.mjs';

const root = new URL('..', import.meta.url).pathname;
ensureSystemDeps();

function collect(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, out);
    else if (e.name.endsWith('.test.js')) {
      const src = join(root, relative(join(root, 'dist'), p)).replace(/\.js$/, '.ts');
      if (existsSync(src)) out.push(p);
    }
  }
  return out;
}

const only = process.argv.slice(2);
const files = collect(join(root, 'dist', 'src'), [])
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
