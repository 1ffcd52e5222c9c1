import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildFetcherConfig, loadFetcherConfig } from './config.js';
import { parseGoDurationMs } from './duration.js';
import { exporterUrl } from './external-exporters.js';

const opts = { defaultRoutesFile: '/pkg/routes.json' };

test('no file: the original defaults on the embedded route file; env overrides', () => {
  const c = loadFetcherConfig(null, { ...opts, env: { PORT: '9000', LOG_LEVEL: 'debug' } });
  assert.equal(c.port, 9000);
  assert.equal(c.healthCheckPort, 8080);
  assert.equal(c.listenHost, '0.0.0.0');
  assert.equal(c.baseUrl, 'http://localhost:8085');
  assert.deepEqual(c.routes, { kind: 'file', path: '/pkg/routes.json' });
  assert.equal(c.logging.level, 'debug');
  assert.equal(c.fetch.timeoutMs, 30_000);
  assert.equal(c.disableKeepAlives, true);
  assert.equal(c.broker.serviceId, '75bcebab-cc25-4ef6-89dc-a91b953919f1');
  assert.ok(Object.isFrozen(c.fetch));
});

test('a file with the original keys: NATS hosts with credentials, durations (bare integers are nanoseconds), broker and db kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-cfg-'));
  const file = join(dir, 'promfetcher.yml');
  writeFileSync(
    file,
    [
      'port: 8085',
      'nats:',
      '  user: nats',
      '  pass: "p@ss"',
      '  hosts: [{hostname: 10.0.0.5, port: 4222}, {hostname: 10.0.0.6}]',
      'nats_client_ping_interval: 20000000000',
      'start_response_delay_interval: 5s',
      'db_conn: "sqlite:///var/vcap/store/promfetcher.db"',
      'broker: {user: admin, pass: secret}',
      'external_exporters:',
      '- host: bb.example.com:9115',
      '  metrics_path: /probe',
      '  params: {target: ["https://{{.AppName}}.apps.example.com/{{ .SpaceName }}"], module: [http_2xx]}',
      'some_future_key: 1',
    ].join('\n'),
  );
  const c = loadFetcherConfig(file, opts);
  assert.deepEqual(c.routes.kind === 'nats' && [c.routes.servers, c.routes.pingIntervalMs, c.routes.startResponseDelayMs], [
    ['nats://nats:p%40ss@10.0.0.5:4222', 'nats://nats:p%40ss@10.0.0.6:4222'],
    20_000,
    5_000,
  ]);
  assert.equal(c.dbConn, 'sqlite:///var/vcap/store/promfetcher.db');
  assert.equal(c.broker.user, 'admin');
  assert.deepEqual(c.unknownKeys, ['some_future_key']);
  const e = c.externalExporters[0];
  assert.ok(e);
  assert.equal(e.name, 'bb.example.com:9115/probe');
  assert.equal(
    exporterUrl(e, { app_name: 'billing', space_name: 'prod' }).toString(),
    'http://bb.example.com:9115/probe?target=https%3A%2F%2Fbilling.apps.example.com%2Fprod&module=http_2xx',
  );
});

const bad: [string, Record<string, unknown>, string][] = [
  ['port out of range', { port: 70000 }, 'x.yml: port: must be an integer from 0 to 65535, got 70000'],
  ['enable_ssl without a certificate', { enable_ssl: true }, 'x.yml: tls_pem.cert_chain: is required when enable_ssl is true'],
  [
    'half a client certificate',
    { backends: { cert_chain: 'PEM' } },
    'x.yml: backends.private_key: backends.cert_chain and backends.private_key must be given together',
  ],
  ['nats tls without ca', { nats: { tls_enabled: true } }, 'x.yml: nats.ca_certs: is required when nats.tls_enabled is true'],
  [
    'bad duration',
    { fetch_timeout: '30 seconds' },
    'x.yml: fetch_timeout: must be a duration like "30s" or "1m30s" (units ns, us, ms, s, m, h), got "30 seconds"',
  ],
  ['exporter without host', { external_exporters: [{ metrics_path: '/probe' }] }, 'x.yml: external_exporters[0].host: is required'],
  [
    'exporter bad template',
    { external_exporters: [{ host: 'bb:9115', params: { target: ['{{ .Nope }}'] } }] },
    'x.yml: external_exporters[0].params.target[0]: unknown field .Nope; known: .AppID, .AppName, .OrganizationID, .OrganizationName, .SpaceID, .SpaceName, .SourceID, .ProcessType, .Component, .InstanceID, .ProcessID, .ProcessInstanceID',
  ],
  [
    'exporter template function',
    { external_exporters: [{ host: 'bb:9115', params: { t: ['{{ printf "%s" .AppID }}'] } }] },
    'x.yml: external_exporters[0].params.t[0]: unsupported template action {{ printf "%s" .AppID }}: only {{.Field}} is supported',
  ],
  [
    'bad log level',
    { logging: { level: 'loud' } },
    'x.yml: logging.level: must be one of trace, debug, info, warn, error, fatal, panic, got "loud"',
  ],
  ['bad db_conn', { db_conn: 'oracle://x' }, 'x.yml: db_conn: must be a URL starting with mysql://, mariadb://, postgres:// or sqlite://'],
  [
    'short bearer token',
    { api_auth: { bearer_tokens: ['short'] } },
    'x.yml: api_auth.bearer_tokens[0]: must be a string of at least 16 characters',
  ],
  ['nats not a mapping', { nats: [1] }, 'x.yml: nats: must be a mapping, got a list'],
];
for (const [name, obj, message] of bad) {
  test(`refused: ${name}`, () => assert.throws(() => buildFetcherConfig('x.yml', obj, opts), { code: 'FETCHER_CONFIG', message }));
}

test('YAML syntax errors and bad env values name where', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-cfg-'));
  const file = join(dir, 'broken.yml');
  writeFileSync(file, 'port: 8085\nnats: [\n');
  assert.throws(() => loadFetcherConfig(file, opts), {
    code: 'FETCHER_CONFIG',
    message: new RegExp(`^${file}: line 3, column 1: invalid YAML`),
  });
  assert.throws(() => loadFetcherConfig(join(dir, 'missing.yml'), opts), {
    code: 'FETCHER_CONFIG',
    message: /missing\.yml: cannot read: ENOENT/,
  });
  assert.throws(() => loadFetcherConfig(null, { ...opts, env: { HEALTH_CHECK_PORT: 'abc' } }), {
    message: 'environment: HEALTH_CHECK_PORT: must be an integer from 0 to 65535, got "abc"',
  });
});

test('Go durations', () => {
  assert.equal(parseGoDurationMs('1m30s'), 90_000);
  assert.equal(parseGoDurationMs('1.5s'), 1500);
  assert.equal(parseGoDurationMs('250ms'), 250);
  assert.equal(parseGoDurationMs(5_000_000_000), 5000);
  assert.equal(parseGoDurationMs('0'), 0);
  assert.equal(typeof parseGoDurationMs('5'), 'string');
  assert.equal(typeof parseGoDurationMs(-1), 'string');
});
