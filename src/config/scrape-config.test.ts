import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from './errors.js';
import { collectScrapeConfigText, loadScrapeConfigFile, loadScrapeConfigText } from './scrape-config.js';
import type { ScrapeJobConfig } from './types.js';

const F = 'scrape.yml';
const load = (text: string, defaults = {}) => loadScrapeConfigText(text, F, { baseDir: '/etc/cf-prom', ...defaults });
const one = (text: string, defaults = {}): ScrapeJobConfig => {
  const jobs = load(text, defaults);
  assert.equal(jobs.length, 1);
  return jobs[0] as ScrapeJobConfig;
};

test('a minimal job gets every Prometheus default', () => {
  const job = one('scrape_configs:\n  - job_name: node\n');
  assert.deepEqual(job, {
    jobName: 'node',
    origin: 'scrape.yml: scrape_configs[0]',
    scrapeIntervalMs: 60_000,
    scrapeTimeoutMs: 10_000,
    metricsPath: '/metrics',
    scheme: 'http',
    params: {},
    honorLabels: false,
    honorTimestamps: true,
    staticConfigs: [],
    fileSdConfigs: [],
    relabelConfigs: [],
    metricRelabelConfigs: [],
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    bodySizeLimitBytes: 0,
    tls: { caFile: null, certFile: null, keyFile: null, serverName: null, insecureSkipVerify: false, minVersion: null },
    basicAuth: null,
    authorization: null,
    headers: {},
    sourceId: 'node',
    declaredSourceId: '',
    instanceId: null,
    cfStyle: false,
  } satisfies ScrapeJobConfig);
});

test('every key is read', () => {
  const job = one(`
scrape_configs:
  - job_name: app
    scrape_interval: 30s
    scrape_timeout: 5s
    metrics_path: /metrics/prometheus
    scheme: https
    params: {module: [http_2xx], target: [a, b]}
    honor_labels: true
    honor_timestamps: false
    static_configs:
      - targets: ['10.0.0.1:9100', 'host-a.example:8080', '[::1]:9090', 'bare-host']
        labels: {env: prod, zone: z1}
    file_sd_configs:
      - files: [targets/*.json, /abs/more.yml]
        refresh_interval: 1m
      - files: [x.yaml]
    relabel_configs:
      - source_labels: [__address__]
        target_label: instance
    metric_relabel_configs:
      - action: drop
        source_labels: [__name__]
        regex: go_.*
    sample_limit: 5000
    label_limit: 30
    label_name_length_limit: 100
    label_value_length_limit: 200
    body_size_limit: 10MB
    tls_config:
      ca_file: ca.pem
      cert_file: /certs/client.pem
      key_file: /certs/client.key
      server_name: app.internal
      insecure_skip_verify: true
      min_version: TLS13
    authorization: {credentials: secret}
    headers: {X-Scope: team-a}
    source_id: my-app
    instance_id: guid-1
`);
  assert.equal(job.scrapeIntervalMs, 30_000);
  assert.equal(job.scrapeTimeoutMs, 5_000);
  assert.equal(job.metricsPath, '/metrics/prometheus');
  assert.equal(job.scheme, 'https');
  assert.deepEqual(job.params, { module: ['http_2xx'], target: ['a', 'b'] });
  assert.equal(job.honorLabels, true);
  assert.equal(job.honorTimestamps, false);
  assert.deepEqual(job.staticConfigs, [
    {
      targets: ['10.0.0.1:9100', 'host-a.example:8080', '[::1]:9090', 'bare-host'],
      labels: ['env', 'prod', 'zone', 'z1'],
      source: 'scrape.yml: scrape_configs[0].static_configs[0]',
    },
  ]);
  assert.deepEqual(job.fileSdConfigs, [
    { files: ['/etc/cf-prom/targets/*.json', '/abs/more.yml'], refreshIntervalMs: 60_000 },
    { files: ['/etc/cf-prom/x.yaml'], refreshIntervalMs: 300_000 },
  ]);
  assert.deepEqual(job.relabelConfigs, [{ source_labels: ['__address__'], target_label: 'instance' }]);
  assert.deepEqual(job.metricRelabelConfigs, [{ action: 'drop', source_labels: ['__name__'], regex: 'go_.*' }]);
  assert.equal(job.sampleLimit, 5000);
  assert.equal(job.labelLimit, 30);
  assert.equal(job.labelNameLengthLimit, 100);
  assert.equal(job.labelValueLengthLimit, 200);
  assert.equal(job.bodySizeLimitBytes, 10 * 1024 * 1024);
  assert.deepEqual(job.tls, {
    caFile: '/etc/cf-prom/ca.pem',
    certFile: '/certs/client.pem',
    keyFile: '/certs/client.key',
    serverName: 'app.internal',
    insecureSkipVerify: true,
    minVersion: 'TLSv1.3',
  });
  assert.deepEqual(job.authorization, { type: 'Bearer', credentials: 'secret', credentialsFile: null });
  assert.equal(job.basicAuth, null);
  assert.deepEqual(job.headers, { 'X-Scope': 'team-a' });
  assert.equal(job.sourceId, 'my-app');
  assert.equal(job.declaredSourceId, 'my-app');
  assert.equal(job.instanceId, 'guid-1');
});

