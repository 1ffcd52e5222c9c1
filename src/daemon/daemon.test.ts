import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeAgent } from '../loggregator/testing/fake-agent.js';
import { createTestPki, type TestPki } from '../testing/certs.js';
import { freePort } from '../testing/ports.js';
import { spawnDaemon } from './testing/daemon-process.js';

interface TestTarget {
  server: Server;
  port: number;
  requests: number;
}

async function startTarget(body: string, delayMs = 0): Promise<TestTarget> {
  const t: TestTarget = { server: createServer(), port: 0, requests: 0 };
  t.server.on('request', (_req, res) => {
    t.requests++;
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(body);
    }, delayMs);
  });
  await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', r));
  t.port = (t.server.address() as AddressInfo).port;
  return t;
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function started(l: Record<string, unknown>): boolean {
  return l.msg === 'prom-scraper started';
}

interface TargetView {
  id: string;
  kind: string;
  origin: string;
  source_id: string;
  health: Array<{ url: string; up: boolean | null; samples: number; last_error: string | null }>;
}

const promConfig = (jobs: Array<{ name: string; port: number }>) =>
  `scrape_configs:\n${jobs.map((j) => `  - job_name: ${j.name}\n    scrape_interval: 200ms\n    static_configs: [{targets: ['127.0.0.1:${j.port}']}]\n`).join('')}`;

