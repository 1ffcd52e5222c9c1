import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimestampMs } from '../exposition/index.js';
import { COUNTER_FLOAT_POLICIES, type CounterFloatPolicy, type PreparedEnvelope, prepareEnvelope } from './convert.js';
import { EnvelopeImage, SampleList, ScrapeEncoder } from './image.js';
import { createLoggregatorMetrics } from './metrics.js';
import { conversionCases, DEFAULT_SOURCE_ID, TARGET } from './testdata/conversion-table.js';

/** xorshift32: the same "random" scrapes on every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

// Values whose encodings differ in length or presence: zeros, varint length edges, odd counters.
const VALUES = [
  0,
  -0,
  1,
  127,
  128,
  16383,
  16384,
  2 ** 31,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 64,
  1e300,
  1.5,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
];

/** The conversion table's series (and many histogram buckets, so images grow past their first size). */
function seriesSet(): Parameters<typeof prepareEnvelope>[1][] {
  const out = conversionCases.map((c) => c.series);
  for (let i = 0; i < 300; i++)
    out.push({ type: 'histogram', family: `h${i % 7}`, name: `h${i % 7}_bucket`, labels: ['i', String(i), 'le', String(i / 10)] });
  return out;
}

function scrapeSamples(r: () => number, n: number, round: number, order: number[]): { idx: number[]; values: number[]; ts: TimestampMs[] } {
  // Mostly a stable order with steadily changing values, as real targets behave; now and then
  // series appear, vanish or move, values jump between encodings, timestamps vary.
  const idx = order.filter(() => r() > 0.03);
  if (r() < 0.2) idx.splice(Math.floor(r() * idx.length), 0, Math.floor(r() * n));
  if (r() < 0.1) idx.reverse();
  const scrapeMs = r() < 0.05 ? 0 : 1700000000000 + round * 1000;
  const values: number[] = [];
  const ts: TimestampMs[] = [];
  for (const i of idx) {
    const x = r();
    values.push(x < 0.2 ? (VALUES[Math.floor(r() * VALUES.length)] as number) : x < 0.6 ? round * 7 + i : (round + i) * 0.37);
    const y = r();
    ts.push(y < 0.9 ? scrapeMs : y < 0.93 ? 1234567890123n : y < 0.96 ? scrapeMs + 0.5 : -5);
  }
  return { idx, values, ts };
}

function bytesOf(image: EnvelopeImage): { hex: string; ends: number[] } {
  return { hex: image.buf.subarray(0, image.pos).toString('hex'), ends: [...image.ends.subarray(0, image.count)] };
}

for (const policy of COUNTER_FLOAT_POLICIES as CounterFloatPolicy[]) {
  test(`reusing the previous image gives exactly the bytes of a fresh encoding (policy ${policy})`, () => {
    const series = seriesSet();
    // Two prepared sets: the fresh encodings must not move the slot hints of the reusing one.
    const reusedPreps = series.map((s) => prepareEnvelope(TARGET, s, { defaultSourceId: DEFAULT_SOURCE_ID }));
    const freshPreps = series.map((s) => prepareEnvelope(TARGET, s, { defaultSourceId: DEFAULT_SOURCE_ID }));
    const reusedMetrics = createLoggregatorMetrics(10);
    const freshMetrics = createLoggregatorMetrics(10);
    const reusing = new ScrapeEncoder(policy, reusedMetrics);
    const fresh = new ScrapeEncoder(policy, freshMetrics);
    const r = rng(0x5eed + policy.length);
    const order = series.map((_, i) => i);
    let prev: EnvelopeImage | null = null;
    let spare = new EnvelopeImage();
    let reused = 0;
    for (let round = 0; round < 150; round++) {
      if (r() < 0.1) order.splice(Math.floor(r() * order.length), 1);
      const { idx, values, ts } = scrapeSamples(r, series.length, round, order);
      const a = new SampleList();
      const b = new SampleList();
      idx.forEach((i, k) => {
        a.push(reusedPreps[i] as PreparedEnvelope, values[k] as number, ts[k] as TimestampMs);
        b.push(freshPreps[i] as PreparedEnvelope, values[k] as number, ts[k] as TimestampMs);
      });
      const out = spare;
      reusing.encode(a, prev, out);
      reused += reusing.reused;
      const want = new EnvelopeImage();
      fresh.encode(b, null, want);
      assert.equal(fresh.reused, 0);
      assert.deepEqual(bytesOf(out), bytesOf(want), `round ${round}`);
      spare = prev ?? new EnvelopeImage();
      spare.reset();
      prev = out;
    }
    assert.deepEqual(reusedMetrics, freshMetrics);
    assert.ok(reused > 5000, `only ${reused} envelopes were reused`); // the random changes above defeat most reuse
  });
}

test('an unchanged scrape is copied whole; a changed value length re-encodes only that envelope', () => {
  const preps = seriesSet().map((s) => prepareEnvelope(TARGET, s, { defaultSourceId: DEFAULT_SOURCE_ID }));
  const enc = new ScrapeEncoder('drop', createLoggregatorMetrics(10));
  const scrape = (values: (i: number) => number, ms: number, prev: EnvelopeImage | null): EnvelopeImage => {
    const s = new SampleList();
    preps.forEach((p, i) => {
      if (p.kind === 'gauge' || i > 80) s.push(p, values(i), ms);
    });
    const out = new EnvelopeImage();
    enc.encode(s, prev, out);
    return out;
  };
  const first = scrape((i) => 1000 + i, 1700000000000, null);
  assert.equal(enc.reused, 0);
  const second = scrape((i) => 2000 + i, 1700000001000, first);
  assert.equal(enc.reused, second.count);
  scrape((i) => (i === 100 ? 2 ** 40 : 3000 + i), 1700000002000, second);
  assert.equal(enc.reused, second.count - 1);
});
