import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScrapeTarget, SeriesDescriptor } from '../scrape/index.js';
import { countBatchEntries } from './batch-entries.js';
import { GRPC_PREFIX_BYTES, type IngressTransport } from './client.js';
import type { PreparedEnvelope } from './convert.js';
import { createLoggregatorSink, type LoggregatorSink } from './sink.js';

/** A transport that keeps every batch it is given (writes complete at once). */
function recordingTransport(): IngressTransport & { batches: Buffer[] } {
  const batches: Buffer[] = [];
  return {
    batches,
    ready: () => Promise.resolve(),
    openBatchStream: (onEnd) => ({
      write(message, done) {
        batches.push(Buffer.from(message.subarray(GRPC_PREFIX_BYTES))); // a copy: the sink reuses the buffer afterwards
        done(null);
      },
      end: () => onEnd(null),
      cancel() {},
    }),
    close() {},
  };
}

const target: ScrapeTarget = { job: 'j', sourceId: 'app', instanceId: '0', url: 'http://127.0.0.1/metrics', labels: ['job', 'j'] };
const series: SeriesDescriptor[] = [];
for (let i = 0; i < 400; i++) {
  series.push({ type: 'gauge', family: `g${i}`, name: `g${i}`, labels: ['i', String(i), 'job', 'j'] });
  series.push({ type: 'counter', family: `c${i}_total`, name: `c${i}_total`, labels: ['i', String(i), 'job', 'j'] });
}

/** Two sinks fed the same samples: one keeps its target across scrapes, the other never can reuse. */
function pair(batchMaxEnvelopes?: number) {
  const make = () => {
    const transport = recordingTransport();
    const sink = createLoggregatorSink({ defaultSourceId: 'd', transport, flushIntervalMs: 5, batchMaxEnvelopes });
    return { sink, transport, preps: series.map((s) => sink.prepare(target, s)) };
  };
  return { reusing: make(), fresh: make() };
}

type Side = { sink: LoggregatorSink; preps: PreparedEnvelope[] };

function fill(side: Side, t: ScrapeTarget, k: number, ms: number, only?: (i: number) => boolean) {
  const app = side.sink.appender(t, ms);
  side.preps.forEach((p, i) => {
    if (only && !only(i)) return;
    // Values that move, now and then to 0 or across a varint length, as live targets do.
    const v = i % 2 === 0 ? (k % 3 === 0 && i % 10 === 0 ? 0 : Math.sin(i + k)) : i * 100 + k * (i % 5) * 40;
    app.append(p, v, ms);
  });
  return app;
}

async function sent(side: { sink: LoggregatorSink; transport: { batches: Buffer[] } }): Promise<string> {
  await side.sink.flush(Date.now() + 2000);
  return Buffer.concat(side.transport.batches).toString('hex');
}

test('scrapes that reuse the previous envelopes send exactly what fresh encodings send, through commits and rollbacks', async () => {
  const { reusing, fresh } = pair();
  const ms = (k: number) => 1700000000000 + k * 15000;
  for (let k = 0; k < 12; k++) {
    const t = { ...target }; // fresh: a new target object every scrape, nothing to reuse
    const a = fill(reusing, target, k, ms(k));
    const b = fill(fresh, t, k, ms(k));
    if (k === 4) {
      // A failed scrape: rolled back, then only a few series (the engine's synthetic ones) committed.
      a.rollback();
      b.rollback();
      fill(reusing, target, k, ms(k), (i) => i < 5).commit();
      fill(fresh, { ...target }, k, ms(k), (i) => i < 5).commit();
    } else if (k === 7) {
      // Two appenders of one target open at once; both commit.
      const a2 = fill(reusing, target, k + 100, ms(k) + 1, (i) => i % 3 === 0);
      const b2 = fill(fresh, { ...target }, k + 100, ms(k) + 1, (i) => i % 3 === 0);
      a2.commit();
      b2.commit();
      a.commit();
      b.commit();
    } else if (k === 9) {
      a.rollback();
      b.rollback();
    } else {
      a.commit();
      b.commit();
    }
  }
  assert.equal(await sent(reusing), await sent(fresh));
  assert.equal(reusing.sink.metrics.envelopesSent, fresh.sink.metrics.envelopesSent);
  assert.ok(reusing.sink.metrics.envelopesSent > 9 * series.length);
  await reusing.sink.stop(Date.now() + 1000);
  await fresh.sink.stop(Date.now() + 1000);
});

test('commit and rollback are once only: a second call does nothing', async () => {
  const { reusing } = pair();
  const app = fill(reusing, target, 1, 1700000000000);
  app.commit();
  app.commit();
  app.rollback();
  await reusing.sink.flush(Date.now() + 2000);
  assert.equal(reusing.sink.metrics.envelopesSent, series.length);
  await reusing.sink.stop(Date.now() + 1000);
});

test('batching: 100 envelopes per EnvelopeBatch by default (as go-loggregator), or as configured; the rest on flush', async () => {
  for (const [size, expected] of [
    [undefined, Array(24).fill(100)],
    [1000, [1000, 1000, 400]],
  ] as const) {
    const side = pair(size).reusing;
    for (let k = 0; k < 3; k++) fill(side, target, k, 1700000000000 + k * 1000).commit(); // 3 × 800 envelopes
    await side.sink.flush(Date.now() + 2000);
    assert.deepEqual(
      side.transport.batches.map((b) => countBatchEntries(b)),
      expected,
    );
    assert.equal(side.sink.metrics.batchSize.sum, 2400);
    await side.sink.stop(Date.now() + 1000);
  }
});
