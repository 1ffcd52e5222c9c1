import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCfTargetFile, looksLikeCfTargetFile } from './cf-target-file.js';
import type { Env } from './env.js';
import type { ScrapeJobConfig } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'cfprom-cf-'));
let n = 0;
function file(text: string): string {
  const p = join(dir, `prom_scraper_config${n++}.yml`);
  writeFileSync(p, text);
  return p;
}
function job(text: string, env: Env = {}): ScrapeJobConfig {
  const r = loadCfTargetFile(file(text), env);
  assert.equal(r.skipped, null);
  return r.job as ScrapeJobConfig;
}

test('the released daemon fixture: defaults for path, scheme and interval', () => {
  const p = file('---\nport: 8080\nsource_id: some-id\ninstance_id: some-instance-id');
  const r = loadCfTargetFile(p, { DEFAULT_SOURCE_ID: 'router' });
  assert.deepEqual(r.job, {
    jobName: p,
    origin: p,
    scrapeIntervalMs: 15_000,
    scrapeTimeoutMs: 10_000,
    metricsPath: '/metrics',
    scheme: 'http',
    params: {},
    honorLabels: true,
    honorTimestamps: true,
    staticConfigs: [{ targets: ['127.0.0.1:8080'], labels: [], source: p }],
    fileSdConfigs: [],
    relabelConfigs: [],
    metricRelabelConfigs: [],
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    bodySizeLimitBytes: 0,
    tls: { caFile: null, certFile: null, keyFile: null, serverName: null, insecureSkipVerify: false, minVersion: 'TLSv1.2' },
    basicAuth: null,
    authorization: null,
    headers: {},
    sourceId: 'some-id',
    declaredSourceId: 'some-id',
    instanceId: 'some-instance-id',
    cfStyle: true,
  } satisfies ScrapeJobConfig);
});

test('every field of the fixture with all fields specified', () => {
  const j = job(
    '---\nport: 8081\nsource_id: some-id\ninstance_id: some-instance-id\nscrape_interval: 10s\npath: /other\nscheme: https\nserver_name: some-server\nheaders:\n  Header1: value1\n  Header2: value2\nlabels:\n  label: value\nca_path: /ca.pem\nclient_cert_path: /c.pem\nclient_key_path: /k.pem\n',
  );
  assert.equal(j.scrapeIntervalMs, 10_000);
  assert.equal(j.metricsPath, '/other');
  assert.equal(j.scheme, 'https');
  assert.deepEqual(j.headers, { Header1: 'value1', Header2: 'value2' });
  assert.deepEqual(j.staticConfigs[0]?.labels, ['label', 'value']);
  assert.deepEqual(j.staticConfigs[0]?.targets, ['127.0.0.1:8081']);
  assert.deepEqual(j.tls, {
    caFile: '/ca.pem',
    certFile: '/c.pem',
    keyFile: '/k.pem',
    serverName: 'some-server',
    insecureSkipVerify: false,
    minVersion: 'TLSv1.2',
  });
});

test('port: integer 1..65536 (65536 passes, as in the original), else the file is skipped', () => {
  const ok: Array<[string, string]> = [
    ['port: 1', '127.0.0.1:1'],
    ['port: 65536', '127.0.0.1:65536'],
    ['port: "8080"', '127.0.0.1:8080'],
    ['port: +8080', '127.0.0.1:8080'],
    ['port: 08080', '127.0.0.1:8080'],
  ];
  for (const [text, target] of ok) assert.deepEqual(job(text).staticConfigs[0]?.targets, [target], text);
  const skipped: Array<[string, string]> = [
    ['---', 'port is missing - skipping this config file'],
    ['', 'port is missing - skipping this config file'],
    ['port:', 'port is missing - skipping this config file'],
    ['port: 0', 'port "0" is not valid (allowed: 1-65536) - skipping this config file'],
    ['port: -1', 'port "-1" is not valid (allowed: 1-65536) - skipping this config file'],
    ['port: 65537 ', 'port "65537" is not valid (allowed: 1-65536) - skipping this config file'],
    ['port: foo', 'port "foo" is not valid (allowed: 1-65536) - skipping this config file'],
    ['port: 0x50', 'port "0x50" is not valid (allowed: 1-65536) - skipping this config file'],
    ['port: 80.0', 'port "80.0" is not valid (allowed: 1-65536) - skipping this config file'],
    ['port: 8080\nscheme: ftp', 'scheme "ftp" is not http or https - skipping this config file'],
  ];
  for (const [text, reason] of skipped) assert.deepEqual(loadCfTargetFile(file(text), {}), { job: null, skipped: reason }, text);
});

