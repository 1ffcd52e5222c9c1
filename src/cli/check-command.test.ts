import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));

/** Runs the real `cf-prom` process with only the given environment (plus PATH). */
function run(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const root = mkdtempSync(join(tmpdir(), 'cfprom-check-'));
function write(rel: string, text: string): string {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const good = write(
  'good.yml',
  'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["127.0.0.1:1", "127.0.0.1:2"]}]\n    file_sd_configs: [{files: [sd/*.json]}]\n',
);
write('sd/t.json', JSON.stringify([{ targets: ['127.0.0.1:3'] }]));
const cf = write('jobs/x/config/prom_scraper_config.yml', 'port: 6061\nsource_id: x\n');
const bad = write(
  'bad.yml',
  'scrape_configs:\n  - job_name: a\n    scrape_timeout: 2m\n    tls_config: {ca_fil: x, cert_file: missing.pem, key_file: missing.key}\n',
);

test('check config FILES: SUCCESS with job and target counts (file_sd targets included); CF files detected by port', async () => {
  const r = await run(['check', 'config', good, cf]);
  assert.equal(r.err, '');
  assert.equal(r.out, 'SUCCESS: 2 jobs, 4 targets\n');
  assert.equal(r.code, 0);
});

test('check config FILES: every problem, one per line, file: path: reason; exit 1', async () => {
  const r = await run(['check', 'config', bad, good]);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.deepEqual(r.err.trimEnd().split('\n'), [
    `${bad}: scrape_configs[0].scrape_timeout: 2m must not exceed scrape_interval 1m (line 3)`,
    `${bad}: scrape_configs[0].tls_config.ca_fil: unknown field; allowed: ca_file, cert_file, key_file, server_name, insecure_skip_verify, min_version (line 4)`,
    `${bad}: scrape_configs[0].tls_config.cert_file: cannot read "${root}/missing.pem": ENOENT (line 4)`,
    `${bad}: scrape_configs[0].tls_config.key_file: cannot read "${root}/missing.key": ENOENT (line 4)`,
    'FAILED: 4 problems',
  ]);
});

test('check config FILES: duplicate job names across files, unreadable files, skipped CF files are warnings', async () => {
  const skippedCf = write('skip.yml', 'port: 0\n');
  const r = await run(['check', 'config', good, good, join(root, 'nope.yml'), skippedCf]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.err.trimEnd().split('\n'), [
    `WARNING: ${skippedCf}: skipped: port "0" is not valid (allowed: 1-65536) - skipping this config file`,
    `${good}: scrape_configs[0].job_name: duplicate job name "a" (first defined at ${good}: scrape_configs[0])`,
    `${join(root, 'nope.yml')}: cannot read file: ENOENT: no such file or directory, open '${join(root, 'nope.yml')}'`,
    'FAILED: 2 problems',
  ]);
});

test('check config with no files: everything the environment points at', async () => {
  const ok = await run(['check', 'config'], {
    PATHS_TO_SCRAPE_CONFIGS: join(root, 'good.yml'),
    CONFIG_GLOBS: join(root, 'jobs/*/config/prom_scraper_config.yml'),
    METRICS_SERVERS_PORTS: '9100,9101',
    ADDITIONAL_SCRAPE_CONFIGS: '- job_name: extra\n',
  });
  assert.equal(ok.out, 'SUCCESS: 4 jobs, 6 targets\n');
  assert.equal(ok.code, 0);

  const failed = await run(['check', 'config'], {
    CONFIG_GLOBS: join(root, 'jobs/*/config/prom_scraper_config.yml'),
    ADDITIONAL_SCRAPE_CONFIGS: 'scrape_configs:\n  - job_name: extra\n    scheme: https\n    tls_config: {min_version: TLS10}\n',
    SCRAPE_INTERVAL: '15',
  });
  assert.equal(failed.code, 1);
  assert.deepEqual(failed.err.trimEnd().split('\n'), [
    'env: SCRAPE_INTERVAL: time: missing unit in duration "15"; use a Go duration like 15s, 1m30s, 500ms',
    'ADDITIONAL_SCRAPE_CONFIGS: scrape_configs[0].tls_config.min_version: unsupported TLS version "TLS10"; allowed: TLS12, TLS13 (line 4)',
    'FAILED: 2 problems',
  ]);

  const none = await run(['check', 'config']);
  assert.equal(none.out, 'SUCCESS: 0 jobs, 0 targets\n');
  assert.match(none.err, /^note: no sources configured/);
  assert.equal(none.code, 0);
});

test('check: usage errors exit 2', async () => {
  const r = await run(['check', 'rules']);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'cf-prom check: cannot check "rules"; usage: cf-prom check config [FILES...]\n');
  const flag = await run(['check', 'config', '--lint']);
  assert.equal(flag.code, 2);
});
