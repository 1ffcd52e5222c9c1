import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { createGzip, gzipSync, constants as zlibConstants } from 'node:zlib';
import { CaptureSink } from '../testing/capture-sink.js';
import { createTestPki } from '../testing/certs.js';
import { freePort } from '../testing/ports.js';
import { testJob } from '../testing/scrape-job.js';
import { ScrapeManager } from './manager.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function serve(h: Handler): Promise<string> {
  const s = createServer(h);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const TEXT =
  '# TYPE http_requests_total counter\nhttp_requests_total{method="GET",code="200"} 10\nhttp_requests_total{method="POST",code="500"} 2\n# TYPE temp gauge\ntemp 21.5\n';

function manager(sink = new CaptureSink(), maxConcurrentScrapes = 64) {
  const logs: Array<{ level: string; msg: string; obj: object }> = [];
  const logger = {
    info: (obj: object, msg: string) => logs.push({ level: 'info', msg, obj }),
    warn: (obj: object, msg: string) => logs.push({ level: 'warn', msg, obj }),
    error: (obj: object, msg: string) => logs.push({ level: 'error', msg, obj }),
  };
  const m = new ScrapeManager({ sink, defaultSourceId: 'default-src', logger, offsetSeed: 'test', maxConcurrentScrapes });
  return { m, sink, logs };
}

test('scrapes a text target: target labels, types, synthetic series', async () => {
  const addr = await serve((req, res) => {
    assert.match(req.headers.accept ?? '', /^application\/openmetrics-text;version=1.0.0/);
    assert.match(req.headers['user-agent'] ?? '', /^cf-prom\//);
    assert.equal(req.headers['x-prometheus-scrape-timeout-seconds'], '10');
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(TEXT);
  });
  const { m, sink } = manager();
  m.sync([testJob({ jobName: 'app', targets: [addr] })], { start: false });
  const [r] = await m.scrapeAll();
  assert.equal(r?.result.ok, true, r?.result.error?.message);
  const got = sink.last().map((s) => [s.name, s.labels, s.type, s.value]);
  assert.deepEqual(got.slice(0, 3), [
    ['http_requests_total', { code: '200', instance: addr, job: 'app', method: 'GET' }, 'counter', 10],
    ['http_requests_total', { code: '500', instance: addr, job: 'app', method: 'POST' }, 'counter', 2],
    ['temp', { instance: addr, job: 'app' }, 'gauge', 21.5],
  ]);
  const synth = Object.fromEntries(
    sink
      .last()
      .slice(3)
      .map((s) => [s.name, s.value]),
  );
  assert.equal(synth.up, 1);
  assert.equal(synth.scrape_samples_scraped, 3);
  assert.equal(synth.scrape_samples_post_metric_relabeling, 3);
  assert.equal(synth.scrape_series_added, 3);
  assert.ok((synth.scrape_duration_seconds as number) > 0);
  await m.stop();
});

test('series cache: unchanged series are not prepared again; vanished ones are evicted', async () => {
  let body = TEXT;
  const addr = await serve((_req, res) => res.end(body));
  const { m, sink } = manager();
  m.sync([testJob({ targets: [addr] })], { start: false });
  await m.scrapeAll();
  const preparedAfterFirst = sink.prepared;
  await m.scrapeAll();
  assert.equal(sink.prepared, preparedAfterFirst, 'second scrape: all cache hits');
  assert.equal(sink.last().find((s) => s.name === 'scrape_series_added')?.value, 0);
  body = '# TYPE temp gauge\ntemp 22\nnew_one 1\n';
  await m.scrapeAll();
  assert.equal(sink.prepared, preparedAfterFirst + 1);
  assert.equal(m.loops()[0]?.cachedSeries, 2, 'http_requests_total series evicted');
  assert.equal(sink.last().find((s) => s.name === 'temp')?.value, 22);
  await m.stop();
});

test('OpenMetrics and gzip responses; body_size_limit applies to the decoded size', async () => {
  const om = '# TYPE c counter\nc_total 5 # {trace_id="x"} 1\n# EOF\n';
  const bomb = gzipSync(Buffer.alloc(5 << 20, 'a'));
  const addr = await serve((req, res) => {
    if (req.url === '/bomb') {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
      return;
    }
    assert.equal(req.headers['accept-encoding'], 'gzip');
    res.setHeader('content-type', 'application/openmetrics-text; version=1.0.0');
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(om));
  });
  const { m, sink } = manager();
  m.sync(
    [
      testJob({ jobName: 'om', targets: [addr] }),
      testJob({ jobName: 'bomb', metricsPath: '/bomb', bodySizeLimitBytes: 1 << 20, targets: [addr] }),
    ],
    { start: false },
  );
  const res = await m.scrapeAll();
  const byJob = Object.fromEntries(res.map((r) => [r.loop.target.job.jobName, r.result]));
  assert.equal(byJob.om?.ok, true, byJob.om?.error?.message);
  assert.deepEqual(
    sink
      .last(`http://${addr}/metrics`)
      .filter((s) => s.name === 'c_total')
      .map((s) => [s.type, s.value]),
    [['counter', 5]],
  );
  assert.equal(byJob.bomb?.ok, false);
  assert.equal(byJob.bomb?.error?.reason, 'body_too_large');
  await m.stop();
});

