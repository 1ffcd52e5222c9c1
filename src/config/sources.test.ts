import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readEnvSettings } from './env.js';
import { ConfigError } from './errors.js';
import { expandGlob } from './globs.js';
import { loadAllSources, loadAllSourcesStrict, METRICS_SERVERS_PORTS_JOB } from './sources.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cfprom-src-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

test('every source combined, in order: PATHS_TO_SCRAPE_CONFIGS, ADDITIONAL_SCRAPE_CONFIGS, CONFIG_GLOBS, METRICS_SERVERS_PORTS', () => {
  const root = tree({
    'conf.d/b.yml': 'scrape_configs:\n  - job_name: b\n    static_configs: [{targets: ["127.0.0.1:2"]}]\n',
    'conf.d/a.yml': 'scrape_configs:\n  - job_name: a\n',
    'jobs/api/config/prom_scraper_config.yml': 'port: 6061\nsource_id: api\n',
    'jobs/bad/config/prom_scraper_config.yml': 'port: foo\n',
    'jobs/web/config/metric_port.yml': 'port: 6062\n',
  });
  const r = loadAllSources({
    PATHS_TO_SCRAPE_CONFIGS: `${root}/conf.d/*.yml`,
    ADDITIONAL_SCRAPE_CONFIGS: 'scrape_configs:\n  - job_name: extra\n',
    CONFIG_GLOBS: `${root}/jobs/*/config/prom_scraper_config.yml, ${root}/jobs/*/config/metric_port.yml`,
    METRICS_SERVERS_PORTS: '8080, 9090',
    DEFAULT_SOURCE_ID: 'diego_cell',
    SCRAPE_INTERVAL: '20s',
  });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.jobs.map((j) => [j.jobName, j.cfStyle, j.scrapeIntervalMs, j.sourceId, j.staticConfigs.flatMap((g) => g.targets)]),
    [
      ['a', false, 20_000, 'diego_cell', []],
      ['b', false, 20_000, 'diego_cell', ['127.0.0.1:2']],
      ['extra', false, 20_000, 'diego_cell', []],
      [`${root}/jobs/api/config/prom_scraper_config.yml`, true, 20_000, 'api', ['127.0.0.1:6061']],
      [`${root}/jobs/web/config/metric_port.yml`, true, 20_000, 'diego_cell', ['127.0.0.1:6062']],
      [METRICS_SERVERS_PORTS_JOB, true, 20_000, 'diego_cell', ['127.0.0.1:8080', '127.0.0.1:9090']],
    ],
  );
  assert.deepEqual(r.skipped, [
    {
      file: `${root}/jobs/bad/config/prom_scraper_config.yml`,
      reason: 'port "foo" is not valid (allowed: 1-65536) - skipping this config file',
    },
  ]);
  const ports = r.jobs.at(-1);
  assert.deepEqual([ports?.metricsPath, ports?.scheme, ports?.scrapeTimeoutMs], ['/metrics', 'http', 10_000]);
});

test('defaults without SCRAPE_INTERVAL: Prometheus jobs 1m, CF files and METRICS_SERVERS_PORTS 15s', () => {
  const root = tree({ 'p.yml': 'scrape_configs: [{job_name: p}]\n', 'cf.yml': 'port: 1\n' });
  const r = loadAllSources({ PATHS_TO_SCRAPE_CONFIGS: `${root}/p.yml`, CONFIG_GLOBS: `${root}/cf.yml`, METRICS_SERVERS_PORTS: '7' });
  assert.deepEqual(
    r.jobs.map((j) => j.scrapeIntervalMs),
    [60_000, 15_000, 15_000],
  );
});

test('ADDITIONAL_SCRAPE_CONFIGS may be a bare list; its problems name the variable', () => {
  const r = loadAllSources({ ADDITIONAL_SCRAPE_CONFIGS: '- job_name: x\n  scheme: gopher\n' });
  assert.deepEqual(
    r.problems.map((p) => p.message),
    ['ADDITIONAL_SCRAPE_CONFIGS: [0].scheme: unsupported scheme "gopher"; allowed: http, https (line 2)'],
  );
});

