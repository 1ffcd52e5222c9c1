import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScrapeConfigFile } from '../config/index.js';
import { CaptureSink } from '../testing/capture-sink.js';
import { testJob } from '../testing/scrape-job.js';
import { ScrapeService } from './service.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(20);
  }
}

test('file_sd changes, reloads, rejected reloads and API jobs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-svc-'));
  const cfg = join(dir, 'scrape.yml');
  const sd = join(dir, 'targets.json');
  writeFileSync(sd, JSON.stringify([{ targets: ['127.0.0.1:9001'], labels: { team: 'a' } }]));
  writeFileSync(cfg, `scrape_configs:\n- job_name: sd\n  file_sd_configs:\n  - files: ['${sd}']\n    refresh_interval: 1s\n`);
  const logs: string[] = [];
  const logger = {
    info: (_o: object, m: string) => logs.push(m),
    warn: (_o: object, m: string) => logs.push(m),
    error: (_o: object, m: string) => logs.push(m),
  };
  const svc = new ScrapeService({
    load: () => loadScrapeConfigFile(cfg),
    sink: new CaptureSink(),
    defaultSourceId: 'd',
    logger,
    watchIntervalMs: 0,
  });
  svc.start();
  const urls = () =>
    svc.manager
      .loops()
      .map((l) => l.target.url)
      .sort();
  assert.deepEqual(urls(), ['http://127.0.0.1:9001/metrics']);
  assert.deepEqual(svc.manager.loops()[0]?.health.labels, { instance: '127.0.0.1:9001', job: 'sd', team: 'a' });

  writeFileSync(sd, JSON.stringify([{ targets: ['127.0.0.1:9001', '127.0.0.1:9002'] }]));
  await until(() => urls().length === 2);

  writeFileSync(cfg, 'scrape_configs:\n- job_name: sd\n  bogus: 1\n');
  assert.equal(svc.reload('SIGHUP'), false);
  assert.equal(urls().length, 2, 'running config stays after a rejected reload');
  assert.ok(logs.includes('reload rejected: the running configuration stays'));

  svc.putJob(testJob({ jobName: 'api', targets: ['127.0.0.1:9003'] }));
  assert.equal(urls().length, 3);
  writeFileSync(cfg, 'scrape_configs:\n- job_name: static\n  static_configs:\n  - targets: [127.0.0.1:9004]\n');
  assert.equal(svc.reload(), true);
  assert.deepEqual(urls(), ['http://127.0.0.1:9003/metrics', 'http://127.0.0.1:9004/metrics'], 'API job survives the reload');
  assert.equal(svc.deleteJob('api'), true);
  assert.deepEqual(urls(), ['http://127.0.0.1:9004/metrics']);
  await svc.stop();
});

test('config file changes are picked up by the fingerprint watch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-svc-'));
  const cfg = join(dir, 'scrape.yml');
  writeFileSync(cfg, 'scrape_configs:\n- job_name: a\n  static_configs:\n  - targets: [127.0.0.1:9001]\n');
  const { statSync } = await import('node:fs');
  const svc = new ScrapeService({
    load: () => loadScrapeConfigFile(cfg),
    fingerprint: () => `${statSync(cfg).mtimeMs}:${statSync(cfg).size}`,
    watchIntervalMs: 50,
    sink: new CaptureSink(),
    defaultSourceId: 'd',
  });
  svc.start();
  writeFileSync(cfg, 'scrape_configs:\n- job_name: b\n  static_configs:\n  - targets: [127.0.0.1:9002, 127.0.0.1:9003]\n');
  await until(() => svc.manager.loops().length === 2);
  assert.equal(svc.reloads.ok, 1);
  await svc.stop();
});
