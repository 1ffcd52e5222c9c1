import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { ScrapeTarget, SeriesDescriptor } from '../scrape/index.js';
import { createTestPki, type TestPki } from '../testing/certs.js';
import { freePort } from '../testing/ports.js';
import { frameBatchEntry } from './batch-entries.js';
import { EnvelopeBatchSchema, EnvelopeSchema } from './proto.js';
import { createLoggregatorSink, type LoggregatorSinkOptions } from './sink.js';
import { conversionCases, DEFAULT_SOURCE_ID, SCRAPE_MS, TARGET } from './testdata/conversion-table.js';
import { goEnvelopes } from './testdata/go-envelopes.js';
import { type FakeAgent, startFakeAgent } from './testing/fake-agent.js';

let pki: TestPki;
let otherPki: TestPki;
let server: { cert: string; key: string };
let client: { certFile: string; keyFile: string };
const agents: FakeAgent[] = [];

before(() => {
  pki = createTestPki('loggregator CA');
  otherPki = createTestPki('some other CA');
  server = pki.issue('metron', { sans: ['metron'] });
  client = pki.issue('prom-scraper', { sans: ['prom-scraper'] });
});
after(() => {
  for (const a of agents) a.kill();
});

async function agentOn(port?: number): Promise<FakeAgent> {
  const a = await startFakeAgent({ ca: pki.ca.cert, cert: server.cert, key: server.key, port });
  agents.push(a);
  return a;
}

/** Fast timings so each test takes well under a few seconds. */
function sinkTo(port: number, extra: Partial<LoggregatorSinkOptions> = {}) {
  return createLoggregatorSink({
    defaultSourceId: DEFAULT_SOURCE_ID,
    address: `127.0.0.1:${port}`,
    tls: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
    flushIntervalMs: 10,
    connectTimeoutMs: 200,
    backoffInitialMs: 20,
    backoffMaxMs: 100,
    ...extra,
  });
}

const target: ScrapeTarget = {
  job: 'j',
  sourceId: TARGET.sourceId,
  instanceId: TARGET.instanceId,
  url: 'http://127.0.0.1/metrics',
  labels: [],
};
const series = (i: number): SeriesDescriptor => ({ type: 'gauge', family: 'g', name: 'g', labels: ['i', String(i)] });

/** One scrape of `n` gauges, values from..from+n-1. */
function scrape(sink: ReturnType<typeof sinkTo>, from: number, n: number): void {
  const app = sink.appender(target, SCRAPE_MS);
  for (let i = from; i < from + n; i++) app.append(sink.prepare(target, series(i)), i, SCRAPE_MS);
  app.commit();
}

const values = (a: FakeAgent): number[] =>
  a.envelopes.map((e) => (e.message.case === 'gauge' ? (e.message.value.metrics.g?.value ?? -1) : -1));

test('the agent receives exactly the envelopes of the conversion table, byte for byte as the Go client writes them', async () => {
  const agent = await agentOn();
  const sink = sinkTo(agent.port);
  const want: Buffer[] = [];
  let drops = 0;
  const app = sink.appender(target, SCRAPE_MS);
  for (const c of conversionCases) {
    if (c.policy) continue; // the counterFloats tests below cover those
    const t = { ...target, ...(c.target ?? {}) };
    app.append(sink.prepare(t, c.series), c.value, c.timestampMs ?? SCRAPE_MS);
    const go = goEnvelopes.find((g) => g.name === c.name);
    if (go) want.push(Buffer.from(go.hex, 'hex'));
    else drops++;
  }
  app.commit();
  await sink.flush(Date.now() + 3000);
  await agent.waitFor(want.length);
  // What arrived, envelope by envelope (batch boundaries aside), is Go's encoding of the table.
  const got = agent.envelopes.map((e) => Buffer.from(toBinary(EnvelopeSchema, e)));
  assert.equal(got.length, want.length);
  assert.equal(Buffer.concat(agent.batches).toString('hex'), Buffer.concat(want.map((b) => frameBatchEntry(b))).toString('hex'));
  const m = sink.metrics;
  assert.equal(m.envelopesSent, want.length);
  const d = m.envelopesDropped;
  assert.equal(d.counter_fractional + d.counter_overflow + d.counter_negative + d.counter_nan + d.counter_infinite, drops);
  assert.equal(d.counter_fractional, 1);
  assert.equal(d.counter_overflow, 1);
  assert.equal(m.counterValuesTruncated + m.counterValuesClamped + m.counterValuesAsGauges, 0);
  await sink.stop(Date.now() + 2000);
});

