import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type InstanceServer, startInstance, writeRoutesFile } from '../fetcher/test-helpers.js';
import { freePort } from '../testing/ports.js';

const BIN = fileURLToPath(new URL('./promfetcher.js', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const GUID = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';
const children: ChildProcess[] = [];
const servers: InstanceServer[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) await s.close();
});

function run(
  bin: string,
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

async function waitHealthy(port: number, out: () => string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const s = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.status,
      () => 0,
    );
    if (s === 200) return;
    if (Date.now() > end) throw new Error(`never healthy:\n${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('promfetcher -c FILE with PORT/HEALTH_CHECK_PORT env: serves, then SIGUSR1 → health 503, drains the open request, exits 0', async () => {
  const inst = await startInstance({ body: 'a 1\n', delayMs: 800 });
  servers.push(inst);
  const routes = writeRoutesFile([
    { guid: GUID, name: 'billing', route: 'billing.apps.example.com', instances: [{ address: inst.address, index: 0 }] },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-fetcher-cli-'));
  const cfg = join(dir, 'config.yml');
  writeFileSync(cfg, `listen_host: 127.0.0.1\nroutes_file: ${routes}\nlogging:\n  level: warn\n`);
  const [port, health] = [await freePort(), await freePort()];
  const p = run(BIN, ['-c', cfg], { PORT: String(port), HEALTH_CHECK_PORT: String(health) });
  await waitHealthy(health, p.out);
  const inflight = fetch(`http://127.0.0.1:${port}/v2/apps/acme/prod/billing/metrics`);
  await new Promise((r) => setTimeout(r, 200));
  p.child.kill('SIGUSR1');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await fetch(`http://127.0.0.1:${health}/`)).status, 503);
  const r = await inflight;
  assert.equal(r.status, 200);
  assert.match(await r.text(), /^# TYPE a untyped\na\{/);
  assert.equal(await p.exit, 0);
});

test('cf-prom fetcher: a bad config names file, key and reason (exit 2); SIGTERM stops the embedded default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-fetcher-cli-'));
  const cfg = join(dir, 'bad.yml');
  writeFileSync(cfg, 'port: 99999\n');
  const bad = run(MAIN, ['fetcher', '--config', cfg], {});
  assert.equal(await bad.exit, 2);
  assert.equal(bad.out(), `promfetcher: ${cfg}: port: must be an integer from 0 to 65535, got 99999\n`);

  const [port, health] = [await freePort(), await freePort()];
  const p = run(MAIN, ['fetcher'], { PORT: String(port), HEALTH_CHECK_PORT: String(health), LISTEN_HOST: '127.0.0.1', LOG_LEVEL: 'error' });
  await waitHealthy(health, p.out);
  // the embedded default table (routes.json of this package) is loaded; no app is scraped here
  const routes = (await (await fetch(`http://127.0.0.1:${port}/routes`)).json()) as Record<string, unknown>;
  assert.ok('billing.apps.example.com' in routes);
  p.child.kill('SIGTERM');
  assert.equal(await p.exit, 0);
});