test('basic_auth with password_file, authorization with credentials_file and a type', () => {
  const a = one('scrape_configs:\n- job_name: a\n  basic_auth: {username: u, password_file: pw}\n');
  assert.deepEqual(a.basicAuth, { username: 'u', password: null, passwordFile: '/etc/cf-prom/pw' });
  const b = one('scrape_configs:\n- job_name: a\n  basic_auth: {username: u, password: p}\n');
  assert.deepEqual(b.basicAuth, { username: 'u', password: 'p', passwordFile: null });
  const c = one('scrape_configs:\n- job_name: a\n  authorization: {type: Token, credentials_file: /run/token}\n');
  assert.deepEqual(c.authorization, { type: 'Token', credentials: null, credentialsFile: '/run/token' });
});

test('defaults: global section, then the given defaults (SCRAPE_INTERVAL), then Prometheus', () => {
  const text =
    'global:\n  scrape_interval: 20s\n  scrape_timeout: 4s\n  sample_limit: 10\n  body_size_limit: 1KB\n  label_limit: 5\nscrape_configs:\n- job_name: a\n- job_name: b\n  scrape_interval: 2s\n  sample_limit: 3\n';
  const [a, b] = load(text) as [ScrapeJobConfig, ScrapeJobConfig];
  assert.deepEqual(
    [a.scrapeIntervalMs, a.scrapeTimeoutMs, a.sampleLimit, a.bodySizeLimitBytes, a.labelLimit],
    [20_000, 4_000, 10, 1024, 5],
  );
  // A job interval below the global timeout lowers the inherited timeout to the interval.
  assert.deepEqual([b.scrapeIntervalMs, b.scrapeTimeoutMs, b.sampleLimit], [2_000, 2_000, 3]);
  const env = one('scrape_configs: [{job_name: a}]', { scrapeIntervalMs: 15_000 });
  assert.deepEqual([env.scrapeIntervalMs, env.scrapeTimeoutMs], [15_000, 10_000]);
  const short = one('scrape_configs: [{job_name: a, scrape_interval: 5s}]');
  assert.deepEqual([short.scrapeIntervalMs, short.scrapeTimeoutMs], [5_000, 5_000]);
  const withSourceDefault = one('scrape_configs: [{job_name: a}]', { defaultSourceId: 'router' });
  assert.equal(withSourceDefault.sourceId, 'router');
});

test('TLS defaults from the environment apply unless the job sets its own', () => {
  const d = { caFile: '/env/ca.pem', certFile: '/env/c.pem', keyFile: '/env/k.pem', insecureSkipVerify: true };
  const inherit = one('scrape_configs: [{job_name: a, scheme: https}]', d);
  assert.deepEqual(inherit.tls, {
    caFile: '/env/ca.pem',
    certFile: '/env/c.pem',
    keyFile: '/env/k.pem',
    serverName: null,
    insecureSkipVerify: true,
    minVersion: null,
  });
  const own = one('scrape_configs: [{job_name: a, tls_config: {cert_file: /c, key_file: /k, insecure_skip_verify: false}}]', d);
  assert.deepEqual([own.tls.caFile, own.tls.certFile, own.tls.keyFile, own.tls.insecureSkipVerify], ['/env/ca.pem', '/c', '/k', false]);
});