test('counterFloats "gauge": non-integer counters arrive as gauges, nothing truncated', async () => {
  const agent = await agentOn();
  const sink = sinkTo(agent.port, { counterFloats: 'gauge' });
  const app = sink.appender(target, SCRAPE_MS);
  const p = sink.prepare(target, { type: 'counter', family: 'c', name: 'c', labels: [] });
  for (const v of [1, 2.5, -1, Number.NaN]) app.append(p, v, SCRAPE_MS);
  app.commit();
  await agent.waitFor(4);
  assert.deepEqual(
    agent.envelopes.map((e) => e.message.case),
    ['counter', 'gauge', 'gauge', 'gauge'],
  );
  assert.equal(sink.metrics.counterValuesAsGauges, 3);
  await sink.stop(Date.now() + 2000);
});

test('counterFloats "truncate": fractions truncated, overflow clamped, both counted', async () => {
  const agent = await agentOn();
  const sink = sinkTo(agent.port, { counterFloats: 'truncate' });
  const app = sink.appender(target, SCRAPE_MS);
  const p = sink.prepare(target, { type: 'counter', family: 'c', name: 'c', labels: [] });
  for (const v of [2.9, 1e20, -1]) app.append(p, v, SCRAPE_MS);
  app.commit();
  await agent.waitFor(2);
  assert.deepEqual(
    agent.envelopes.map((e) => (e.message.case === 'counter' ? e.message.value.total : null)),
    [2n, 18446744073709551615n],
  );
  assert.equal(sink.metrics.counterValuesTruncated, 1);
  assert.equal(sink.metrics.counterValuesClamped, 1);
  assert.equal(sink.metrics.envelopesDropped.counter_negative, 1);
  await sink.stop(Date.now() + 2000);
});