test('an OpenMetrics target: later scrapes come from the cache; a bad value or a switch to text is still caught', async () => {
  const OM_BODY = (v: string) =>
    `# TYPE req counter\nreq_total{code="200"} ${v}\nreq_created{code="200"} 1.7e9\n# TYPE lat histogram\nlat_bucket{le="1"} 1\nlat_bucket{le="+Inf"} 2\nlat_count 2\nlat_sum 0.5\n# EOF\n`;
  let body = OM_BODY('10');
  let type = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
  const addr = await serve((_req, res) => {
    res.setHeader('content-type', type);
    res.end(body);
  });
  const { m, sink } = manager();
  m.sync([testJob({ jobName: 'om', targets: [addr] })], { start: false });
  const values = () =>
    sink
      .last()
      .filter((s) => !s.name.startsWith('scrape_') && s.name !== 'up')
      .map((s) => `${s.name}:${s.type}=${s.value}`);
  await m.scrapeAll();
  const prepared = sink.prepared;
  body = OM_BODY('11');
  const [second] = await m.scrapeAll();
  assert.equal(second?.result.ok, true, second?.result.error?.message);
  assert.equal(sink.prepared, prepared, 'second scrape: every series from the cache');
  assert.deepEqual(values(), [
    'req_total:counter=11',
    'req_created:counter=1700000000',
    'lat_bucket:histogram=1',
    'lat_bucket:histogram=2',
    'lat_count:histogram=2',
    'lat_sum:histogram=0.5',
  ]);
  body = OM_BODY('-1');
  const [bad] = await m.scrapeAll();
  assert.equal(bad?.result.ok, false);
  assert.match(bad?.result.error?.message ?? '', /line 2, col 1: _total values cannot be negative/);
  // The same series bytes as text: the cache starts again under the text rules.
  type = 'text/plain; version=0.0.4';
  body = '# TYPE lat_count gauge\nlat_count 3\n';
  const [text] = await m.scrapeAll();
  assert.equal(text?.result.ok, true, text?.result.error?.message);
  assert.deepEqual(values(), ['lat_count:gauge=3']);
  await m.stop();
});

test('a streamed gzip body in many chunks (as Go exporters send it), twice over one kept-alive connection', async () => {
  let scrape = 0;
  const sockets = new Set<unknown>();
  const addr = await serve((req, res) => {
    sockets.add(req.socket);
    scrape++;
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.setHeader('content-encoding', 'gzip');
    const gz = createGzip({ flush: zlibConstants.Z_SYNC_FLUSH });
    gz.pipe(res);
    gz.write('# TYPE big gauge\n');
    // Many small writes, flushed one by one: lines are split across chunks and reads.
    for (let i = 0; i < 5000; i++) gz.write(`big{shard="${i}",long_label="${'v'.repeat(i % 50)}"} ${i * scrape}\n`);
    gz.end();
  });
  const { m, sink } = manager();
  m.sync([testJob({ jobName: 'stream', targets: [addr] })], { start: false });
  for (let k = 1; k <= 2; k++) {
    const [r] = await m.scrapeAll();
    assert.equal(r?.result.ok, true, r?.result.error?.message);
    const big = sink.last(`http://${addr}/metrics`).filter((x) => x.name === 'big');
    assert.equal(big.length, 5000);
    assert.equal(big[4999]?.value, 4999 * k);
  }
  assert.equal(sockets.size, 1, 'the second scrape reused the connection');
  await m.stop();
});