test('all problems are collected across sources, with duplicate job names across files', () => {
  const root = tree({
    'a.yml': 'scrape_configs: [{job_name: same}]\n',
    'b.yml': 'scrape_configs:\n  - job_name: same\n  - job_name: other\n    scrape_interval: 1x\n',
    'cf/https.yml': 'port: 443\nscheme: https\n',
    'cf/broken.yml': 'port: [\n',
  });
  const r = loadAllSources({
    PATHS_TO_SCRAPE_CONFIGS: `${root}/a.yml,${root}/b.yml,${root}/missing.yml,${root}/none-*.yml`,
    CONFIG_GLOBS: `${root}/cf/*.yml`,
    SCRAPE_CERT_PATH: '/c',
    METRICS_SERVERS_PORTS: '80,abc,70000',
    SKIP_SSL_VALIDATION: 'maybe',
    SCRAPE_INTERVAL: '0s',
  });
  assert.ok(r.problems.every((p) => p instanceof ConfigError));
  assert.deepEqual(
    r.problems.map((p) => p.message.replaceAll(root, '<root>')),
    [
      'env: SCRAPE_INTERVAL: "0s" must be greater than 0; use a Go duration like 15s, 1m30s',
      'env: SKIP_SSL_VALIDATION: "maybe" is not a boolean; allowed: true, false',
      'env: METRICS_SERVERS_PORTS: "abc" is not a port; allowed: comma-separated integers 1-65535',
      'env: METRICS_SERVERS_PORTS: "70000" is not a port; allowed: comma-separated integers 1-65535',
      'env: PATHS_TO_SCRAPE_CONFIGS: "<root>/missing.yml" does not exist',
      '<root>/b.yml: scrape_configs[1].scrape_interval: unknown unit "x" in duration "1x"; use e.g. 30s, 1m30s, 1h (line 4)',
      '<root>/b.yml: scrape_configs[0].job_name: duplicate job name "same" (first defined at <root>/a.yml: scrape_configs[0])',
      `<root>/cf/broken.yml: invalid YAML: ${r.problems[7]?.reason.slice('invalid YAML: '.length)} (line ${r.problems[7]?.line})`,
      '<root>/cf/https.yml: server_name: missing; required when scheme is https and SCRAPE_CERT_PATH is set (mTLS to 127.0.0.1 needs the name to verify; the released prom-scraper refuses to start too)',
    ],
  );
  assert.deepEqual(
    r.jobs.map((j) => j.jobName),
    ['same', METRICS_SERVERS_PORTS_JOB],
  );
  assert.throws(() => loadAllSourcesStrict({ METRICS_SERVERS_PORTS: 'x' }), {
    code: 'CONFIG_INVALID',
    file: 'env',
    path: 'METRICS_SERVERS_PORTS',
  });
  assert.deepEqual(loadAllSourcesStrict({}), { jobs: [], skipped: [] });
});

test('overlapping globs read a file once', () => {
  const root = tree({ 'x/prom_scraper_config.yml': 'port: 1\n' });
  const r = loadAllSources({ CONFIG_GLOBS: `${root}/x/*.yml,${root}/*/prom_scraper_config.yml,${root}/x/prom_scraper_config.yml` });
  assert.equal(r.jobs.length, 1);
});

test('expandGlob: literal paths, *, ?, [..], dot directories, sorted absolute results', () => {
  const root = tree({ 'b/c.yml': '', 'a/c.yml': '', '.h/c.yml': '', 'a/d.json': '' });
  assert.deepEqual(expandGlob(`${root}/*/c.yml`), [`${root}/.h/c.yml`, `${root}/a/c.yml`, `${root}/b/c.yml`]);
  assert.deepEqual(expandGlob(`${root}/?/[cd].*`), [`${root}/a/c.yml`, `${root}/a/d.json`, `${root}/b/c.yml`]);
  assert.deepEqual(expandGlob('a/c.yml', root), [`${root}/a/c.yml`]);
  assert.deepEqual(expandGlob(`${root}/nope.yml`), []);
});

test('readEnvSettings: Go booleans, trimmed lists, empty values are unset', () => {
  const { settings, problems } = readEnvSettings({
    SKIP_SSL_VALIDATION: 'T',
    CONFIG_GLOBS: ' a , ,b ',
    DEFAULT_SOURCE_ID: '',
    SCRAPE_INTERVAL: '1m30s',
    SCRAPE_CA_CERT_PATH: ' ',
  });
  assert.deepEqual(problems, []);
  assert.equal(settings.skipSslValidation, true);
  assert.deepEqual(settings.configGlobs, ['a', 'b']);
  assert.equal(settings.defaultSourceId, null);
  assert.equal(settings.scrapeIntervalMs, 90_000);
  assert.equal(settings.scrapeCaCertPath, null);
});
