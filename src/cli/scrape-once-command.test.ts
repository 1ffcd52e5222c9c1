import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const cli = new URL('./main.js', import.meta.url).pathname;
let server: Server;
after(() => new Promise((r) => server.close(r)));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('cf-prom scrape-once: Prometheus-style and CF per-job files, NDJSON out, summary on stderr', async () => {
  server = createServer((_req, res) => res.end('# TYPE reqs counter\nreqs{code="200"} 5\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-once-'));
  writeFileSync(join(dir, 'scrape.yml'), `scrape_configs:\n- job_name: app\n  static_configs:\n  - targets: ['127.0.0.1:${port}']\n`);
  writeFileSync(join(dir, 'prom_scraper_config.yml'), `port: ${port}\nsource_id: my-job\ninstance_id: abc\nlabels: {bosh_job: x}\n`);
  const r = await run(['scrape-once', '--config', join(dir, 'scrape.yml'), '--config', join(dir, 'prom_scraper_config.yml')], {
    DEFAULT_SOURCE_ID: 'vm',
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { name: string; labels: Record<string, string>; source_id: string; instance_id: string; value: number });
  const reqs = lines.filter((l) => l.name === 'reqs');
  assert.deepEqual(
    reqs.map((l) => [l.labels, l.source_id, l.instance_id]).sort(),
    [
      [{ bosh_job: 'x', code: '200' }, 'my-job', 'abc'],
      [{ code: '200', instance: `127.0.0.1:${port}`, job: 'app' }, 'vm', ''],
    ].sort(),
  );
  assert.match(r.stderr, /^up {3}app http:\/\/127\.0\.0\.1:\d+\/metrics samples=1 /m);
  assert.match(r.stderr, /2 of 2 targets up/);

  const bad = await run(['scrape-once', '--config', join(dir, 'scrape.yml'), '--job', 'nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no job named "nope"; jobs: app/);
  writeFileSync(join(dir, 'bad.yml'), 'scrape_configs:\n- job_name: x\n  scrape_intervl: 1s\n');
  const invalid = await run(['scrape-once', '--config', join(dir, 'bad.yml')]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /bad\.yml: scrape_configs\[0\]\.scrape_intervl: unknown field; allowed: job_name, /);
});
