import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readEnvSettings } from '../config/index.js';
import type { ScrapeLoop } from '../scrape/index.js';
import { validateApiTarget } from './api-targets.js';
import { CacheExpiry } from './expiration.js';
import { effectiveConfig, readDaemonSettings, readSettingsFile, SettingsFileError } from './settings.js';

describe('readDaemonSettings', () => {
  it('embedded defaults: stdout output, metrics on 127.0.0.1, API and debug off', () => {
    const { settings, problems } = readDaemonSettings({});
    assert.deepEqual(problems, []);
    assert.equal(settings.agent, null);
    assert.equal(settings.defaultSourceId, 'prom_scraper');
    assert.deepEqual(settings.metricsServer, { host: '127.0.0.1', port: 0, tls: null, debugMetrics: false });
    assert.equal(settings.apiServer, null);
    assert.equal(settings.debugPort, null);
    assert.equal(settings.metricsExpirationIntervalMs, 600_000);
    assert.equal(settings.shutdownTimeoutMs, 10_000);
  });

  it('accepts both naming schemes; the design name wins, a conflicting pair is a problem', () => {
    const released = readDaemonSettings({
      LOGGREGATOR_AGENT_ADDR: 'localhost:3458',
      CA_CERT_PATH: 'ca',
      CLIENT_CERT_PATH: 'c',
      CLIENT_KEY_PATH: 'k',
      DEFAULT_SOURCE_ID: 'g',
      PPROF_PORT: '6060',
    });
    assert.deepEqual(released.problems, []);
    assert.deepEqual(released.settings.agent, {
      address: 'localhost:3458',
      tls: { caFile: 'ca', certFile: 'c', keyFile: 'k' },
      serverName: 'metron',
      queueSize: 10_000,
      batchSize: 100,
      flushIntervalMs: 100,
      counterFloats: 'drop',
    });
    assert.equal(released.settings.debugPort, 6060);
    assert.equal(released.settings.env.LOGGREGATOR_AGENT_CA_FILE_PATH, 'ca');
    const both = readDaemonSettings({ DEBUG_PORT: '1', PPROF_PORT: '2' });
    assert.deepEqual(
      both.problems.map((p) => p.message),
      ['PPROF_PORT="2": conflicts with DEBUG_PORT="1"; set only one of DEBUG_PORT, PPROF_PORT'],
    );
  });

  it('the agent tuning: server name, queue, batch, flush interval and counter policy, each validated', () => {
    const agentEnv = {
      LOGGREGATOR_AGENT_ADDR: 'localhost:3458',
      LOGGREGATOR_AGENT_CA_FILE_PATH: 'ca',
      LOGGREGATOR_AGENT_CERT_FILE_PATH: 'c',
      LOGGREGATOR_AGENT_KEY_FILE_PATH: 'k',
      DEFAULT_SOURCE_ID: 'g',
    };
    const tuned = readDaemonSettings({
      ...agentEnv,
      LOGGREGATOR_AGENT_SERVER_NAME: 'loggregator-agent',
      LOGGREGATOR_QUEUE_SIZE: '50000',
      LOGGREGATOR_BATCH_SIZE: '1000',
      LOGGREGATOR_FLUSH_INTERVAL: '250ms',
      LOGGREGATOR_COUNTER_FLOATS: 'gauge',
    });
    assert.deepEqual(tuned.problems, []);
    const a = tuned.settings.agent;
    assert.deepEqual(
      [a?.serverName, a?.queueSize, a?.batchSize, a?.flushIntervalMs, a?.counterFloats],
      ['loggregator-agent', 50000, 1000, 250, 'gauge'],
    );
    const bad = readDaemonSettings({
      ...agentEnv,
      LOGGREGATOR_QUEUE_SIZE: '10',
      LOGGREGATOR_BATCH_SIZE: '100',
      LOGGREGATOR_FLUSH_INTERVAL: '0s',
      LOGGREGATOR_COUNTER_FLOATS: 'round',
      LOGGREGATOR_AGENT_SERVER_NAME: 'me tron',
    });
    assert.deepEqual(bad.problems.map((p) => p.message).sort(), [
      'LOGGREGATOR_AGENT_SERVER_NAME="me tron": not a host name; allowed: the name in the agent certificate, e.g. metron',
      'LOGGREGATOR_BATCH_SIZE="100": larger than LOGGREGATOR_QUEUE_SIZE (10); allowed: 1 to the queue size',
      'LOGGREGATOR_COUNTER_FLOATS="round": not a policy; allowed: drop, truncate, gauge',
      'LOGGREGATOR_FLUSH_INTERVAL="0s": not a valid duration; allowed: a Go duration > 0 like 10s, 1m30s, 500ms',
    ]);
  });

  it('one problem per bad variable, naming the value and what is allowed', () => {
    const { problems } = readDaemonSettings({
      API_SERVER: 'yes',
      METRICS_EXPIRATION_INTERVAL: '-1s',
      MAX_CONCURRENT_SCRAPES: '0',
      METRICS_CERT_FILE_PATH: 'x',
      SKIP_SSL_VALIDATION: 'maybe',
    });
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        'SKIP_SSL_VALIDATION="maybe": "maybe" is not a boolean; allowed: true, false',
        'METRICS_CA_FILE_PATH: missing; required when METRICS_CERT_FILE_PATH set; allowed: a readable PEM file path',
        'METRICS_KEY_FILE_PATH: missing; required when METRICS_CERT_FILE_PATH set; allowed: a readable PEM file path',
        'API_SERVER="yes": not a boolean; allowed: true, false (also 1, 0, t, f)',
        'METRICS_EXPIRATION_INTERVAL="-1s": not a valid duration; allowed: a Go duration >= 0 like 10s, 1m30s, 500ms',
        'MAX_CONCURRENT_SCRAPES="0": not a positive integer; allowed: 1, 2, 3, …',
      ],
    );
  });

  it('checks that TLS files are readable when asked', () => {
    const { problems } = readDaemonSettings(
      { METRICS_CA_FILE_PATH: '/nope/ca', METRICS_CERT_FILE_PATH: '/nope/c', METRICS_KEY_FILE_PATH: '/nope/k' },
      { checkFiles: true },
    );
    assert.equal(problems[0]?.message, 'METRICS_CA_FILE_PATH="/nope/ca": cannot read the file (ENOENT); allowed: a readable PEM file');
    assert.equal(problems.length, 3);
  });

  it('agent TLS without an address is a forgotten LOGGREGATOR_AGENT_ADDR', () => {
    const { problems } = readDaemonSettings({ CLIENT_CERT_PATH: 'c' });
    assert.deepEqual(
      problems.map((p) => p.message),
      ['LOGGREGATOR_AGENT_ADDR: missing; required when CLIENT_CERT_PATH is set; allowed: host:port, e.g. localhost:3458'],
    );
  });

  it('logs the effective configuration with secrets redacted', () => {
    const c = effectiveConfig({ ADDITIONAL_SCRAPE_CONFIGS: 'password: x', CLIENT_CERT_PATH: '/c' });
    assert.equal(c.ADDITIONAL_SCRAPE_CONFIGS, '<redacted, 11 bytes>');
    assert.equal(c.LOGGREGATOR_AGENT_CERT_FILE_PATH, '/c');
    assert.equal(c.METRICS_PORT, '(default) 0 (any free port, logged)');
  });
});