for (const inFlight of [1, 4]) {
  test(`batches: at most batchMaxEnvelopes per EnvelopeBatch, in order with ${inFlight} in flight; rollback discards`, async () => {
    const agent = await agentOn();
    const sink = sinkTo(agent.port, { batchMaxEnvelopes: 7, maxInFlightBatches: inFlight });
    const app = sink.appender(target, SCRAPE_MS);
    app.append(sink.prepare(target, series(0)), 0, SCRAPE_MS);
    app.rollback();
    scrape(sink, 0, 30);
    await agent.waitFor(30);
    assert.deepEqual(
      values(agent),
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.ok(agent.batches.every((b) => fromBinary(EnvelopeBatchSchema, b).batch.length <= 7));
    assert.equal(sink.metrics.batchSize.count, 5); // 7+7+7+7+2
    assert.equal(sink.metrics.batchSize.sum, 30);
    await sink.stop(Date.now() + 2000);
  });
}

test('a client trusting another CA is refused, and nothing is delivered', async () => {
  const agent = await agentOn();
  const errors: string[] = [];
  const sink = sinkTo(agent.port, {
    tls: { caFile: otherPki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
    onError: (e) => errors.push(e.message),
  });
  scrape(sink, 0, 5);
  for (let i = 0; i < 100 && sink.metrics.connectErrors === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(agent.received, 0);
  assert.ok(sink.metrics.connectErrors >= 1, 'connect errors counted');
  await sink.stop(Date.now() + 100);
  assert.equal(sink.metrics.envelopesDropped.shutdown, 5);
  assert.ok(errors.length >= 1);
});

test('a client certificate from another CA is refused by the agent', async () => {
  const agent = await agentOn();
  const stranger = otherPki.issue('stranger');
  const sink = sinkTo(agent.port, { tls: { caFile: pki.ca.certFile, certFile: stranger.certFile, keyFile: stranger.keyFile } });
  scrape(sink, 0, 3);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(agent.received, 0);
  await sink.stop(Date.now() + 100);
});

test('agent absent at start, started later: the queued envelopes arrive', async () => {
  const port = await freePort();
  const sink = sinkTo(port);
  scrape(sink, 0, 20);
  for (let i = 0; i < 100 && sink.metrics.connectErrors === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(sink.metrics.connectErrors >= 1);
  assert.equal(sink.metrics.queueLength, 20);
  const agent = await agentOn(port);
  await agent.waitFor(20, 3000);
  assert.deepEqual(
    values(agent),
    Array.from({ length: 20 }, (_, i) => i),
  );
  await sink.stop(Date.now() + 2000);
});

test('agent killed mid-stream and restarted: sending resumes, drops counted, queue bounded, scrapes undisturbed', async () => {
  const port = await freePort();
  let agent = await agentOn(port);
  const sink = sinkTo(port, { queueCapacity: 50, batchMaxEnvelopes: 10 });
  scrape(sink, 0, 10);
  await agent.waitFor(10);
  agent.kill();
  await new Promise((r) => setTimeout(r, 100));
  // Scrapes keep committing while the agent is away; each commit returns at once.
  let slowest = 0;
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    scrape(sink, 1000 + k * 10, 10);
    slowest = Math.max(slowest, performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(slowest < 50, `commit took ${slowest} ms`);
  assert.ok(sink.metrics.queueLength <= 50, `queue length ${sink.metrics.queueLength}`);
  const m = sink.metrics;
  const lost = m.envelopesDropped.queue_full + m.envelopesDropped.send_error;
  assert.ok(m.envelopesDropped.queue_full >= 150 - 10, `queue_full drops: ${m.envelopesDropped.queue_full}`);
  agent = await agentOn(port);
  // The newest 50 (at most) survive: the last scrape's envelopes must arrive.
  await agent.waitFor(10, 4000);
  await sink.flush(Date.now() + 3000);
  // A write completes when gRPC has taken the batch, not when the agent has read it.
  await agent.waitFor(sink.metrics.envelopesSent - 10, 3000);
  const got = values(agent);
  for (let i = 1190; i < 1200; i++) assert.ok(got.includes(i), `newest envelope ${i} delivered`);
  assert.ok(sink.metrics.reconnects >= 1);
  // Every envelope is accounted for: sent, or dropped by reason (a batch the dead transport
  // accepted before the failure was noticed counts as sent: gRPC gives no delivery receipt).
  assert.equal(sink.metrics.envelopesSent + lost + sink.metrics.queueLength, 210);
  await sink.stop(Date.now() + 2000);
});

test('stop() drains the queue within the deadline, then closes', async () => {
  const agent = await agentOn();
  const sink = sinkTo(agent.port, { flushIntervalMs: 10000 });
  scrape(sink, 0, 255);
  await sink.stop(Date.now() + 3000);
  assert.equal(agent.received, 255);
  assert.equal(sink.metrics.envelopesSent, 255);
  assert.equal(sink.metrics.envelopesDropped.shutdown, 0);
  scrape(sink, 0, 2);
  assert.equal(sink.metrics.envelopesDropped.shutdown, 2);
});

test('stop() with the agent away gives up at the deadline and counts what is left', async () => {
  const port = await freePort();
  const sink = sinkTo(port);
  scrape(sink, 0, 12);
  const t0 = Date.now();
  await sink.stop(t0 + 300);
  const took = Date.now() - t0;
  assert.ok(took >= 250 && took < 1500, `stop took ${took} ms`);
  assert.equal(sink.metrics.envelopesDropped.shutdown, 12);
  assert.equal(sink.metrics.queueLength, 0);
});

test('bad options and TLS files fail with a clear error', () => {
  assert.throws(() => sinkTo(1, { queueCapacity: 0 }), { code: 'LOGGREGATOR_CONFIG', message: /queueCapacity/ });
  assert.throws(() => sinkTo(1, { address: 'metron' }), { code: 'LOGGREGATOR_CONFIG', message: /address: expected host:port/ });
  assert.throws(() => sinkTo(1, { keepaliveTimeMs: 1000 }), {
    code: 'LOGGREGATOR_CONFIG',
    message: /keepaliveTimeMs: must be a number >= 10000/,
  });
  assert.throws(() => sinkTo(1, { tls: { caFile: '/nonexistent/ca.crt', certFile: client.certFile, keyFile: client.keyFile } }), {
    code: 'LOGGREGATOR_TLS',
    message: /CA file "\/nonexistent\/ca.crt": cannot read/,
  });
  assert.throws(() => sinkTo(1, { tls: { caFile: pki.ca.certFile, certFile: pki.ca.keyFile, keyFile: client.keyFile } }), {
    code: 'LOGGREGATOR_TLS',
    message: /not a PEM certificate/,
  });
});