test('a bare list is taken as the scrape_configs list (ADDITIONAL_SCRAPE_CONFIGS style)', () => {
  const jobs = loadScrapeConfigText('- job_name: a\n  static_configs: [{targets: ["127.0.0.1:1"]}]\n', 'ADDITIONAL_SCRAPE_CONFIGS');
  assert.equal(jobs[0]?.origin, 'ADDITIONAL_SCRAPE_CONFIGS: [0]');
  assert.throws(() => loadScrapeConfigText('- job_name: a\n  foo: 1\n', 'ADDITIONAL_SCRAPE_CONFIGS'), {
    message: /^ADDITIONAL_SCRAPE_CONFIGS: \[0\]\.foo: unknown field; allowed: job_name, /,
  });
});

test('an empty file and an empty scrape_configs give no jobs', () => {
  assert.deepEqual(load(''), []);
  assert.deepEqual(load('scrape_configs: []\n'), []);
  assert.deepEqual(load('global: {scrape_interval: 10s}\n'), []);
});

const JOB_ALLOWED =
  'job_name, scrape_interval, scrape_timeout, metrics_path, scheme, params, honor_labels, honor_timestamps, static_configs, file_sd_configs, relabel_configs, metric_relabel_configs, sample_limit, label_limit, label_name_length_limit, label_value_length_limit, body_size_limit, tls_config, basic_auth, authorization, headers, source_id, instance_id';
