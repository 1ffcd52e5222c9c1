import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const cli = new URL('./main.js', import.meta.url).pathname;
const run = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [cli, 'envelopes', ...args], { input, encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });

const lines = (out: string): Record<string, unknown>[] =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const e = JSON.parse(l) as Record<string, unknown>;
      assert.match(String(e.timestamp), /^\d{19}$/, 'timestamp in ns, as a proto3 JSON int64 string');
      delete e.timestamp;
      return e;
    });

const env = (source: string, tags: Record<string, string>, message: Record<string, unknown>, instance = '0') => ({
  source_id: source,
  deprecated_tags: {},
  ...message,
  instance_id: instance,
  tags,
});
const counter = (name: string, total: string) => ({ counter: { name, delta: '0', total } });
const gauge = (name: string, value: number | string, unit = '') => ({ gauge: { metrics: { [name]: { unit, value } } } });

test('cf-prom envelopes prints the conversion table as proto3 JSON', () => {
  const input = [
    '# TYPE lat histogram',
    'lat_bucket{le="0.00001"} 1',
    'lat_bucket{le="1000000"} 2',
    'lat_bucket{le="+Inf"} 2',
    'lat_sum 0.5',
    'lat_count 2',
    '# TYPE rpc summary',
    'rpc{quantile="0.50"} 0.01',
    'rpc_sum 3',
    'rpc_count 4',
    '# TYPE mem gauge',
    'mem{unit="bytes",source_id="other"} 10',
    'plain{a="sample"} 7',
    '# TYPE c counter',
    'c 2.7',
    '',
  ].join('\n');
  const r = run(['--source-id', 'app', '--instance-id', '0', '--label', 'job=x', '--label', 'a=target', '-'], input);
  assert.equal(r.status, 0, r.stderr);
  const t = { a: 'target', job: 'x' };
  assert.deepEqual(lines(r.stdout), [
    env('app', { ...t, le: '1e-05' }, counter('lat_bucket', '1')),
    env('app', { ...t, le: '1e+06' }, counter('lat_bucket', '2')),
    env('app', { ...t, le: '+Inf' }, counter('lat_bucket', '2')),
    env('app', t, gauge('lat_sum', 0.5)),
    env('app', t, counter('lat_count', '2')),
    env('app', { ...t, quantile: '0.5' }, gauge('rpc', 0.01)),
    env('app', t, gauge('rpc_sum', 3)),
    env('app', t, counter('rpc_count', '4')),
    env('other', t, gauge('mem', 10, 'bytes')),
    env('app', { a: 'sample', job: 'x' }, gauge('plain', 7)),
  ]);
  // A fractional counter is not sent (released behaviour), and said so.
  assert.equal(r.stderr, 'cf-prom envelopes: 1 sample(s) not sent: counter_fractional\n');
  const truncated = run(['--counter-floats', 'truncate'], '# TYPE c counter\nc 2.7\n');
  assert.deepEqual(lines(truncated.stdout), [env('', {}, counter('c', '2'), '')]);
  assert.equal(truncated.stderr, 'cf-prom envelopes: 1 counter value(s) truncated or clamped\n');
});

test('cf-prom envelopes: default source id, OpenMetrics input, counters as gauges, dropped counters reported', () => {
  const om = '# TYPE c counter\nc_total 1.5\nc_created 1700000000\n# EOF\n';
  const r = run(['--default-source-id', 'dflt', '--content-type', 'application/openmetrics-text; version=1.0.0'], om);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [env('dflt', {}, gauge('c_created', 1700000000), '')]);
  assert.equal(r.stderr, 'cf-prom envelopes: 1 sample(s) not sent: counter_fractional\n');
  const g = run(['--default-source-id', 'dflt', '--format', 'openmetrics', '--counter-floats', 'gauge'], om);
  assert.equal(g.status, 0, g.stderr);
  assert.deepEqual(lines(g.stdout), [env('dflt', {}, gauge('c_total', 1.5), ''), env('dflt', {}, gauge('c_created', 1700000000), '')]);
  // Text 0.0.4 allows NaN and negative counters: not sent, and said so.
  const bad = run([], '# TYPE n counter\nn NaN\n# TYPE m counter\nm -1\nm{a="b"} +Inf\n');
  assert.equal(bad.status, 0, bad.stderr);
  assert.equal(bad.stdout, '');
  assert.equal(
    bad.stderr,
    'cf-prom envelopes: 1 sample(s) not sent: counter_nan\ncf-prom envelopes: 1 sample(s) not sent: counter_negative\ncf-prom envelopes: 1 sample(s) not sent: counter_infinite\n',
  );
  const asGauges = run(['--counter-floats', 'gauge'], '# TYPE n counter\nn NaN\n');
  assert.deepEqual(lines(asGauges.stdout), [env('', {}, gauge('n', 'NaN'), '')]);
  assert.equal(run([], 'x 1\n', { DEFAULT_SOURCE_ID: 'from-env' }).stdout.includes('"source_id":"from-env"'), true);
});

test('cf-prom envelopes --honor-timestamps uses the sample timestamp', () => {
  const r = run(['--honor-timestamps'], 'x 1 1700000000123\ny 2\n');
  assert.equal(r.status, 0, r.stderr);
  const [x, y] = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { timestamp: string });
  assert.equal(x?.timestamp, '1700000000123000000');
  assert.notEqual(y?.timestamp, '1700000000123000000');
});

test('cf-prom envelopes: invalid exposition exits 1 with the parse error and prints nothing', () => {
  const r = run([], 'ok 1\nbad{l="x\\q"} 1\n');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^cf-prom: parse error: line 2, col \d+: /);
});

test('cf-prom envelopes: bad options are usage errors', () => {
  assert.equal(run(['--label', 'no-equals'], '').status, 2);
  assert.equal(run(['--label', '1x=y'], '').status, 2);
  assert.equal(run(['--counter-floats', 'round'], '').status, 2);
  assert.equal(run(['a', 'b'], '').status, 2);
});