describe('prom-scraper daemon (real process)', { timeout: 60_000 }, () => {
  let dir: string;
  let pki: TestPki;
  const targets: TestTarget[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cf-prom-daemon-'));
    pki = createTestPki();
  });
  after(() => {
    for (const t of targets) t.server.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('stdout sink, API add/list/delete, bad bodies, self-metrics, debug port, SIGHUP reload, SIGTERM', async () => {
    const a = await startTarget('# TYPE a_total counter\na_total 1\n');
    const b = await startTarget('# TYPE b_total counter\nb_total 2\n');
    const c = await startTarget('# TYPE c_value gauge\nc_value{x="y"} 3\n');
    targets.push(a, b, c);
    const configFile = join(dir, 'scrape.yml');
    writeFileSync(configFile, promConfig([{ name: 'a', port: a.port }]));
    const [debugPort] = await Promise.all([freePort()]);
    const d = spawnDaemon({
      PATHS_TO_SCRAPE_CONFIGS: configFile,
      API_SERVER: 'true',
      DEBUG_PORT: String(debugPort),
      CONFIG_WATCH_INTERVAL: '0',
      ADDITIONAL_SCRAPE_CONFIGS: 'scrape_configs: []\n# password: hunter2\n',
    });
    try {
      const up = await d.waitForLog(started);
      const api = up.api_url as string;
      const metricsUrl = up.metrics_url as string;
      assert.match(api, /^http:\/\/127\.0\.0\.1:\d+\/v1\/scrape_targets$/);
      const cfg = d.logs.find((l) => l.msg === 'effective configuration') as { config: Record<string, string> };
      assert.equal(cfg.config.ADDITIONAL_SCRAPE_CONFIGS, '<redacted, 38 bytes>');
      assert.ok(!d.stderr().includes('hunter2'));
      assert.ok(d.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('LOGGREGATOR_AGENT_ADDR is not set')));

      // The config job is listed with its health.
      const list0 = await until('job a scraped', async () => {
        const r = (await json(api)).body as { scrape_targets: TargetView[] };
        return r.scrape_targets[0]?.health[0]?.up === true ? r.scrape_targets : undefined;
      });
      assert.equal(list0.length, 1);
      assert.equal(list0[0]?.kind, 'config');
      assert.equal(list0[0]?.health[0]?.samples, 1);
      await d.waitForStdout((o) => o.includes('"name":"a_total"'));

      // Bad bodies: every field error at once.
      const bad = await json(api, {
        method: 'POST',
        body: JSON.stringify({
          targets: ['http://x/y', 5],
          source_id: '',
          scrape_interval: '5 seconds',
          scheme: 'ftp',
          labels: { 'bad-name': 'x' },
          extra: 1,
        }),
      });
      assert.equal(bad.status, 400);
      const errors = (bad.body as { errors: Array<{ field: string; message: string }> }).errors;
      assert.deepEqual(
        errors.map((e) => e.field),
        ['extra', 'instance_id', 'targets[0]', 'targets[1]', 'source_id', 'scrape_interval', 'scheme', 'labels.bad-name'],
      );
      assert.equal(errors[1]?.message, 'required');
      assert.equal(
        errors[2]?.message,
        '"http://x/y" is not a valid target address: write host:port (the scheme goes in scheme, the path in metrics_path)',
      );
      assert.equal(errors[3]?.message, 'must be a "host:port" string');
      assert.match(errors[5]?.message ?? '', /use a Go duration like "15s"/);
      assert.equal(errors[6]?.message, '"ftp" is not allowed; allowed: http, https');
      assert.deepEqual((await json(api, { method: 'POST', body: '{"targets": [' })).status, 400);
      assert.deepEqual((await json(api, { method: 'POST', body: '[]' })).body, {
        errors: [{ field: '', message: 'the body must be a JSON object' }],
      });
      const big = await fetch(api, { method: 'POST', body: `{"x":"${'a'.repeat(1 << 20)}"}` });
      assert.equal(big.status, 413);
      await big.body?.cancel();

      // Add a target: takes effect at once, health shows up.
      const good = {
        targets: [`127.0.0.1:${b.port}`],
        source_id: 'api-src',
        instance_id: 'i-1',
        scrape_interval: '200ms',
        labels: { team: 'core' },
        headers: { Authorization: 'Bearer s3cret' },
      };
      const created = await json(api, { method: 'POST', body: JSON.stringify(good) });
      assert.equal(created.status, 201);
      const view = created.body as TargetView & { spec: { headers: Record<string, string> } };
      assert.match(view.id, /^api-[0-9a-f]{16}$/);
      assert.equal(view.kind, 'api');
      assert.deepEqual(view.spec.headers, { Authorization: '<redacted>' });
      assert.equal((await json(api, { method: 'POST', body: JSON.stringify(good) })).status, 200, 'same source_id + instance_id replaces');
      await d.waitForStdout((o) => o.includes('"name":"b_total"') && o.includes('"source_id":"api-src"'));
      const one = await until('api target up', async () => {
        const r = (await json(`${api}/${view.id}`)).body as TargetView;
        return r.health[0]?.up === true ? r : undefined;
      });
      assert.equal(one.health[0]?.url, `http://127.0.0.1:${b.port}/metrics`);
      assert.equal((await json(`${api}/nope`)).status, 404);

      // SIGHUP: the config file now has jobs a and c; the API target survives.
      writeFileSync(
        configFile,
        promConfig([
          { name: 'a', port: a.port },
          { name: 'c', port: c.port },
        ]),
      );
      d.kill('SIGHUP');
      const afterHup = await until('reload', async () => {
        const r = ((await json(api)).body as { scrape_targets: TargetView[] }).scrape_targets;
        return r.length === 3 ? r : undefined;
      });
      assert.deepEqual(
        afterHup.map((t) => t.kind),
        ['config', 'config', 'api'],
      );
      await d.waitForStdout((o) => o.includes('"name":"c_value"'));
      // A reload with a broken file keeps the running configuration.
      writeFileSync(configFile, 'scrape_configs: [{job_name: a, bogus: 1}]\n');
      d.kill('SIGHUP');
      await d.waitForLog((l) => l.msg === 'reload rejected: the running configuration stays');
      assert.equal(((await json(api)).body as { scrape_targets: TargetView[] }).scrape_targets.length, 3);

      // Delete: config jobs cannot be, API targets can.
      const cfgId = afterHup[0]?.id as string;
      assert.equal((await json(`${api}/${cfgId}`, { method: 'DELETE' })).status, 409);
      assert.equal((await json(`${api}/${view.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await json(`${api}/${view.id}`, { method: 'DELETE' })).status, 404);
      assert.equal(((await json(api)).body as { scrape_targets: TargetView[] }).scrape_targets.length, 2);

      // Self-metrics (plain HTTP here) and diagnostics.
      const m = await (await fetch(metricsUrl)).text();
      assert.match(m, /^scrapes_started_total \d+$/m);
      assert.match(m, /^promhttp_metric_handler_errors_total\{cause="encoding"\} 0$/m);
      assert.match(m, /^config_reloads_total\{result="failure"\} 1$/m);
      assert.match(m, /^scrape_targets_total 2$/m);
      assert.equal((await fetch(metricsUrl.replace('/metrics', '/other'))).status, 404);
      assert.ok(
        d.logs.some(
          (l) =>
            l.msg ===
            'metrics server without TLS: set METRICS_CA_FILE_PATH, METRICS_CERT_FILE_PATH and METRICS_KEY_FILE_PATH for mutual TLS',
        ),
      );
      const vars = (await json(`http://127.0.0.1:${debugPort}/debug/vars`)).body as {
        event_loop_delay_ms: { p99: number };
        heap: { used_heap_size: number };
        active_handles: number;
      };
      assert.equal(typeof vars.event_loop_delay_ms.p99, 'number');
      assert.ok(vars.heap.used_heap_size > 0);
      assert.ok(vars.active_handles > 0);
      const snap = await fetch(`http://127.0.0.1:${debugPort}/debug/heapsnapshot`);
      assert.equal(snap.status, 200);
      assert.match((await snap.text()).slice(0, 40), /^\{"snapshot"/);

      const t0 = Date.now();
      d.kill('SIGTERM');
      const exit = await d.exited;
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(Date.now() - t0 < 3000, `exited in ${Date.now() - t0} ms`);
      assert.ok(d.logs.some((l) => l.msg === 'prom-scraper stopped'));
    } finally {
      d.kill('SIGKILL');
    }
  });

  it('sends envelopes to an mTLS agent; the metrics server requires a client certificate; RFC 3339 logs', async () => {
    const t = await startTarget('# TYPE demo_total counter\ndemo_total{path="/x"} 42\n');
    targets.push(t);
    const agentCert = pki.issue('metron');
    const client = pki.issue('prom-scraper-client');
    const metricsCert = pki.issue('metrics', { sans: ['127.0.0.1'] });
    const agent = await startFakeAgent({ ca: pki.ca.cert, cert: agentCert.cert, key: agentCert.key });
    const d = spawnDaemon({
      LOGGREGATOR_AGENT_ADDR: `127.0.0.1:${agent.port}`,
      // The released daemon's names for the agent TLS files.
      CA_CERT_PATH: pki.ca.certFile,
      CLIENT_CERT_PATH: client.certFile,
      CLIENT_KEY_PATH: client.keyFile,
      DEFAULT_SOURCE_ID: 'my-group',
      METRICS_SERVERS_PORTS: String(t.port),
      SCRAPE_INTERVAL: '200ms',
      METRICS_CA_FILE_PATH: pki.ca.certFile,
      METRICS_CERT_FILE_PATH: metricsCert.certFile,
      METRICS_KEY_FILE_PATH: metricsCert.keyFile,
      USE_RFC3339: 'true',
      API_SERVER: 'true',
      API_SERVER_CA_FILE_PATH: pki.ca.certFile,
      API_SERVER_CERT_FILE_PATH: metricsCert.certFile,
      API_SERVER_KEY_FILE_PATH: metricsCert.keyFile,
    });
    try {
      const up = await d.waitForLog(started);
      assert.match(String(up.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      await until('envelopes', async () =>
        agent.envelopes.some((e) => e.message.case === 'counter' && e.message.value.name === 'demo_total') ? true : undefined,
      );
      const e = agent.envelopes.find((x) => x.message.case === 'counter' && x.message.value.name === 'demo_total');
      assert.equal(e?.sourceId, 'my-group');
      assert.equal(e?.tags.path, '/x');
      assert.ok(e?.message.case === 'counter' && e.message.value.total === 42n);

      const url = new URL(up.metrics_url as string);
      assert.equal(url.protocol, 'https:');
      const get = (withCert: boolean, port = url.port, path = '/metrics') =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest(
            {
              host: '127.0.0.1',
              port,
              path,
              ca: pki.ca.cert,
              ...(withCert ? { cert: client.cert, key: client.key } : {}),
            },
            (res) => {
              let body = '';
              res.setEncoding('utf8').on('data', (c: string) => {
                body += c;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end();
        });
      await assert.rejects(get(false), 'a client without a certificate is refused');
      const ok = await get(true);
      assert.equal(ok.status, 200);
      assert.match(ok.body, /^loggregator_envelopes_sent_total \d+$/m);
      assert.ok(!d.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('metrics server without TLS')));
      const apiUrl = new URL(up.api_url as string);
      assert.equal(apiUrl.protocol, 'https:');
      await assert.rejects(get(false, apiUrl.port, apiUrl.pathname), 'the API refuses a client without a certificate');
      const listed = await get(true, apiUrl.port, apiUrl.pathname);
      assert.equal(listed.status, 200);
      assert.equal((JSON.parse(listed.body) as { scrape_targets: TargetView[] }).scrape_targets[0]?.origin, 'env: METRICS_SERVERS_PORTS');

      const before = agent.received;
      d.kill('SIGTERM');
      assert.deepEqual(await d.exited, { code: 0, signal: null });
      assert.ok(agent.received >= before);
    } finally {
      d.kill('SIGKILL');
      await agent.stop();
    }
  });

  it('SIGTERM lets an in-flight scrape finish and flushes its samples before exiting', async () => {
    const slow = await startTarget('# TYPE slow_total counter\nslow_total 7\n', 600);
    targets.push(slow);
    const d = spawnDaemon({ METRICS_SERVERS_PORTS: String(slow.port), SCRAPE_INTERVAL: '1s', SHUTDOWN_TIMEOUT: '5s' });
    try {
      await d.waitForLog(started);
      await until('a scrape in flight', async () => (slow.requests > 0 ? true : undefined));
      const t0 = Date.now();
      d.kill('SIGTERM');
      assert.deepEqual(await d.exited, { code: 0, signal: null });
      const took = Date.now() - t0;
      assert.ok(took < 3000, `exited in ${took} ms`);
      assert.ok(d.stdout().includes('"name":"slow_total"'), 'the in-flight scrape was written');
    } finally {
      d.kill('SIGKILL');
    }
  });

  it('a bad environment exits 1 with one line per bad variable', async () => {
    const run = async (env: Record<string, string>, args: string[] = []) => {
      const d = spawnDaemon(env, args);
      const exit = await d.exited;
      return { code: exit.code, lines: d.stderr().trimEnd().split('\n') };
    };
    const cf = join(dir, 'prom_scraper_config.yml');
    writeFileSync(cf, 'port: 8443\nscheme: https\n');
    const settings = join(dir, 'settings.yml');
    writeFileSync(settings, 'metrics_prot: 1\n');
    // Concurrently: each is a node start-up.
    const [ports, agent, otel, r, s] = await Promise.all([
      run({ METRICS_PORT: 'abc', SCRAPE_INTERVAL: 'soon' }),
      run({ LOGGREGATOR_AGENT_ADDR: 'localhost:3458', CA_CERT_PATH: '/nonexistent/ca.crt' }),
      run({ USE_OTEL_COLLECTOR: 'true' }),
      run({ CONFIG_GLOBS: cf, SCRAPE_CERT_PATH: pki.ca.certFile, SCRAPE_KEY_PATH: pki.ca.keyFile }),
      run({}, ['--config', settings]),
    ]);
    assert.deepEqual(ports, {
      code: 1,
      lines: [
        'prom-scraper: invalid configuration: SCRAPE_INTERVAL="soon": time: invalid duration "soon"; use a Go duration like 15s, 1m30s, 500ms',
        'prom-scraper: invalid configuration: METRICS_PORT="abc": not a port; allowed: an integer 0-65535 (0: any free port)',
      ],
    });
    assert.deepEqual(agent, {
      code: 1,
      lines: [
        'prom-scraper: invalid configuration: LOGGREGATOR_AGENT_CERT_FILE_PATH or CLIENT_CERT_PATH: missing; required when LOGGREGATOR_AGENT_ADDR is set (the agent requires mutual TLS); allowed: a readable PEM file path',
        'prom-scraper: invalid configuration: LOGGREGATOR_AGENT_KEY_FILE_PATH or CLIENT_KEY_PATH: missing; required when LOGGREGATOR_AGENT_ADDR is set (the agent requires mutual TLS); allowed: a readable PEM file path',
        'prom-scraper: invalid configuration: DEFAULT_SOURCE_ID: missing; required when LOGGREGATOR_AGENT_ADDR is set; allowed: a source id, BOSH: the instance group name',
      ],
    });
    assert.deepEqual(otel, {
      code: 1,
      lines: [
        'prom-scraper: USE_OTEL_COLLECTOR="true": the OTLP output is not available yet; allowed: false (unset it to send to the Loggregator agent, or to stdout without LOGGREGATOR_AGENT_ADDR)',
      ],
    });
    assert.equal(r.code, 1);
    assert.equal(
      r.lines.at(-1),
      `prom-scraper: cannot start: ${cf}: server_name: missing; required when scheme is https and SCRAPE_CERT_PATH is set (mTLS to 127.0.0.1 needs the name to verify; the released prom-scraper refuses to start too)`,
    );
    assert.equal(s.code, 1);
    assert.match(s.lines[0] ?? '', /^prom-scraper: .*settings\.yml: metrics_prot: unknown setting; allowed: /);
  });
});
