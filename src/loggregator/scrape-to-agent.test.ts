import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { ScrapeManager } from '../scrape/index.js';
import { createTestPki } from '../testing/certs.js';
import { testJob } from '../testing/scrape-job.js';
import { createLoggregatorSink } from './sink.js';
import { type FakeAgent, startFakeAgent } from './testing/fake-agent.js';

const closers: (() => void)[] = [];
after(() => {
  for (const c of closers) c();
});

test('scrape → Loggregator: a target scraped by the engine reaches the agent as envelopes', async () => {
  const pki = createTestPki('e2e CA');
  const server = pki.issue('metron', { sans: ['metron'] });
  const client = pki.issue('prom-scraper');
  const agent: FakeAgent = await startFakeAgent({ ca: pki.ca.cert, cert: server.cert, key: server.key });
  closers.push(() => agent.kill());
  const http: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      '# TYPE reqs_total counter\nreqs_total{code="200"} 10\n# TYPE mem gauge\nmem{unit="bytes",source_id="other"} 42\n# TYPE lat histogram\nlat_bucket{le="0.00001"} 1\nlat_bucket{le="+Inf"} 2\nlat_sum 0.5\nlat_count 2\n',
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  closers.push(() => http.close());
  const addr = `127.0.0.1:${(http.address() as AddressInfo).port}`;

  const sink = createLoggregatorSink({
    defaultSourceId: 'dflt',
    address: `127.0.0.1:${agent.port}`,
    tls: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
    flushIntervalMs: 10,
  });
  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  const m = new ScrapeManager({ sink, defaultSourceId: 'dflt', logger, offsetSeed: 'test', maxConcurrentScrapes: 4 });
  m.sync([testJob({ jobName: 'app', targets: [addr], sourceId: 'my-app', instanceId: '7' })], { start: false });
  const [r] = await m.scrapeAll();
  assert.equal(r?.result.ok, true, r?.result.error?.message);
  await sink.flush(Date.now() + 3000);
  await agent.waitFor(sink.metrics.envelopesSent);

  const byName = new Map<string, { sourceId: string; instanceId: string; tags: Record<string, string>; kind: string | undefined }[]>();
  for (const e of agent.envelopes) {
    const name =
      e.message.case === 'counter' ? e.message.value.name : e.message.case === 'gauge' ? Object.keys(e.message.value.metrics)[0] : '?';
    const list = byName.get(name ?? '?') ?? [];
    list.push({ sourceId: e.sourceId, instanceId: e.instanceId, tags: e.tags, kind: e.message.case });
    byName.set(name ?? '?', list);
  }
  const base = { instance: addr, job: 'app' };
  assert.deepEqual(byName.get('reqs_total'), [{ sourceId: 'my-app', instanceId: '7', tags: { ...base, code: '200' }, kind: 'counter' }]);
  assert.deepEqual(byName.get('mem'), [{ sourceId: 'other', instanceId: '7', tags: base, kind: 'gauge' }]);
  assert.deepEqual(
    byName.get('lat_bucket')?.map((e) => e.tags.le),
    ['1e-05', '+Inf'],
  );
  assert.equal(byName.get('lat_count')?.[0]?.kind, 'counter');
  assert.equal(byName.get('lat_sum')?.[0]?.kind, 'gauge');
  // The engine's synthetic series (up, scrape_duration_seconds, …) go out as gauges too.
  assert.equal(byName.get('up')?.[0]?.kind, 'gauge');
  await m.stop();
  await sink.stop(Date.now() + 2000);
});
