import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterOutcome, classifyCounter, parseFloatLabel, prepareEnvelope, timestampNs, toEnvelope } from './convert.js';
import { conversionCases, DEFAULT_SOURCE_ID, SCRAPE_MS, SCRAPE_NS, TARGET } from './testdata/conversion-table.js';

for (const c of conversionCases) {
  test(`toEnvelope: ${c.name}`, () => {
    const p = prepareEnvelope(c.target ?? TARGET, c.series, { defaultSourceId: DEFAULT_SOURCE_ID });
    const r = toEnvelope(p, c.value, c.timestampMs ?? SCRAPE_MS, c.policy ?? 'drop');
    if ('drop' in c.want) {
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.reason, c.want.drop);
      return;
    }
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.envelope, { timestampNs: c.wantTimestampNs ?? SCRAPE_NS, ...c.want });
  });
}

test('classifyCounter covers every edge', () => {
  const table: [number, CounterOutcome][] = [
    [0, CounterOutcome.EXACT],
    [-0, CounterOutcome.EXACT],
    [1, CounterOutcome.EXACT],
    [2 ** 63, CounterOutcome.EXACT],
    [2 ** 64 - 2048, CounterOutcome.EXACT], // largest double < 2^64
    [2 ** 64, CounterOutcome.CLAMPED],
    [0.5, CounterOutcome.TRUNCATED],
    [-0.5, CounterOutcome.NEGATIVE],
    [Number.NaN, CounterOutcome.NAN],
    [Number.POSITIVE_INFINITY, CounterOutcome.INFINITE],
    [Number.NEGATIVE_INFINITY, CounterOutcome.INFINITE],
  ];
  for (const [v, want] of table) assert.equal(classifyCounter(v), want, String(v));
});

test('parseFloatLabel reads what Prometheus writes and rejects the rest', () => {
  assert.equal(parseFloatLabel('+Inf'), Number.POSITIVE_INFINITY);
  assert.equal(parseFloatLabel('-Inf'), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(parseFloatLabel('NaN')));
  assert.equal(parseFloatLabel('1e-05'), 1e-5);
  assert.equal(parseFloatLabel('.5'), 0.5);
  assert.equal(parseFloatLabel(''), null);
  assert.equal(parseFloatLabel('0x10'), null);
  assert.equal(parseFloatLabel('abc'), null);
});

test('an unparsable le is kept as written', () => {
  const p = prepareEnvelope(TARGET, { type: 'histogram', family: 'h', name: 'h_bucket', labels: ['le', 'oops'] }, { defaultSourceId: 'd' });
  assert.deepEqual(p.tags, ['le', 'oops']);
});

test('timestampNs: scrape time, fractions, bigint, clamping', () => {
  assert.equal(timestampNs(1), 1000000n);
  assert.equal(timestampNs(0.000001), 1n);
  assert.equal(timestampNs(1700000000123), 1700000000123000000n);
  assert.equal(timestampNs(-1.5), -1500000n);
  assert.equal(timestampNs(10n ** 15n), 9223372036854775807n);
  assert.equal(timestampNs(-(10n ** 15n)), -9223372036854775808n);
});