test('failing targets report up 0 with a reason and never disturb the others', async () => {
  const good = await serve((_req, res) => res.end('ok 1\n'));
  const bad500 = await serve((_req, res) => {
    res.statusCode = 500;
    res.end('boom');
  });
  const malformed = await serve((_req, res) => res.end('ok 1\nbad{l="x\\q"} 1\n'));
  const hanging = await serve(() => {});
  const reset = await serve((req) => req.socket.destroy());
  const closed = `127.0.0.1:${await freePort()}`;
  const { m, sink, logs } = manager();
  const jobs = [
    testJob({ jobName: 'good', targets: [good] }),
    testJob({ jobName: 'bad500', targets: [bad500] }),
    testJob({ jobName: 'malformed', targets: [malformed] }),
    testJob({ jobName: 'hanging', targets: [hanging], scrapeTimeoutMs: 300 }),
    testJob({ jobName: 'reset', targets: [reset] }),
    testJob({ jobName: 'closed', targets: [closed] }),
  ];
  m.sync(jobs, { start: false });
  const res = await m.scrapeAll();
  const by = Object.fromEntries(res.map((r) => [r.loop.target.job.jobName, r.result]));
  assert.equal(by.good?.ok, true);
  assert.equal(by.bad500?.error?.reason, 'http_status');
  assert.match(by.bad500?.error?.message ?? '', /unexpected status code 500: boom/);
  assert.equal(by.malformed?.error?.reason, 'invalid_body');
  assert.match(by.malformed?.error?.message ?? '', /line 2, col 9: invalid escape sequence/);
  assert.equal(by.hanging?.error?.reason, 'timeout');
  assert.equal(by.reset?.error?.reason, 'reset');
  assert.equal(by.closed?.error?.reason, 'refused');
  for (const j of ['bad500', 'malformed', 'hanging', 'reset', 'closed']) {
    const url = res.find((r) => r.loop.target.job.jobName === j)?.loop.target.url as string;
    const s = sink.last(url);
    assert.deepEqual(
      s.map((x) => x.name),
      ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'],
    );
    assert.equal(s[0]?.value, 0);
  }
  assert.equal(logs.filter((l) => l.msg === 'scrape failed').length, 5);
  await m.scrapeAll();
  assert.equal(logs.filter((l) => l.msg === 'scrape failed').length, 5, 'logged once per state change');
  assert.equal(m.metrics.scrapesFailed.get('refused'), 2);
  await m.stop();
});

test('a target that recovers logs it once', async () => {
  let fail = true;
  const addr = await serve((_req, res) => {
    res.statusCode = fail ? 503 : 200;
    res.end('x 1\n');
  });
  const { m, logs } = manager();
  m.sync([testJob({ targets: [addr], sourceId: 'my-src', instanceId: 'i-1' })], { start: false });
  await m.scrapeAll();
  fail = false;
  await m.scrapeAll();
  await m.scrapeAll();
  assert.deepEqual(
    logs.map((l) => l.msg),
    ['scrape failed', 'target has recovered'],
  );
  assert.equal(m.metrics.failedBySourceId.get('my-src'), 1);
  await m.stop();
});

test('sample_limit and label limits fail the whole scrape; nothing but the synthetic series is sent', async () => {
  const addr = await serve((_req, res) => res.end('a 1\nb 2\nc{x="a-long-value"} 3\n'));
  const { m, sink } = manager();
  m.sync(
    [
      testJob({ jobName: 'limited', targets: [addr], sampleLimit: 2 }),
      testJob({ jobName: 'lv', targets: [addr], labelValueLengthLimit: 5 }),
    ],
    { start: false },
  );
  const res = await m.scrapeAll();
  for (const r of res) assert.equal(r.result.ok, false);
  const reasons = res.map((r) => r.result.error?.reason).sort();
  assert.deepEqual(reasons, ['label_limit', 'sample_limit']);
  assert.match(res.find((r) => r.result.error?.reason === 'sample_limit')?.result.error?.message ?? '', /exceeds sample_limit=2/);
  assert.ok(sink.rollbacks >= 2);
  await m.stop();
});

