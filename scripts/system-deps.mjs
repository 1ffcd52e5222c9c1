// The Debian packages the test suite and benchmarks talk to. Installed with apt-get when missing
// (the machines run as root); a fresh machine has none of them until this runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = [
  { bin: '/usr/sbin/nats-server', pkg: 'nats-server' },
  { bin: '/usr/bin/openssl', pkg: 'openssl' },
  { bin: '/usr/bin/promtool', pkg: 'prometheus' },
];

export function ensureSystemDeps(extra = []) {
  const missing = [...wanted, ...extra].filter((w) => !existsSync(w.bin)).map((w) => w.pkg);
  if (missing.length === 0) return;
  const sudo = process.getuid && process.getuid() === 0 ? [] : ['sudo'];
  const apt = (args) =>
    spawnSync(sudo.length ? 'sudo' : 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.error(`system-deps: installing ${missing.join(' ')}`);
  apt(['update', '-qq']);
  const r = apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (r.status !== 0) console.error(`system-deps: apt-get install ${missing.join(' ')} failed; tests needing them will fail`);
}