describe('readSettingsFile', () => {
  it('takes the variable names in any case; lists become comma-separated; maps YAML text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-prom-settings-'));
    try {
      const f = join(dir, 's.yml');
      writeFileSync(
        f,
        'metrics_port: 14821\nCONFIG_GLOBS: [/a/*.yml, /b/*.yml]\napi_server: true\nadditional_scrape_configs:\n  scrape_configs: []\n',
      );
      assert.deepEqual(readSettingsFile(f), {
        METRICS_PORT: '14821',
        CONFIG_GLOBS: '/a/*.yml,/b/*.yml',
        API_SERVER: 'true',
        ADDITIONAL_SCRAPE_CONFIGS: 'scrape_configs: []\n',
      });
      const npmStart = readSettingsFile(new URL('../../../src/daemon/npm-start.yml', import.meta.url).pathname);
      assert.deepEqual(readDaemonSettings(npmStart).problems, [], 'the settings npm start runs with are valid');
      writeFileSync(f, '- a\n');
      assert.throws(() => readSettingsFile(f), SettingsFileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validateApiTarget', () => {
  const env = readEnvSettings({}).settings;
  it('builds a CF-style job with the loader defaults', () => {
    const r = validateApiTarget(
      {
        targets: ['127.0.0.1:9100'],
        source_id: 's',
        instance_id: 'i',
        scrape_interval: '5s',
        metrics_path: 'm',
        labels: { b: '2', a: '1' },
      },
      env,
    );
    assert.ok('job' in r);
    const job = r.job('api-x');
    assert.equal(job.scrapeIntervalMs, 5000);
    assert.equal(job.scrapeTimeoutMs, 5000);
    assert.equal(job.metricsPath, '/m');
    assert.equal(job.cfStyle, true);
    assert.deepEqual(job.staticConfigs[0]?.labels, ['a', '1', 'b', '2']);
    assert.equal(job.tls.minVersion, 'TLSv1.2');
  });

  it('timeout above the interval, https without server_name under SCRAPE_CERT_PATH', () => {
    const withCert = readEnvSettings({ SCRAPE_CERT_PATH: 'c', SCRAPE_KEY_PATH: 'k' }).settings;
    const r = validateApiTarget(
      { targets: ['h:1'], source_id: 's', instance_id: '', scrape_interval: '1s', scrape_timeout: '2s', scheme: 'https' },
      withCert,
    );
    assert.ok('errors' in r);
    assert.deepEqual(r.errors, [
      { field: 'scrape_timeout', message: '"2s" must not exceed scrape_interval "1s"' },
      {
        field: 'server_name',
        message: 'required when scheme is https and SCRAPE_CERT_PATH is set (the name to verify the target certificate against)',
      },
    ]);
  });
});

describe('CacheExpiry', () => {
  it('clears the cache of a target without a successful scrape for the interval, once', () => {
    let cleared = 0;
    const loop = {
      health: { up: true as boolean | null, lastScrapeMs: 1000 as number | null },
      cachedSeries: 5,
      clearCache() {
        cleared++;
        return true;
      },
    };
    const l = loop as unknown as ScrapeLoop;
    const e = new CacheExpiry(10_000);
    assert.deepEqual(e.sweep([l], 1000), []);
    loop.health.up = false;
    assert.deepEqual(e.sweep([l], 10_999), []);
    assert.deepEqual(e.sweep([l], 11_000), [l]);
    assert.deepEqual(e.sweep([l], 12_000), [], 'only once while it keeps failing');
    assert.equal(cleared, 1);
    assert.equal(e.expired, 1);
    loop.health = { up: true, lastScrapeMs: 13_000 };
    e.sweep([l], 13_000);
    loop.health.up = false;
    assert.deepEqual(e.sweep([l], 23_000), [l], 'again after a recovery and a new outage');
  });
});