test('scrape_interval: Go duration string, bare integer nanoseconds, <= 0 never scraped', () => {
  const cases: Array<[string, number, number]> = [
    ['scrape_interval: 30s', 30_000, 10_000],
    ['scrape_interval: "1m30s"', 90_000, 10_000],
    ['scrape_interval: 5s', 5_000, 5_000],
    ['scrape_interval: 10000000000', 10_000, 10_000],
    ['scrape_interval: 1500000', 1.5, 1.5],
    ['scrape_interval: 1e10', 10_000, 10_000],
    ['scrape_interval: 0', 0, 0],
    ['scrape_interval: "0"', 0, 0],
    ['scrape_interval: -5s', 0, 0],
    ['scrape_interval: -1', 0, 0],
    ['scrape_interval:', 0, 0],
  ];
  for (const [text, interval, timeout] of cases) {
    const j = job(`port: 9000\n${text}\n`);
    assert.deepEqual([j.scrapeIntervalMs, j.scrapeTimeoutMs], [interval, timeout], text);
  }
  assert.equal(job('port: 9000', { SCRAPE_INTERVAL: '1m' }).scrapeIntervalMs, 60_000);
  assert.equal(job('port: 9000\nscrape_interval: 2s', { SCRAPE_INTERVAL: '1m' }).scrapeIntervalMs, 2_000);
});

test('path: one leading slash trimmed and one added; a query becomes params', () => {
  const cases: Array<[string, string, Record<string, string[]>]> = [
    ['path: metrics/prometheus', '/metrics/prometheus', {}],
    ['path: /metrics/prometheus', '/metrics/prometheus', {}],
    ['path: //x', '//x', {}],
    ['path: ""', '/', {}],
    ['path: /m?format=prom&a=1&a=2', '/m', { format: ['prom'], a: ['1', '2'] }],
  ];
  for (const [text, path, params] of cases) {
    const j = job(`port: 9000\n${text}\n`);
    assert.deepEqual([j.metricsPath, j.params], [path, params], text);
  }
});

test('scheme is case-insensitive as in a Go URL', () => {
  assert.equal(job('port: 1\nscheme: HTTPS\nserver_name: x').scheme, 'https');
});

test('https without server_name while SCRAPE_CERT_PATH is set is refused; without it, accepted', () => {
  const p = file('port: 9000\nsource_id: s\nscheme: https\n');
  assert.throws(() => loadCfTargetFile(p, { SCRAPE_CERT_PATH: '/c', SCRAPE_KEY_PATH: '/k' }), {
    code: 'CONFIG_INVALID',
    message: `${p}: server_name: missing; required when scheme is https and SCRAPE_CERT_PATH is set (mTLS to 127.0.0.1 needs the name to verify; the released prom-scraper refuses to start too)`,
  });
  assert.equal(loadCfTargetFile(p, {}).job?.tls.serverName, null);
});

