import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition } from '../exposition/index.js';
import { registerProcessMetrics } from './process-metrics.js';
import { Registry } from './registry.js';

test('renders counters, gauges and histograms in text 0.0.4', () => {
  const r = new Registry();
  const c = r.counter({ name: 'req_total', help: 'Requests.', labelNames: ['code'] });
  c.labels('200').inc();
  c.labels('200').inc(2);
  c.labels('5"0\\0').inc();
  r.gauge({ name: 'up', help: 'Up.' }).set(1);
  const h = r.histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.1, 1] });
  h.labels('/a').observe(0.05);
  h.labels('/a').observe(0.5);
  h.labels('/a').observe(3);
  r.counter({ name: 'mirrored_total', help: 'Mirrored.', labelNames: ['reason'], collect: (set) => set(7, 'bad') });
  assert.equal(
    r.render(),
    [
      '# HELP req_total Requests.',
      '# TYPE req_total counter',
      'req_total{code="200"} 3',
      'req_total{code="5\\"0\\\\0"} 1',
      '# HELP up Up.',
      '# TYPE up gauge',
      'up 1',
      '# HELP lat_seconds Latency.',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{route="/a",le="0.1"} 1',
      'lat_seconds_bucket{route="/a",le="1"} 2',
      'lat_seconds_bucket{route="/a",le="+Inf"} 3',
      'lat_seconds_sum{route="/a"} 3.55',
      'lat_seconds_count{route="/a"} 3',
      '# HELP mirrored_total Mirrored.',
      '# TYPE mirrored_total counter',
      'mirrored_total{reason="bad"} 7',
      '',
    ].join('\n'),
  );
});

test('refuses programming errors with messages naming the metric', () => {
  const r = new Registry();
  r.counter({ name: 'a_total', help: 'x' });
  assert.throws(() => r.counter({ name: 'a_total', help: 'x' }), /a_total is already registered/);
  assert.throws(() => r.gauge({ name: 'bad-name', help: 'x' }), /invalid metric name/);
  assert.throws(() => r.gauge({ name: 'g', help: 'x', labelNames: ['__x'] }), /invalid label name/);
  const c = r.counter({ name: 'b_total', help: 'x', labelNames: ['k'] });
  assert.throws(() => c.labels(), /takes 1 label values \(k\), got 0/);
  assert.throws(() => c.labels('v').inc(-1), /only go up/);
  assert.throws(() => r.histogram({ name: 'h', help: 'x', buckets: [1, 1] }), /must increase/);
});

test('process metrics render and parse', () => {
  const r = new Registry();
  const p = registerProcessMetrics(r);
  const families = parseExposition(Buffer.from(r.render()), { format: 'text' });
  p.stop();
  const names = families.map((f) => f.name);
  for (const n of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
    'nodejs_heap_used_bytes',
  ]) {
    assert.ok(names.includes(n), n);
  }
  assert.ok((families.find((f) => f.name === 'process_resident_memory_bytes')?.samples[0]?.value ?? 0) > 0);
});