const job = (body: string) =>
  `scrape_configs:\n  - job_name: a\n${body
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;

// Each case: the YAML and the exact message of the first problem.
const errors: Array<{ name: string; text: string; message: string }> = [
  {
    name: 'unknown top-level key',
    text: 'scrape_config: []\n',
    message: 'scrape.yml: scrape_config: unknown field; allowed: global, scrape_configs (line 1)',
  },
  {
    name: 'unsupported Prometheus section',
    text: 'rule_files: [a.yml]\n',
    message: 'scrape.yml: rule_files: unknown field: not supported by cf-prom: only global and scrape_configs are read (line 1)',
  },
  {
    name: 'CF file given as Prometheus YAML',
    text: 'port: 8080\n',
    message: 'scrape.yml: port: unknown field: this looks like a CF prom_scraper_config.yml; list it in CONFIG_GLOBS instead (line 1)',
  },
  {
    name: 'unknown job key',
    text: job('scrape_intervall: 1m'),
    message: `scrape.yml: scrape_configs[0].scrape_intervall: unknown field; allowed: ${JOB_ALLOWED} (line 3)`,
  },
  {
    name: 'bearer_token hint',
    text: job('bearer_token: x'),
    message: 'scrape.yml: scrape_configs[0].bearer_token: unknown field: use authorization: {credentials: ...} (line 3)',
  },
  {
    name: 'unknown tls key',
    text: job('tls_config:\n  ca_fil: x'),
    message:
      'scrape.yml: scrape_configs[0].tls_config.ca_fil: unknown field; allowed: ca_file, cert_file, key_file, server_name, insecure_skip_verify, min_version (line 4)',
  },
  {
    name: 'unknown global key',
    text: 'global:\n  scrape_intervals: 1m\n',
    message: /^scrape\.yml: global\.scrape_intervals: unknown field; allowed: scrape_interval, scrape_timeout, / as unknown as string,
  },
  {
    name: 'unknown static_configs key',
    text: job('static_configs:\n  - target: [a]'),
    message: 'scrape.yml: scrape_configs[0].static_configs[0].target: unknown field; allowed: targets, labels (line 4)',
  },
  {
    name: 'unknown basic_auth key',
    text: job('basic_auth: {user: a}'),
    message: 'scrape.yml: scrape_configs[0].basic_auth.user: unknown field; allowed: username, password, password_file (line 3)',
  },
  {
    name: 'unknown authorization key',
    text: job('authorization: {token: a}'),
    message: 'scrape.yml: scrape_configs[0].authorization.token: unknown field; allowed: type, credentials, credentials_file (line 3)',
  },
  {
    name: 'unknown file_sd key',
    text: job('file_sd_configs: [{files: [a.json], refresh: 1m}]'),
    message: 'scrape.yml: scrape_configs[0].file_sd_configs[0].refresh: unknown field; allowed: files, refresh_interval (line 3)',
  },
  {
    name: 'missing job_name',
    text: 'scrape_configs:\n  - scrape_interval: 1m\n',
    message: 'scrape.yml: scrape_configs[0]: job_name is missing; every scrape config needs a unique job_name (line 2)',
  },
  {
    name: 'empty job_name',
    text: 'scrape_configs:\n  - job_name: ""\n',
    message: 'scrape.yml: scrape_configs[0].job_name: must not be empty (line 2)',
  },
  {
    name: 'null scrape config',
    text: 'scrape_configs:\n  -\n',
    message: 'scrape.yml: scrape_configs[0]: empty scrape config; it needs at least job_name (line 2)',
  },
  {
    name: 'duplicate job name',
    text: 'scrape_configs:\n  - job_name: a\n  - job_name: b\n  - job_name: a\n',
    message: 'scrape.yml: scrape_configs[2].job_name: duplicate job name "a" (first defined at scrape_configs[0]) (line 4)',
  },
  {
    name: 'scrape_configs not a list',
    text: 'scrape_configs: {job_name: a}\n',
    message: 'scrape.yml: scrape_configs: must be a list of scrape configs, got a mapping (line 1)',
  },
  {
    name: 'job not a mapping',
    text: 'scrape_configs: [node]\n',
    message: 'scrape.yml: scrape_configs[0]: must be a mapping, got "node" (line 1)',
  },
  {
    name: 'invalid duration',
    text: job('scrape_interval: 15'),
    message: 'scrape.yml: scrape_configs[0].scrape_interval: not a valid duration string: "15"; use e.g. 30s, 1m30s, 1h (line 3)',
  },
  {
    name: 'unknown duration unit',
    text: job('scrape_interval: 1x'),
    message: 'scrape.yml: scrape_configs[0].scrape_interval: unknown unit "x" in duration "1x"; use e.g. 30s, 1m30s, 1h (line 3)',
  },
  {
    name: 'timeout above interval',
    text: job('scrape_interval: 15s\nscrape_timeout: 20s'),
    message: 'scrape.yml: scrape_configs[0].scrape_timeout: 20s must not exceed scrape_interval 15s (line 4)',
  },
  {
    name: 'timeout above global interval',
    text: 'global: {scrape_interval: 5s}\nscrape_configs:\n  - job_name: a\n    scrape_timeout: 6s\n',
    message: 'scrape.yml: scrape_configs[0].scrape_timeout: 6s must not exceed scrape_interval 5s (line 4)',
  },
  {
    name: 'global timeout above global interval',
    text: 'global: {scrape_interval: 5s, scrape_timeout: 6s}\n',
    message: 'scrape.yml: global.scrape_timeout: 6s must not exceed scrape_interval 5s (line 1)',
  },
  {
    name: 'bad scheme',
    text: job('scheme: ftp'),
    message: 'scrape.yml: scrape_configs[0].scheme: unsupported scheme "ftp"; allowed: http, https (line 3)',
  },
  {
    name: 'query in metrics_path',
    text: job('metrics_path: /m?x=1'),
    message: 'scrape.yml: scrape_configs[0].metrics_path: "/m?x=1" must not contain a query; put query parameters in params (line 3)',
  },
  {
    name: 'params value not a list',
    text: job('params: {module: x}'),
    message: 'scrape.yml: scrape_configs[0].params.module: must be a list of strings, got "x" (line 3)',
  },
  {
    name: 'honor_labels not a boolean',
    text: job('honor_labels: yes'),
    message: 'scrape.yml: scrape_configs[0].honor_labels: must be true or false, got "yes" (line 3)',
  },
  {
    name: 'negative limit',
    text: job('sample_limit: -1'),
    message: 'scrape.yml: scrape_configs[0].sample_limit: must be a non-negative integer (0 = no limit), got -1 (line 3)',
  },
  {
    name: 'string limit',
    text: job('label_limit: many'),
    message: 'scrape.yml: scrape_configs[0].label_limit: must be a non-negative integer (0 = no limit), got "many" (line 3)',
  },
  {
    name: 'bad body_size_limit',
    text: job('body_size_limit: 10XB'),
    message:
      'scrape.yml: scrape_configs[0].body_size_limit: invalid size "10XB"; use a number with a unit: B, KB, MB, GB (1024-based), e.g. 10MB (line 3)',
  },
  {
    name: 'target with a scheme',
    text: job('static_configs:\n  - targets: ["http://h:1/metrics"]'),
    message:
      'scrape.yml: scrape_configs[0].static_configs[0].targets[0]: "http://h:1/metrics" is not a valid target address: write host:port (the scheme goes in scheme, the path in metrics_path) (line 4)',
  },
  {
    name: 'target bad port',
    text: job('static_configs: [{targets: ["h:99999"]}]'),
    message:
      'scrape.yml: scrape_configs[0].static_configs[0].targets[0]: "h:99999" is not a valid target address: port must be 1-65535 (line 3)',
  },
  {
    name: 'target bare IPv6',
    text: job('static_configs: [{targets: ["::1:9100"]}]'),
    message:
      'scrape.yml: scrape_configs[0].static_configs[0].targets[0]: "::1:9100" is not a valid target address: put IPv6 addresses in brackets, e.g. [::1]:9100 (line 3)',
  },
  {
    name: 'empty target',
    text: job('static_configs: [{targets: [""]}]'),
    message: 'scrape.yml: scrape_configs[0].static_configs[0].targets[0]: empty target address; write host:port (line 3)',
  },
  {
    name: 'target not a string',
    text: job('static_configs: [{targets: [{a: 1}]}]'),
    message: 'scrape.yml: scrape_configs[0].static_configs[0].targets[0]: must be a string, got a mapping (line 3)',
  },
  {
    name: 'label value a list',
    text: job('static_configs: [{targets: [h], labels: {a: [1]}}]'),
    message: 'scrape.yml: scrape_configs[0].static_configs[0].labels.a: must be a string, got a list (line 3)',
  },
  {
    name: 'file_sd without files',
    text: job('file_sd_configs: [{refresh_interval: 1m}]'),
    message:
      'scrape.yml: scrape_configs[0].file_sd_configs[0]: files is missing; list at least one .json, .yml or .yaml file or pattern (line 3)',
  },
  {
    name: 'file_sd bad extension',
    text: job('file_sd_configs: [{files: [targets.txt]}]'),
    message:
      'scrape.yml: scrape_configs[0].file_sd_configs[0].files[0]: path name "targets.txt" is not valid for file discovery: use .json, .yml or .yaml files, with * only in the file name (line 3)',
  },
  {
    name: 'file_sd glob in a directory',
    text: job('file_sd_configs: [{files: ["*/t.json"]}]'),
    message:
      'scrape.yml: scrape_configs[0].file_sd_configs[0].files[0]: path name "*/t.json" is not valid for file discovery: use .json, .yml or .yaml files, with * only in the file name (line 3)',
  },
  {
    name: 'invalid relabel action',
    text: job('relabel_configs:\n  - action: replce'),
    message:
      'scrape.yml: scrape_configs[0].relabel_configs[0].action: unknown relabel action "replce"; expected one of replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase (line 4)',
  },
  {
    name: 'relabel rules not a list',
    text: job('metric_relabel_configs: {action: drop}'),
    message: /^scrape\.yml: scrape_configs\[0\]\.metric_relabel_configs: must be a list of relabel rules/ as unknown as string,
  },
  {
    name: 'cert without key',
    text: job('tls_config: {cert_file: /c}'),
    message: 'scrape.yml: scrape_configs[0].tls_config.cert_file: client certificate given without key_file; set both or neither (line 3)',
  },
  {
    name: 'key without cert',
    text: job('tls_config: {key_file: /k}'),
    message: 'scrape.yml: scrape_configs[0].tls_config.key_file: client key given without cert_file; set both or neither (line 3)',
  },
  {
    name: 'old TLS version',
    text: job('tls_config: {min_version: TLS11}'),
    message: 'scrape.yml: scrape_configs[0].tls_config.min_version: unsupported TLS version "TLS11"; allowed: TLS12, TLS13 (line 3)',
  },
  {
    name: 'both auth kinds',
    text: job('basic_auth: {username: u, password: p}\nauthorization: {credentials: c}'),
    message: 'scrape.yml: scrape_configs[0].authorization: basic_auth and authorization are both set; use only one (line 4)',
  },
  {
    name: 'password and password_file',
    text: job('basic_auth: {username: u, password: p, password_file: f}'),
    message: 'scrape.yml: scrape_configs[0].basic_auth: password and password_file are both set; use only one (line 3)',
  },
  {
    name: 'credentials and credentials_file',
    text: job('authorization: {credentials: c, credentials_file: f}'),
    message: 'scrape.yml: scrape_configs[0].authorization: credentials and credentials_file are both set; use only one (line 3)',
  },
  {
    name: 'authorization without credentials',
    text: job('authorization: {type: Bearer}'),
    message: 'scrape.yml: scrape_configs[0].authorization: needs credentials or credentials_file (line 3)',
  },
  {
    name: 'authorization type Basic',
    text: job('authorization: {type: Basic, credentials: c}'),
    message: 'scrape.yml: scrape_configs[0].authorization.type: "Basic" is not allowed here; use basic_auth (line 3)',
  },
  {
    name: 'bad header name',
    text: job('headers: {"X Bad": v}'),
    message: 'scrape.yml: scrape_configs[0].headers.X Bad: invalid HTTP header name (line 3)',
  },
  {
    name: 'Authorization header with auth',
    text: job('authorization: {credentials: c}\nheaders: {Authorization: x}'),
    message:
      'scrape.yml: scrape_configs[0].headers.Authorization: conflicts with basic_auth/authorization; set the credentials in one place (line 4)',
  },
  {
    name: 'source_id not a string',
    text: job('source_id: [a]'),
    message: 'scrape.yml: scrape_configs[0].source_id: must be a string, got a list (line 3)',
  },
  {
    name: 'YAML syntax error',
    text: 'scrape_configs:\n  - job_name: [a\n',
    message: /^scrape\.yml: invalid YAML: .* \(line \d\)$/ as unknown as string,
  },
  {
    name: 'duplicate YAML key',
    text: 'scrape_configs:\n  - job_name: a\n    job_name: b\n',
    message: 'scrape.yml: invalid YAML: Map keys must be unique (line 3)',
  },
];

for (const c of errors) {
  test(`error: ${c.name}`, () => {
    assert.throws(
      () => load(c.text),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.code, 'CONFIG_INVALID');
        if (typeof c.message === 'string') assert.equal(err.message, c.message);
        else assert.match(err.message, c.message as RegExp);
        return true;
      },
    );
  });
}

test('every problem is collected, not only the first; bad jobs are left out', () => {
  const r = collectScrapeConfigText(
    'scrape_configs:\n  - job_name: ok\n  - job_name: bad\n    scheme: ftp\n    sample_limit: x\n    tls_config: {ca_fil: y}\n',
    F,
  );
  assert.deepEqual(
    r.problems.map((p) => [p.path, p.line]),
    [
      ['scrape_configs[1].scheme', 4],
      ['scrape_configs[1].tls_config.ca_fil', 6],
      ['scrape_configs[1].sample_limit', 5],
    ],
  );
  assert.deepEqual(
    r.jobs.map((j) => j.jobName),
    ['ok'],
  );
  const err = r.problems[0] as ConfigError;
  assert.deepEqual(
    [err.file, err.path, err.reason],
    ['scrape.yml', 'scrape_configs[1].scheme', 'unsupported scheme "ftp"; allowed: http, https'],
  );
});

test('YAML anchors and merge keys work', () => {
  const jobs = load(
    'scrape_configs:\n  - &base\n    job_name: a\n    tls_config: {insecure_skip_verify: true}\n  - <<: *base\n    job_name: b\n',
  );
  assert.deepEqual(
    jobs.map((j) => [j.jobName, j.tls.insecureSkipVerify]),
    [
      ['a', true],
      ['b', true],
    ],
  );
});

test('loadScrapeConfigFile resolves relative paths against the file directory; checkFiles reports unreadable files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfprom-cfg-'));
  const file = join(dir, 'scrape.yml');
  writeFileSync(file, 'scrape_configs:\n  - job_name: a\n    tls_config: {ca_file: ca.pem}\n    file_sd_configs: [{files: [sd/*.json]}]\n');
  const [j] = loadScrapeConfigFile(file);
  assert.equal(j?.tls.caFile, join(dir, 'ca.pem'));
  assert.deepEqual(j?.fileSdConfigs[0]?.files, [join(dir, 'sd/*.json')]);
  assert.throws(() => loadScrapeConfigFile(file, { checkFiles: true }), {
    message: `${file}: scrape_configs[0].tls_config.ca_file: cannot read "${join(dir, 'ca.pem')}": ENOENT (line 3)`,
  });
  writeFileSync(join(dir, 'ca.pem'), 'x');
  assert.equal(loadScrapeConfigFile(file, { checkFiles: true }).length, 1);
  assert.throws(() => loadScrapeConfigFile(join(dir, 'missing.yml')), {
    code: 'CONFIG_INVALID',
    message: /^.*missing\.yml: cannot read file: ENOENT/,
  });
});
