import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parseExposition } from '../exposition/index.js';
import { createTestPki, type TestPki } from '../testing/certs.js';
import { buildFetcherConfig } from './config.js';
import { Fetcher } from './fetcher.js';
import { type AppSpec, type InstanceServer, promtoolCheck, startInstance, writeRoutesFile } from './test-helpers.js';

const GUID = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function instance(b: Parameters<typeof startInstance>[0]): Promise<InstanceServer> {
  const s = await startInstance(b);
  cleanups.push(() => s.close());
  return s;
}

async function fetcherFor(apps: AppSpec[], extra: Record<string, unknown> = {}): Promise<{ f: Fetcher; base: string }> {
  const routes_file = writeRoutesFile(apps);
  const config = buildFetcherConfig(
    'test.yml',
    { routes_file, port: 0, health_check_port: 0, listen_host: '127.0.0.1', ...extra },
    { defaultRoutesFile: '' },
  );
  const f = new Fetcher({ config });
  await f.start();
  await f.source.ready;
  cleanups.push(() => f.stop());
  return { f, base: `http://127.0.0.1:${f.port}` };
}

function app(instances: InstanceServer[], over: Partial<AppSpec> = {}): AppSpec {
  return {
    guid: GUID,
    name: 'billing',
    route: 'billing.apps.example.com',
    instances: instances.map((s, index) => ({ address: s.address, index })),
    ...over,
  };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const r = await fetch(url, { headers });
  return { status: r.status, body: await r.text(), headers: r.headers };
}

function labelsOf(i: number, port: number): string {
  return `organization_id="org-acme",space_id="space-prod",app_id="${GUID}",organization_name="acme",space_name="prod",app_name="billing",index="${i}",instance_id="${i}",instance="127.0.0.1:${port}"`;
}