test('TLS defaults from the environment: CA overridden by ca_path, identity only when both paths are set', () => {
  const env = { SCRAPE_CA_CERT_PATH: '/env/ca', SCRAPE_CERT_PATH: '/env/c', SCRAPE_KEY_PATH: '/env/k', SKIP_SSL_VALIDATION: 'true' };
  const t = (text: string, e: Env = env) => job(`port: 1\nscheme: https\nserver_name: n\n${text}`, e).tls;
  assert.deepEqual(t(''), {
    caFile: '/env/ca',
    certFile: '/env/c',
    keyFile: '/env/k',
    serverName: 'n',
    insecureSkipVerify: true,
    minVersion: 'TLSv1.2',
  });
  assert.equal(t('ca_path: /own/ca').caFile, '/own/ca');
  assert.deepEqual([t('client_cert_path: /own/c').certFile, t('client_cert_path: /own/c').keyFile], ['/env/c', '/env/k']);
  assert.deepEqual(
    [t('client_cert_path: /own/c\nclient_key_path: /own/k').certFile, t('client_cert_path: /own/c\nclient_key_path: /own/k').keyFile],
    ['/own/c', '/own/k'],
  );
  const noKey = t('', { SCRAPE_CERT_PATH: '/env/c' });
  assert.deepEqual([noKey.certFile, noKey.keyFile, noKey.insecureSkipVerify], [null, null, false]);
});

test('source id: source_id, else DEFAULT_SOURCE_ID; instance_id "" is none', () => {
  const a = job('port: 1', { DEFAULT_SOURCE_ID: 'router' });
  assert.deepEqual([a.sourceId, a.declaredSourceId, a.instanceId], ['router', '', null]);
  const b = job('port: 1');
  assert.equal(b.sourceId, null);
});

test('values are taken as Go reads them into strings; unknown keys are ignored; a later duplicate key wins', () => {
  const j = job('port: 1\nlabels: {a: true, b: 1.0, c: 017, d: }\nheaders: {X-A: 01}\nsomething_else: [1]\nsource_id: x\nsource_id: y\n');
  assert.deepEqual(j.staticConfigs[0]?.labels, ['a', 'true', 'b', '1.0', 'c', '017', 'd', '']);
  assert.deepEqual(j.headers, { 'X-A': '01' });
  assert.equal(j.sourceId, 'y');
});

test('unreadable file, bad YAML or wrong shapes are errors (the original exits)', () => {
  const missing = join(dir, 'nope.yml');
  assert.throws(() => loadCfTargetFile(missing, {}), {
    code: 'CONFIG_INVALID',
    message: new RegExp(`^${missing}: cannot read file: ENOENT`),
  });
  const cases: Array<[string, RegExp | string]> = [
    ['port: [1', /: invalid YAML: .*\(line \d\)$/],
    ['- port: 1', ': must be a mapping of prom_scraper_config keys (port, source_id, ...), got a list (line 1)'],
    ['port: 1\nheaders: [a]', ': headers: must be a mapping of strings to strings, got a list (line 2)'],
    ['port: 1\nsource_id: {a: 1}', ': source_id: must be a string, got a list or mapping (line 2)'],
    [
      'port: 1\nscrape_interval: abc',
      ': scrape_interval: time: invalid duration "abc"; use a Go duration like 30s (a bare integer means nanoseconds) (line 2)',
    ],
    [
      'port: 1\nscrape_interval: "100"',
      ': scrape_interval: time: missing unit in duration "100"; use a Go duration like 30s (a bare integer means nanoseconds) (line 2)',
    ],
    [
      'port: 1\nscrape_interval: true',
      ': scrape_interval: must be a duration, got true; use a Go duration like 30s (a bare integer means nanoseconds) (line 2)',
    ],
  ];
  for (const [text, msg] of cases) {
    const p = file(text);
    assert.throws(() => loadCfTargetFile(p, {}), { code: 'CONFIG_INVALID', message: typeof msg === 'string' ? `${p}${msg}` : msg }, text);
  }
  assert.throws(() => loadCfTargetFile(file('port: 1'), { SCRAPE_INTERVAL: 'soon' }), {
    message: 'env: SCRAPE_INTERVAL: time: invalid duration "soon"; use a Go duration like 15s, 1m30s, 500ms',
  });
});

test('looksLikeCfTargetFile', () => {
  assert.equal(looksLikeCfTargetFile('port: 8080\n'), true);
  assert.equal(looksLikeCfTargetFile('scrape_configs: []\n'), false);
  assert.equal(looksLikeCfTargetFile('- port: 1\n'), false);
  assert.equal(looksLikeCfTargetFile('port: [\n'), false);
});
