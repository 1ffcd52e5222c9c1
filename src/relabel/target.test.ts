// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are Prometheus replacement templates, not JS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TargetDefaults } from './index.js';
import {
  compileRelabelConfigs,
  finalizeTargetLabels,
  formatPromDuration,
  parsePromDuration,
  prepareTargetLabels,
  relabelTarget,
} from './index.js';

const defaults: TargetDefaults = {
  job: 'node',
  scheme: 'http',
  metricsPath: '/metrics',
  scrapeInterval: 15_000,
  scrapeTimeout: '10s',
  params: { module: ['http_2xx', 'ignored'], empty: [] },
};

test('prepareTargetLabels: target labels, then group labels, then config defaults unless set', () => {
  const got = prepareTargetLabels(['__address__', '10.0.0.1:9100', 'job', 'custom', 'env', ''], defaults, [
    'env',
    'prod',
    'team',
    'a',
    '__address__',
    'ignored:1',
  ]);
  assert.deepEqual(got, [
    '__address__',
    '10.0.0.1:9100',
    '__metrics_path__',
    '/metrics',
    '__param_module',
    'http_2xx',
    '__scheme__',
    'http',
    '__scrape_interval__',
    '15s',
    '__scrape_timeout__',
    '10s',
    // env is set (empty) by the target, so the group's value is not used, and "" deletes it
    'job',
    'custom',
    'team',
    'a',
  ]);
});

test('finalizeTargetLabels: instance defaults to __address__, __meta_ removed, __ labels not public', () => {
  const r = finalizeTargetLabels([
    '__address__',
    'h:9100',
    '__scheme__',
    'https',
    '__metrics_path__',
    '/m',
    '__scrape_interval__',
    '1m',
    '__scrape_timeout__',
    '30s',
    '__meta_x',
    'y',
    '__param_target',
    'https://example',
    '__tmp_x',
    't',
    'job',
    'j',
  ]);
  assert.ok(!('dropped' in r));
  assert.deepEqual(r.labels, ['instance', 'h:9100', 'job', 'j']);
  assert.deepEqual(r.params, ['target', 'https://example']);
  assert.equal(r.address, 'h:9100');
  assert.equal(r.scheme, 'https');
  assert.equal(r.metricsPath, '/m');
  assert.equal(r.scrapeIntervalMs, 60_000);
  assert.equal(r.scrapeTimeoutMs, 30_000);
  assert.ok(!r.internal.includes('__meta_x'));
  assert.ok(r.internal.includes('__tmp_x'));
});

test('finalizeTargetLabels: an instance set by relabeling is kept', () => {
  const r = finalizeTargetLabels([
    '__address__',
    'h:1',
    'instance',
    'nice-name',
    '__scrape_interval__',
    '15s',
    '__scrape_timeout__',
    '10s',
  ]);
  assert.ok(!('dropped' in r));
  assert.deepEqual(r.labels, ['instance', 'nice-name']);
});

test('finalizeTargetLabels: dropped with Prometheus reasons', () => {
  const base = ['__scrape_interval__', '15s', '__scrape_timeout__', '10s'];
  const cases: [string[], string][] = [
    [base, 'no address'],
    [['__address__', '', ...base], 'no address'],
    [['__address__', 'http://h:1', ...base], '"http://h:1" is not a valid hostname'],
    [
      ['__address__', 'h:1', '__scrape_interval__', '15x', '__scrape_timeout__', '10s'],
      'error parsing scrape interval: unknown unit "x" in duration "15x"',
    ],
    [['__address__', 'h:1', '__scrape_interval__', '0', '__scrape_timeout__', '10s'], 'scrape interval cannot be 0'],
    [
      ['__address__', 'h:1', '__scrape_interval__', '15s', '__scrape_timeout__', 's'],
      'error parsing scrape timeout: not a valid duration string: "s"',
    ],
    [['__address__', 'h:1', '__scrape_interval__', '15s', '__scrape_timeout__', '0s'], 'scrape timeout cannot be 0'],
    [
      ['__address__', 'h:1', '__scrape_interval__', '10s', '__scrape_timeout__', '20s'],
      'scrape timeout cannot be greater than scrape interval ("20s" > "10s")',
    ],
    [['__address__', 'h:1', ...base, 'x', 'bad\ud800'], 'invalid label value for "x": "bad\\ud800"'],
  ];
  for (const [labels, reason] of cases) assert.deepEqual(finalizeTargetLabels(labels), { dropped: reason }, reason);
});

test('relabelTarget: relabel_configs between prepare and finalize', () => {
  const chain = compileRelabelConfigs([
    { source_labels: ['__meta_cf_app'], regex: 'skip-.*', action: 'drop' },
    { source_labels: ['__address__'], regex: '([^:]+):\\d+', target_label: '__address__', replacement: '${1}:9090' },
    { action: 'labelmap', regex: '__meta_cf_(.+)' },
    { source_labels: ['__address__'], modulus: 4, target_label: '__tmp_shard', action: 'hashmod' },
  ]);
  const r = relabelTarget(chain, ['__address__', '10.0.0.7:8080', '__meta_cf_app', 'web'], defaults);
  assert.ok(!('dropped' in r));
  assert.deepEqual(r.labels, ['app', 'web', 'instance', '10.0.0.7:9090', 'job', 'node']);
  assert.equal(r.address, '10.0.0.7:9090');
  assert.deepEqual(relabelTarget(chain, ['__address__', 'h:1', '__meta_cf_app', 'skip-me'], defaults), {
    dropped: 'dropped by relabel_configs',
  });
  const noAddress = compileRelabelConfigs([{ regex: '__address__', action: 'labeldrop' }]);
  assert.deepEqual(relabelTarget(noAddress, ['__address__', 'h:1'], defaults), { dropped: 'no address' });
});

test('relabelTarget: labelmap visits discovered labels in Prometheus builder order', () => {
  // Prometheus sets target labels, then job, __scrape_interval__, …, __scheme__ on one builder, so
  // labelmap sees job before __scheme__ and the later one wins.
  const chain = compileRelabelConfigs([{ action: 'labelmap', regex: 'job|__scheme__', replacement: 'x' }]);
  const r = relabelTarget(chain, ['__address__', 'h:1'], defaults);
  assert.ok(!('dropped' in r));
  assert.deepEqual(r.labels, ['instance', 'h:1', 'job', 'node', 'x', 'http']);
});

test('Prometheus durations', () => {
  assert.equal(parsePromDuration('1h30m'), 5_400_000);
  assert.equal(parsePromDuration('0'), 0);
  assert.equal(parsePromDuration('1d2h3m4s5ms'), 93_784_005);
  assert.throws(() => parsePromDuration('1m1h'), /not a valid duration string: "1m1h"/);
  assert.throws(() => parsePromDuration(''), /empty duration string/);
  assert.throws(() => parsePromDuration('1.5s'), /unknown unit "." in duration "1.5s"/); // as Go's: the unit is "."
  assert.equal(formatPromDuration(90_000), '1m30s');
  assert.equal(formatPromDuration(0), '0s');
  assert.equal(formatPromDuration(7 * 86_400_000), '1w');
  assert.equal(formatPromDuration(90 * 86_400_000), '90d');
  assert.equal(formatPromDuration(365 * 86_400_000), '1y');
  assert.equal(formatPromDuration(1500), '1s500ms');
});