/** node:http GET (fetch() drops the Connection header, which this needs to send). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    import('node:http').then(({ get: hget }) =>
      hget(url, { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject),
    );
  });
}

async function assertPromtool(text: string): Promise<void> {
  const r = await promtoolCheck(text);
  assert.ok(r.parses, `promtool check metrics refused the output (exit ${r.code}):\n${r.output}\n---\n${text}`);
}

function assertNoDuplicates(text: string): void {
  const seen = new Set<string>();
  for (const f of parseExposition(Buffer.from(text), { format: 'text' })) {
    for (const s of f.samples) {
      const pairs: string[] = [];
      for (let i = 0; i < s.labels.length; i += 2) pairs.push(`${s.labels[i]}=${s.labels[i + 1]}`);
      const k = `${s.name}{${pairs.sort().join(',')}}`;
      assert.ok(!seen.has(k), `duplicate series ${k}`);
      seen.add(k);
    }
  }
}

describe('merged app metrics', () => {
  test('merges two instances exactly, relabels, and Prometheus parses it (every lookup form)', async () => {
    const a = await instance({
      body: '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code="200",instance="x",app_name="spoof"} 3\n# TYPE up_since gauge\nup_since 12\n',
    });
    const b = await instance({
      body: '# HELP http_requests_total Other help.\n# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 5\nhttp_requests_total{code="500"} 1\n',
    });
    const { base } = await fetcherFor([app([a, b])]);
    const want = [
      '# HELP http_requests_total Requests.',
      '# TYPE http_requests_total counter',
      `http_requests_total{code="200",${labelsOf(0, a.port)}} 3`,
      `http_requests_total{code="200",${labelsOf(1, b.port)}} 5`,
      `http_requests_total{code="500",${labelsOf(1, b.port)}} 1`,
      '# TYPE up_since gauge',
      `up_since{${labelsOf(0, a.port)}} 12`,
      '',
    ].join('\n');
    for (const path of [
      '/v2/apps/acme/prod/billing/metrics',
      `/v2/apps/${GUID}/metrics`,
      '/v2/apps/billing.apps.example.com/metrics',
      `/v2/apps/metrics?app=${GUID}`,
      '/v2/apps/metrics?route_url=billing.apps.example.com',
      '/v1/apps/acme/prod/billing/only-app-metrics',
    ]) {
      const r = await get(`${base}${path}`);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(r.body, want, path);
    }
    await assertPromtool(want);
  });

  test('text and OpenMetrics instances with both counter spellings merge into one family; OpenMetrics out on request; gzip both ways', async () => {
    const om = await instance({
      contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      body: '# TYPE jobs counter\n# HELP jobs Jobs done.\njobs_total{queue="a"} 4 # {trace_id="abc"} 1 1.5\njobs_created{queue="a"} 1700000000\n# TYPE temp_celsius gauge\n# UNIT temp_celsius celsius\ntemp_celsius 21.5\n# EOF\n',
      gzip: true,
    });
    const txt = await instance({ body: '# TYPE jobs_total counter\njobs_total{queue="b"} 2\n' });
    const { base } = await fetcherFor([app([om, txt])]);
    const text = await get(`${base}/v1/apps/${GUID}/metrics`);
    assert.equal(text.status, 200);
    assert.equal(
      text.body,
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        `jobs_total{queue="a",${labelsOf(0, om.port)}} 4`,
        `jobs_total{queue="b",${labelsOf(1, txt.port)}} 2`,
        '# TYPE jobs_created gauge',
        `jobs_created{queue="a",${labelsOf(0, om.port)}} 1.7e+09`,
        '# TYPE temp_celsius gauge',
        `temp_celsius{${labelsOf(0, om.port)}} 21.5`,
        '',
      ].join('\n'),
    );
    await assertPromtool(text.body);
    assert.equal(om.requests[0]?.headers.accept, 'application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1');
    assert.equal(om.requests[0]?.headers['accept-encoding'], 'gzip');

    const r = await fetch(`${base}/v1/apps/${GUID}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0', 'accept-encoding': 'gzip' },
    });
    assert.equal(r.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    const omText = await r.text(); // fetch decodes gzip
    const families = parseExposition(Buffer.from(omText), { format: 'openmetrics' });
    assert.deepEqual(
      families.map((f) => [f.name, f.type, f.samples.length]),
      [
        ['jobs', 'counter', 3],
        ['temp_celsius', 'gauge', 1],
      ],
    );
    assert.match(omText, /jobs_total\{queue="a",[^}]+\} 4 # \{trace_id="abc"\} 1 1\.5\n/);
    assert.ok(omText.endsWith('# EOF\n'));
    // raw gzip bytes really are gzip
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get: hget }) =>
        hget(`${base}/v2/apps/${GUID}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    assert.match(gunzipSync(raw).toString(), /^# HELP jobs_total/);
  });

  test('instances that disagree on a type: the first declaration wins, the other family is reported, output stays valid', async () => {
    const a = await instance({ body: '# TYPE queue_depth gauge\nqueue_depth 3\n' });
    const b = await instance({ body: '# TYPE queue_depth counter\nqueue_depth 7\n# TYPE ok gauge\nok 1\n' });
    const c = await instance({ body: 'queue_depth 9\n' }); // untyped also disagrees
    const { base, f } = await fetcherFor([app([a, b, c])]);
    const r = await get(`${base}/v2/apps/${GUID}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(
      r.body,
      [
        '# TYPE queue_depth gauge',
        `queue_depth{${labelsOf(0, a.port)}} 3`,
        '# TYPE ok gauge',
        `ok{${labelsOf(1, b.port)}} 1`,
        '# HELP promfetcher_type_conflict A family of this source was dropped: an earlier instance declared it with another type.',
        '# TYPE promfetcher_type_conflict gauge',
        `promfetcher_type_conflict{${labelsOf(1, b.port)},metric="queue_depth",type="counter",expected="gauge"} 1`,
        `promfetcher_type_conflict{${labelsOf(2, c.port)},metric="queue_depth",type="untyped",expected="gauge"} 1`,
        '',
      ].join('\n'),
    );
    await assertPromtool(r.body);
    assert.match(f.metrics.registry.render(), /promfetch_type_conflicts_total 2\n/);
  });

  test('series that collide once reserved labels are replaced are de-duplicated (first kept)', async () => {
    const a = await instance({ body: 'm{instance="a"} 1\nm{instance="b"} 2\nm{x="1"} 3\nm{x="1"} 4\n' });
    const { base } = await fetcherFor([app([a])]);
    const r = await get(`${base}/v2/apps/${GUID}/metrics`);
    assert.equal(r.body, ['# TYPE m untyped', `m{${labelsOf(0, a.port)}} 1`, `m{x="1",${labelsOf(0, a.port)}} 3`, ''].join('\n'));
    assertNoDuplicates(r.body);
    await assertPromtool(r.body);
  });
});

describe('failures', () => {
  test('slow, failing and broken instances each add promfetcher_scrape_error; the healthy one is still served', async () => {
    const ok = await instance({ body: 'a 1\n' });
    const slow = await instance({ body: 'a 2\n', delayMs: 5000 });
    const fail = await instance({ status: 500, body: 'boom' });
    const bad = await instance({ body: 'a{ 1\n' });
    const big = await instance({ body: `${'a 1\n'.repeat(400)}` });
    const refused = await instance({});
    const refusedAddr = refused.address;
    await refused.close();
    const spec = app([ok, slow, fail, bad, big]);
    spec.instances.push({ address: refusedAddr, index: 5 });
    const { base, f } = await fetcherFor([spec], { max_body_bytes: 1024 });
    const t0 = Date.now();
    const r = await get(`${base}/v2/apps/${GUID}/metrics`, { 'x-prometheus-scrape-timeout-seconds': '1' });
    const took = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.ok(took < 2000, `answered after ${took} ms; the caller's 1 s timeout minus the margin bounds it`);
    assert.equal(slow.requests[0]?.headers['x-prometheus-scrape-timeout-seconds'], '0.500000');
    const err = (i: number, port: number, reason: string) => `promfetcher_scrape_error{${labelsOf(i, port)},error="${reason}"} 1`;
    assert.equal(
      r.body,
      [
        '# TYPE a untyped',
        `a{${labelsOf(0, ok.port)}} 1`,
        '# HELP promfetcher_scrape_error Promfetcher scrap error on your instance',
        '# TYPE promfetcher_scrape_error counter',
        err(1, slow.port, 'timeout'),
        err(2, fail.port, 'http_5xx'),
        err(3, bad.port, 'parse'),
        err(4, big.port, 'too_large'),
        err(5, Number(refusedAddr.split(':')[1]), 'connection'),
        '',
      ].join('\n'),
    );
    await assertPromtool(r.body);
    const self = f.metrics.registry.render();
    assert.match(
      self,
      new RegExp(
        `promfetch_metric_fetch_failed_total\\{organization_id="org-acme",space_id="space-prod",app_id="${GUID}",organization_name="acme",space_name="prod",app_name="billing",index="2",instance_id="2"\\} 1`,
      ),
    );
    assert.match(self, /promfetch_metric_fetch_success_total\{[^}]*app_name="billing"\} 1/);
    await assertPromtool(self);
  });

  test('redirects are followed on the same origin only (as the original)', async () => {
    const target = await instance({ body: 'moved 1\n' });
    const { createServer } = await import('node:http');
    const hops: string[] = [];
    const redirector = createServer((req, res) => {
      hops.push(req.url ?? '');
      if (req.url === '/metrics') res.writeHead(302, { location: '/actual/metrics?x=1' }).end();
      else if (req.url === '/actual/metrics?x=1') res.writeHead(200, { 'content-type': 'text/plain' }).end('moved 2\n');
      else res.writeHead(301, { location: `http://${target.address}/metrics` }).end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => redirector.close(r)));
    const addr = `127.0.0.1:${(redirector.address() as { port: number }).port}`;
    const { base } = await fetcherFor([{ guid: GUID, name: 'billing', route: 'b.example.com', instances: [{ address: addr, index: 0 }] }]);
    const ok = await get(`${base}/v2/apps/${GUID}/metrics`);
    assert.equal(ok.status, 200);
    assert.match(ok.body, /^# TYPE moved untyped\nmoved\{[^}]+\} 2\n$/);
    assert.deepEqual(hops, ['/metrics', '/actual/metrics?x=1']);
    const external = await get(`${base}/v2/apps/${GUID}/metrics?metric_path=/elsewhere`);
    assert.equal(external.status, 502);
    assert.match(external.body, /1 redirect/);
    assert.equal(target.requests.length, 0, 'a redirect to another host is not followed');
  });

  test('status codes: 400 no id, 404 unknown app, 502 all failed, 406 all 4xx, 401 pass-through', async () => {
    const down = await instance({ status: 503 });
    const missing = await instance({ status: 404 });
    const locked = await instance({ basicAuth: { user: 'u', pass: 'p' }, body: 'a 1\n' });
    const { base } = await fetcherFor([
      app([down], { guid: '11111111-1111-1111-1111-111111111111', name: 'down', route: 'down.example.com' }),
      app([missing], { guid: '22222222-2222-2222-2222-222222222222', name: 'missing', route: 'missing.example.com' }),
      app([locked], { guid: '33333333-3333-3333-3333-333333333333', name: 'locked', route: 'locked.example.com' }),
    ]);
    assert.deepEqual(await get(`${base}/v1/apps/metrics`).then((r) => [r.status, r.body]), [
      400,
      '400 Bad Request: You must set app id or path\n',
    ]);
    assert.deepEqual(await get(`${base}/v1/apps/acme/prod/nope/metrics`).then((r) => [r.status, r.body]), [
      404,
      '404 Cannot found app with id or path acme/prod/nope\n',
    ]);
    const d = await get(`${base}/v1/apps/acme/prod/down/metrics`);
    assert.equal(d.status, 502);
    assert.equal(d.body, "502 Bad Gateway: all 1 scrapes of app 'acme/prod/down' failed (1 http_5xx); details are in promfetcher's log\n");
    assert.deepEqual(await get(`${base}/v1/apps/acme/prod/missing/metrics?metric_path=/prom`).then((r) => [r.status, r.body]), [
      406,
      "406 Cannot found endpoint '/prom' for app with id or path 'acme/prod/missing (status code 404)', please create one\n",
    ]);
    const l = await get(`${base}/v1/apps/acme/prod/locked/metrics`);
    assert.equal(l.status, 401);
    assert.equal(l.headers.get('www-authenticate'), 'Basic realm="app"');
    const ok = await get(`${base}/v1/apps/acme/prod/locked/metrics`, { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    assert.equal(ok.status, 200);
    assert.equal((await get(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/routes`, { method: 'POST' })).status, 405);
  });
});

describe('TLS backends', () => {
  let pki: TestPki;
  before(() => {
    pki = createTestPki();
  });

  test('verifies the instance certificate against server_cert_domain_san and presents the backends client certificate', async () => {
    const san = 'a1b2c3d4-0000-4000-8000-000000000001';
    const server = pki.issue(san, { sans: [san] });
    const wrong = pki.issue('someone-else', { sans: ['someone-else'] });
    const client = pki.issue('promfetcher-client', { client: true, server: false });
    const good = await instance({
      body: 'secure 1\n',
      tls: { cert: server.cert, key: server.key, ca: pki.ca.cert, requestClientCert: true },
    });
    const impostor = await instance({ body: 'secure 2\n', tls: { cert: wrong.cert, key: wrong.key } });
    const spec: AppSpec = {
      guid: GUID,
      name: 'billing',
      route: 'billing.apps.example.com',
      instances: [
        { address: good.address, index: 0, tls: true, san },
        { address: impostor.address, index: 1, tls: true, san: 'a1b2c3d4-0000-4000-8000-000000000002' },
      ],
    };
    const { base } = await fetcherFor([spec], { ca_certs: pki.ca.cert, backends: { cert_chain: client.cert, private_key: client.key } });
    const r = await get(`${base}/v2/apps/${GUID}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.body, new RegExp(`secure\\{${labelsOf(0, good.port)}\\} 1\n`));
    assert.match(r.body, new RegExp(`promfetcher_scrape_error\\{${labelsOf(1, impostor.port)},error="tls"\\} 1\n`));
    assert.equal(good.requests[0]?.clientCertCn, 'promfetcher-client');
    assert.equal(good.requests[0]?.headers['x-forwarded-proto'], 'https');
    await assertPromtool(r.body);
  });
});

describe('request headers', () => {
  test('forwards the caller headers (basic auth, X-Api-Key) but not hop-by-hop, proxy, forwarding or deny-listed ones', async () => {
    const a = await instance({ requireHeader: ['x-api-key', 'k3y'], body: 'a 1\n' });
    const { base } = await fetcherFor([app([a])], { header_deny_list: ['X-Internal-Token'] });
    const r = await rawGet(`${base}/v2/apps/${GUID}/metrics`, {
      authorization: 'Basic dTpw',
      'x-api-key': 'k3y',
      'user-agent': 'Prometheus/2.53.0',
      'proxy-authorization': 'Basic secret',
      'x-forwarded-for': '1.2.3.4',
      'x-internal-token': 'nope',
      'x-hop': 'gone',
      connection: 'keep-alive, X-Hop',
    });
    assert.equal(r.status, 200);
    const h = a.requests[0]?.headers ?? {};
    assert.equal(h.authorization, 'Basic dTpw');
    assert.equal(h['x-api-key'], 'k3y');
    assert.equal(h['user-agent'], 'Prometheus/2.53.0');
    assert.equal(h.accept, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(h['x-promfetcher-scrapping'], 'true');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h.host, '127.0.0.1');
    assert.equal(h.connection, 'close', 'disable_keep_alives defaults to true, as the original');
    for (const gone of ['proxy-authorization', 'x-forwarded-for', 'x-internal-token', 'x-hop']) assert.equal(h[gone], undefined, gone);
  });

  test('metric_path: plain paths reach the app, injection attempts are refused with 400', async () => {
    const a = await instance({ body: 'a 1\n' });
    const { base } = await fetcherFor([app([a])]);
    for (const [given, sent] of [
      ['', '/metrics'],
      ['  prom/metrics ', '/prom/metrics'],
      ['/actuator/prometheus?format=text', '/actuator/prometheus?format=text'],
      ['/a%20b', '/a%20b'],
    ] as const) {
      const r = await get(`${base}/v2/apps/${GUID}/metrics?metric_path=${encodeURIComponent(given)}`);
      assert.equal(r.status, 200, given);
      assert.equal(a.requests.at(-1)?.url, sent);
    }
    const before = a.requests.length;
    for (const evil of [
      'http://169.254.169.254/latest',
      '//evil.example.com/metrics',
      '/..//evil',
      '/a/../../etc',
      '/%2e%2e/x',
      '/a%2fb',
      '@evil.example.com/x',
      'evil.example.com:80/x',
      'user:pass@evil/x',
      '/x#frag',
      '/a\\b',
      '/a b',
      '/a\r\nHost: evil',
      'javascript:alert(1)',
      '/%00',
    ]) {
      const r = await get(`${base}/v2/apps/${GUID}/metrics?metric_path=${encodeURIComponent(evil)}`);
      assert.equal(r.status, 400, `${JSON.stringify(evil)} → ${r.status}`);
      assert.match(r.body, /^400 Bad Request: metric_path /);
    }
    assert.equal(a.requests.length, before, 'no refused path reached the app');
  });
});

describe('sharing', () => {
  test('concurrent identical requests share one fan-out; different credentials or formats do not', async () => {
    const a = await instance({ body: 'a 1\n', delayMs: 300 });
    const b = await instance({ body: 'a 2\n', delayMs: 300 });
    const { base, f } = await fetcherFor([app([a, b])]);
    const url = `${base}/v2/apps/${GUID}/metrics`;
    const bodies = await Promise.all(Array.from({ length: 10 }, () => get(url)));
    assert.ok(bodies.every((r) => r.status === 200 && r.body === bodies[0]?.body));
    assert.equal(a.requests.length, 1);
    assert.equal(b.requests.length, 1);
    assert.match(f.metrics.registry.render(), /promfetch_shared_requests_total\{how="joined"\} 9/);
    // different credentials, or another output format: separate fan-outs
    await Promise.all([get(url, { authorization: 'Bearer one' }), get(url, { authorization: 'Bearer two' })]);
    assert.equal(a.requests.length, 3);
    await get(url, { accept: 'application/openmetrics-text' });
    assert.equal(a.requests.length, 4);
  });

  test('concurrent scrapes of changing bodies on render workers: every response whole and consistent', async () => {
    const bodyAt = (v: number) => Array.from({ length: 300 }, (_, k) => `m{k="${k}"} ${v}\n`).join('');
    const a = await instance({ body: bodyAt(0) });
    const b = await instance({ body: bodyAt(0) });
    const { base } = await fetcherFor([app([a, b])], { parse_workers: 2 });
    const url = `${base}/v2/apps/${GUID}/metrics`;
    for (let round = 1; round <= 6; round++) {
      a.behaviour.body = bodyAt(round);
      b.behaviour.body = bodyAt(round * 100);
      // Uncompressed (rawGet), so the responses are written from the rendered buffers themselves.
      const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => rawGet(url, { 'x-round': `${round}-${i}` })));
      for (const r of rs) {
        assert.equal(r.status, 200);
        const [fam] = parseExposition(Buffer.from(r.body));
        assert.equal(fam?.samples.length, 600, r.body.slice(0, 200));
        for (const [inst, v] of [
          [a, round],
          [b, round * 100],
        ] as const) {
          const values = new Set(fam?.samples.filter((x) => x.labels.includes(`127.0.0.1:${inst.port}`)).map((x) => x.value));
          assert.deepEqual([...values], [v], 'one body per instance, none overwritten');
        }
      }
    }
  });

  test('chunked bodies that outgrow their first buffer, over kept-alive connections, on render workers', async () => {
    const bodyAt = (v: number, n: number) => Array.from({ length: n }, (_, k) => `big{k="${k}"} ${v}\n`).join('');
    const a = await instance({ body: bodyAt(1, 500), chunkBytes: 4000 });
    const b = await instance({ body: bodyAt(2, 500) });
    // 204 over a kept-alive connection: no body, and no waiting for one until the connection closes
    const empty = await instance({ status: 204 });
    const { base } = await fetcherFor([app([a, b, empty])], { parse_workers: 2, disable_keep_alives: false });
    const url = `${base}/v2/apps/${GUID}/metrics`;
    // Each body larger than the last (the first buffer is sized from the one before), then smaller.
    for (const [round, n] of [
      [1, 500],
      [2, 9000],
      [3, 20000],
      [4, 300],
    ] as const) {
      a.behaviour.body = bodyAt(round, n);
      b.behaviour.body = bodyAt(round * 10, n);
      const r = await rawGet(url, { 'x-prometheus-scrape-timeout-seconds': '2' });
      assert.equal(r.status, 200);
      assert.doesNotMatch(r.body, /promfetcher_scrape_error/);
      const [fam] = parseExposition(Buffer.from(r.body));
      assert.equal(fam?.samples.length, 2 * n);
      for (const [inst, v] of [
        [a, round],
        [b, round * 10],
      ] as const) {
        const mine = fam?.samples.filter((x) => x.labels.includes(`127.0.0.1:${inst.port}`)) ?? [];
        assert.equal(mine.length, n);
        assert.deepEqual([...new Set(mine.map((x) => x.value))], [v]);
        assert.equal(mine[n - 1]?.labels[1], String(n - 1), 'the body whole, in order');
      }
    }
    assert.equal(new Set(a.requests.map((q) => q.remotePort)).size, 1, 'one kept-alive connection');
    assert.notEqual(a.requests[0]?.headers.connection, 'close');
  });

  test('cache_ttl: a cached result stays intact while later scrapes render', async () => {
    const a = await instance({ body: 'a{k="1"} 1\n' });
    const { base } = await fetcherFor([app([a])], { cache_ttl: '10s', parse_workers: 1 });
    const url = `${base}/v2/apps/${GUID}/metrics`;
    const first = await rawGet(url, {});
    for (let v = 2; v < 8; v++) {
      a.behaviour.body = `a{k="1"} ${v}\n`;
      const other = await rawGet(url, { 'x-other': String(v) });
      assert.match(other.body, new RegExp(` ${v}\n$`));
    }
    assert.equal((await rawGet(url, {})).body, first.body);
  });

  test('cache_ttl serves repeated scrapes from the last result', async () => {
    const a = await instance({ body: 'a 1\n' });
    const { base } = await fetcherFor([app([a])], { cache_ttl: '10s' });
    await get(`${base}/v2/apps/${GUID}/metrics`);
    await get(`${base}/v2/apps/${GUID}/metrics`);
    assert.equal(a.requests.length, 1);
  });
});

describe('other endpoints', () => {
  test('/v1/targets lists one target per instance and /v1/instances/{guid}/{index}/metrics serves just that one', async () => {
    const a = await instance({ body: 'a 1\n' });
    const b = await instance({ body: 'a 2\n' });
    const { base } = await fetcherFor([app([a, b])], { base_url: 'https://promfetcher.sys.example.com/' });
    const t = await get(`${base}/v1/targets`);
    assert.equal(t.headers.get('content-type'), 'application/json');
    const groups = JSON.parse(t.body) as { targets: string[]; labels: Record<string, string> }[];
    assert.equal(groups.length, 2);
    assert.deepEqual(groups[1], {
      targets: ['promfetcher.sys.example.com'],
      labels: {
        __scheme__: 'https',
        __metrics_path__: `/v1/instances/${GUID}/1/metrics`,
        organization_id: 'org-acme',
        space_id: 'space-prod',
        app_id: GUID,
        organization_name: 'acme',
        space_name: 'prod',
        app_name: 'billing',
        index: '1',
        instance_id: '1',
        instance: b.address,
      },
    });
    const one = await get(`${base}/v1/instances/${GUID}/1/metrics`);
    assert.equal(one.body, `# TYPE a untyped\na{${labelsOf(1, b.port)}} 2\n`);
    assert.equal(a.requests.length, 0);
    assert.equal((await get(`${base}/v1/instances/${GUID}/7/metrics`)).status, 404);
    const routes = JSON.parse((await get(`${base}/routes`)).body) as Record<string, { address: string }[]>;
    assert.deepEqual(
      routes['billing.apps.example.com']?.map((e) => e.address),
      [a.address, b.address],
    );
  });

  test('api_auth protects every endpoint but health; the Authorization header is then not forwarded', async () => {
    const a = await instance({ body: 'a 1\n' });
    const { base, f } = await fetcherFor([app([a])], {
      api_auth: { basic_auth: [{ username: 'prom', password: 's3cret' }], bearer_tokens: ['0123456789abcdef0123'] },
    });
    assert.equal((await get(`${base}/routes`)).status, 401);
    assert.equal((await get(`${base}/metrics`, { authorization: 'Bearer wrong-token-wrong-token' })).status, 401);
    assert.equal((await get(`${base}/metrics`, { authorization: 'Bearer 0123456789abcdef0123' })).status, 200);
    const r = await get(`${base}/v2/apps/${GUID}/metrics`, { authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}` });
    assert.equal(r.status, 200);
    assert.equal(a.requests[0]?.headers.authorization, undefined);
    assert.equal((await get(`http://127.0.0.1:${f.healthPort}/`)).status, 200);
  });

  test('external exporters are scraped once per app with templated params, and skipped by only-app-metrics', async () => {
    const a = await instance({ body: 'a 1\n' });
    const b = await instance({ body: 'a 2\n' });
    const bb = await instance({ body: 'probe_success{instance="spoof"} 1\n' });
    const { base } = await fetcherFor([app([a, b])], {
      external_exporters: [
        {
          name: 'blackbox',
          host: bb.address,
          metrics_path: '/probe?module=old',
          params: { target: ['https://{{ .AppName }}.apps.example.com'], module: ['http_2xx'] },
        },
      ],
    });
    const r = await get(`${base}/v2/apps/${GUID}/metrics`);
    assert.equal(bb.requests.length, 1);
    assert.equal(bb.requests[0]?.url, '/probe?target=https%3A%2F%2Fbilling.apps.example.com&module=http_2xx');
    assert.equal(bb.requests[0]?.headers.accept, undefined);
    assert.match(
      r.body,
      new RegExp(
        `probe_success\\{organization_id="org-acme",space_id="space-prod",app_id="${GUID}",organization_name="acme",space_name="prod",app_name="billing",instance="blackbox"\\} 1\n`,
      ),
    );
    await assertPromtool(r.body);
    await get(`${base}/v2/apps/${GUID}/only-app-metrics`);
    assert.equal(bb.requests.length, 1);
  });
});

describe('lifecycle', () => {
  test('graceful stop: health turns 503, an open request still completes, new connections are refused', async () => {
    const a = await instance({ body: 'a 1\n', delayMs: 600 });
    const routes_file = writeRoutesFile([app([a])]);
    const config = buildFetcherConfig(
      't.yml',
      { routes_file, port: 0, health_check_port: 0, listen_host: '127.0.0.1' },
      { defaultRoutesFile: '' },
    );
    const f = new Fetcher({ config });
    await f.start();
    await f.source.ready;
    const base = `http://127.0.0.1:${f.port}`;
    assert.equal((await get(`http://127.0.0.1:${f.healthPort}/anything`)).body, 'ok\n');
    const inflight = get(`${base}/v2/apps/${GUID}/metrics`);
    await new Promise((r) => setTimeout(r, 150));
    const stopped = f.stop();
    const h = await get(`http://127.0.0.1:${f.healthPort}/`);
    assert.equal(h.status, 503);
    assert.equal(h.headers.get('cache-control'), 'private, max-age=0');
    await assert.rejects(fetch(`${base}/routes`));
    const r = await inflight;
    assert.equal(r.status, 200);
    await stopped;
  });
});