test('honor_labels, exported_ prefix, metric_relabel_configs', async () => {
  const addr = await serve((_req, res) => res.end('m{job="from-app",instance="i"} 1\ndrop_me 1\n'));
  const { m, sink } = manager();
  m.sync(
    [
      testJob({
        jobName: 'plain',
        targets: [addr],
        metricRelabelConfigs: [{ source_labels: ['__name__'], regex: 'drop_me', action: 'drop' }],
      }),
      testJob({ jobName: 'honor', targets: [addr], honorLabels: true, metricsPath: '/m2' }),
    ],
    { start: false },
  );
  await m.scrapeAll();
  const plain = sink.last(`http://${addr}/metrics`).filter((s) => !s.name.startsWith('scrape_') && s.name !== 'up');
  assert.deepEqual(
    plain.map((s) => [s.name, s.labels]),
    [['m', { exported_instance: 'i', exported_job: 'from-app', instance: addr, job: 'plain' }]],
  );
  const honor = sink.last(`http://${addr}/m2`).filter((s) => s.name === 'm');
  assert.deepEqual(honor[0]?.labels, { instance: 'i', job: 'from-app' });
  await m.stop();
});

test('mutual-TLS target with server_name and CA', async () => {
  const pki = createTestPki();
  const srv = pki.issue('metrics.internal', { sans: ['metrics.internal'] });
  const client = pki.issue('scraper', { sans: ['scraper'] });
  const s = createHttpsServer({ cert: srv.cert, key: srv.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (_req, res) =>
    res.end('secure 1\n'),
  );
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${(s.address() as AddressInfo).port}`;
  const tls = {
    caFile: pki.ca.certFile,
    certFile: client.certFile,
    keyFile: client.keyFile,
    serverName: 'metrics.internal',
    insecureSkipVerify: false,
    minVersion: null,
  };
  const { m } = manager();
  m.sync(
    [
      testJob({ jobName: 'mtls', scheme: 'https', targets: [addr], tls }),
      testJob({ jobName: 'no-client-cert', scheme: 'https', targets: [addr], tls: { ...tls, certFile: null, keyFile: null } }),
      testJob({ jobName: 'wrong-name', scheme: 'https', targets: [addr], tls: { ...tls, serverName: 'other' } }),
    ],
    { start: false },
  );
  const res = await m.scrapeAll();
  const by = Object.fromEntries(res.map((r) => [r.loop.target.job.jobName, r.result]));
  assert.equal(by.mtls?.ok, true, by.mtls?.error?.message);
  assert.equal(by['no-client-cert']?.ok, false);
  assert.equal(by['wrong-name']?.error?.reason, 'tls');
  await m.stop();
});

test('reload keeps unchanged loops and their caches; offsets spread over the interval', async () => {
  const addr = await serve((_req, res) => res.end('x 1\n'));
  const { m } = manager();
  const a = testJob({ jobName: 'a', targets: [addr] });
  m.sync([a], { start: false });
  await m.scrapeAll();
  const loop = m.loops()[0];
  const r = m.sync([a, testJob({ jobName: 'b', targets: [addr] })], { start: false });
  assert.equal(r.started, 1);
  assert.equal(m.loops()[0], loop, 'same loop object kept');
  assert.equal(loop?.cachedSeries, 1);
  const r2 = m.sync([testJob({ jobName: 'a', targets: [addr], sampleLimit: 10 })], { start: false });
  assert.equal(r2.stopped, 2);
  assert.notEqual(m.loops()[0], loop, 'a changed job restarts its loop');
  // 1,000 targets: offsets cover the interval evenly (each tenth holds 6–14 %).
  const many = testJob({ jobName: 'many', targets: Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}:9100`) });
  m.sync([many], { start: false });
  const tenths = new Array(10).fill(0);
  for (const l of m.loops()) tenths[Math.floor((l.offsetMs / 60_000) * 10)]++;
  for (const t of tenths) assert.ok(t >= 60 && t <= 140, `uneven spread ${tenths}`);
  await m.stop();
});

test('scheduling: the global limit bounds concurrent scrapes; a tick that finds its scrape still queued or running is skipped', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const addr = await serve((_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.end('x 1\n');
    }, 150);
  });
  const { m } = manager(new CaptureSink(), 1);
  m.sync([
    testJob({ jobName: 'a', targets: [addr], scrapeIntervalMs: 200, scrapeTimeoutMs: 200 }),
    testJob({ jobName: 'b', targets: [addr], scrapeIntervalMs: 200, scrapeTimeoutMs: 200 }),
  ]);
  await new Promise((r) => setTimeout(r, 1500));
  await m.stop();
  assert.equal(maxInFlight, 1, 'never two scrapes at once with maxConcurrentScrapes=1');
  assert.ok(m.metrics.skippedTicks >= 2, `skipped ${m.metrics.skippedTicks}`);
  assert.ok(m.metrics.scrapesCompleted >= 4, `completed ${m.metrics.scrapesCompleted}`);
});
