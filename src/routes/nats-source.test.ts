import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { createTestPki } from '../testing/certs.js';
import { type NatsServer, startNatsServer } from '../testing/nats-server.js';
import { freePort } from '../testing/ports.js';
import { NatsRouteSource, type NatsRouteSourceOptions } from './nats-source.js';
import { RouteTable } from './route-table.js';

const APP = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';
const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));

function registration(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: `10.0.16.${i}`,
    port: 61001,
    tls_port: 0,
    uris: ['billing.apps.example.com'],
    app: APP,
    private_instance_id: `inst-${i}`,
    private_instance_index: String(i),
    stale_threshold_in_seconds: 120,
    tags: {
      app_id: APP,
      app_name: 'billing',
      organization_name: 'acme',
      space_name: 'prod',
      process_type: 'web',
      instance_id: String(i),
      component: 'route-emitter',
    },
    ...over,
  };
}

async function waitFor(what: string, pred: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Plays route-emitter: on every `router.start` it re-sends its whole table (one URI per message),
 * and it records what routers announced.
 */
async function fakeEmitter(url: string, routes: Record<string, unknown>[]): Promise<{ nc: NatsConnection; starts: unknown[] }> {
  const nc = await connect({ servers: url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
  const starts: unknown[] = [];
  nc.subscribe('router.start', {
    callback: (_err, msg) => {
      starts.push(JSON.parse(new TextDecoder().decode(msg.data)));
      for (const r of routes) nc.publish('router.register', enc(r));
    },
  });
  await nc.flush();
  return { nc, starts };
}

let server: NatsServer;
const cleanups: (() => Promise<unknown>)[] = [];
before(async () => {
  server = await startNatsServer();
});
// Every test closes its own clients and sources, so no emitter answers the next test's router.start.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});
after(() => server.stop());

function source(table: RouteTable, over: Partial<NatsRouteSourceOptions> = {}): NatsRouteSource {
  const s = new NatsRouteSource({ servers: [server.url], table, settleMs: 100, reconnectTimeWaitMs: 50, hosts: ['127.0.0.1'], ...over });
  cleanups.push(() => s.stop());
  return s;
}

test('announces router.start, gets the full table from an emitter, answers router.greet like gorouter', async () => {
  const em = await fakeEmitter(server.url, [registration(1), registration(2), registration(3, { tls_port: 61443 })]);
  cleanups.push(() => em.nc.close());
  const table = new RouteTable();
  const src = source(table, { index: 2, minimumRegisterIntervalSec: 20, settleMs: 300 });
  await src.start();
  assert.equal(src.isReady(), false, 'settling');
  await src.ready;
  assert.equal(table.metrics.ready, 1);
  assert.deepEqual(
    table.lookup('acme/prod/billing').map((i) => [i.address, i.tls]),
    [
      ['10.0.16.1:61001', false],
      ['10.0.16.2:61001', false],
      ['10.0.16.3:61443', true],
    ],
  );
  assert.equal(em.starts.length, 1);
  const start = em.starts[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(start), ['id', 'hosts', 'minimumRegisterIntervalInSeconds', 'pruneThresholdInSeconds']);
  assert.match(String(start.id), /^2-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(start, {
    id: src.routerStart.id,
    hosts: ['127.0.0.1'],
    minimumRegisterIntervalInSeconds: 20,
    pruneThresholdInSeconds: 120,
  });
  const reply = await em.nc.request('router.greet', new Uint8Array(0), { timeout: 2000 });
  assert.deepEqual(JSON.parse(new TextDecoder().decode(reply.data)), start);
  assert.equal(table.metrics.greetsAnswered, 1);
  assert.equal(table.metrics.natsConnected, 1);
});

test('unregister, malformed and system messages: counted, logged once, table intact', async () => {
  const table = new RouteTable();
  const warns: string[] = [];
  const logger = { info() {}, error() {}, warn: (_o: object, m: string) => void warns.push(m) };
  const src = source(table, { logger });
  await src.start();
  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  nc.publish('router.register', enc(registration(1)));
  nc.publish('router.register', enc(registration(2, { uris: ['billing.apps.example.com', 'billing.apps.internal'] })));
  nc.publish('router.register', enc('{"host":'));
  nc.publish('router.register', enc('{"host":'));
  nc.publish('router.register', enc(registration(9, { route_service_url: 'http://rs' })));
  nc.publish('router.register', enc(registration(8, { tags: { component: 'route-registrar' }, uris: ['api.sys.example.com'] })));
  nc.publish('router.unregister', enc(registration(1)));
  await nc.flush();
  await waitFor('messages', () => table.metrics.messagesReceived === 7);
  assert.deepEqual(
    table.lookup(APP).map((i) => [i.address, i.routes]),
    [['10.0.16.2:61001', ['billing.apps.example.com', 'billing.apps.internal']]],
  );
  assert.deepEqual(table.lookup('api.sys.example.com'), []);
  assert.deepEqual(table.metrics.messagesInvalid, { bad_json: 2, route_service_url_not_https: 1 });
  assert.deepEqual(table.metrics.messagesIgnored, { no_app_id: 1 });
  assert.equal(warns.length, 2, 'the repeated bad message is logged once');
});

test('survives a NATS restart: serves the last table, re-announces, picks up new routes', async () => {
  let now = 1_000_000;
  const em = await fakeEmitter(server.url, [registration(1)]);
  cleanups.push(() => em.nc.close());
  const table = new RouteTable();
  // The emitter reconnects every 50 ms, the source every 600 ms: the emitter is back first and
  // hears the source's second router.start (with both back at once the order would be a race).
  const src = source(table, { now: () => now, pruneIntervalMs: 0, reconnectTimeWaitMs: 600 });
  await src.start();
  await src.ready;
  await waitFor('first emit', () => table.lookup(APP).length === 1);

  await server.stop();
  await waitFor('disconnect', () => table.metrics.natsConnected === 0);
  now += 10 * 60_000;
  assert.equal(src.pruneNow(), 0, 'no pruning while NATS is down');
  assert.equal(table.lookup(APP).length, 1, 'last table still served');

  await server.restart();
  await waitFor('reconnect', () => table.metrics.reconnects === 1 && table.metrics.natsConnected === 1);
  await waitFor('second router.start reached the emitter', () => em.starts.length === 2);
  assert.equal(table.metrics.routerStartsSent, 2);
  assert.equal(src.pruneNow(), 0, 'endpoints were marked fresh on reconnect');

  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  nc.publish('router.register', enc(registration(2)));
  await nc.flush();
  await waitFor('new route after reconnect', () => table.lookup(APP).length === 2);
});

test('prunes endpoints not refreshed within their stale threshold (injected clock)', async () => {
  let now = 0;
  const table = new RouteTable();
  const src = source(table, { now: () => now, pruneIntervalMs: 0 });
  await src.start();
  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  nc.publish('router.register', enc(registration(1, { stale_threshold_in_seconds: 30 })));
  nc.publish('router.register', enc(registration(2)));
  await nc.flush();
  await waitFor('registrations', () => table.lookup(APP).length === 2);
  now = 31_000;
  assert.equal(src.pruneNow(), 1);
  now = 100_000;
  nc.publish('router.register', enc(registration(2)));
  await nc.flush();
  await waitFor('refresh', () => table.lookup(APP)[0]?.lastRegisteredMs === 100_000);
  now = 200_000;
  assert.equal(src.pruneNow(), 0);
  now = 220_001;
  assert.equal(src.pruneNow(), 1);
  assert.equal(table.metrics.pruned, 2);
  assert.equal(table.metrics.instancesKnown, 0);
});

test('no server: start fails after the configured attempts with a clear error', async () => {
  const port = await freePort();
  const table = new RouteTable();
  const src = source(table, { servers: [`nats://127.0.0.1:${port}`], connectAttempts: 2, connectRetryDelayMs: 10 });
  await assert.rejects(src.start(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ROUTES_NATS_CONNECT');
    assert.match(err.message, new RegExp(`cannot connect to NATS nats://127\\.0\\.0\\.1:${port} after 2 attempts`));
    return true;
  });
  assert.equal(src.isReady(), false);
});

test('user and password, from options or from the URL', async () => {
  const authed = await startNatsServer({ user: 'nats', pass: 'p@ss' });
  cleanups.push(() => authed.stop());
  const ok1 = source(new RouteTable(), { servers: [authed.url], user: 'nats', pass: 'p@ss' });
  await ok1.start();
  const ok2 = source(new RouteTable(), { servers: [`nats://nats:p%40ss@127.0.0.1:${authed.port}`] });
  await ok2.start();
  const bad = source(new RouteTable(), { servers: [authed.url], user: 'nats', pass: 'nope', connectAttempts: 1 });
  await assert.rejects(bad.start(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ROUTES_NATS_CONNECT');
    assert.doesNotMatch(err.message, /p@ss|nope/);
    return true;
  });
});

test('TLS and mutual TLS to NATS', async () => {
  const pki = createTestPki();
  const serverCert = pki.issue('nats', { sans: ['127.0.0.1', 'localhost'], client: false });
  const clientCert = pki.issue('promfetcher', { server: false });
  const tlsServer = await startNatsServer({
    tls: { certFile: serverCert.certFile, keyFile: serverCert.keyFile, caFile: pki.ca.certFile, verifyClients: true },
  });
  cleanups.push(() => tlsServer.stop());
  const table = new RouteTable();
  const good = source(table, {
    servers: [`tls://127.0.0.1:${tlsServer.port}`],
    tls: { ca: pki.ca.cert, cert: clientCert.cert, key: clientCert.key },
  });
  await good.start();
  const nc = await connect({
    servers: tlsServer.url,
    tls: { caFile: pki.ca.certFile, certFile: clientCert.certFile, keyFile: clientCert.keyFile },
  });
  cleanups.push(() => nc.close());
  nc.publish('router.register', enc(registration(1)));
  await nc.flush();
  await waitFor('registration over TLS', () => table.lookup(APP).length === 1);

  const noClientCert = source(new RouteTable(), {
    servers: [tlsServer.url],
    tls: { ca: pki.ca.cert },
    connectAttempts: 1,
    connectTimeoutMs: 500,
  });
  // nats.js only notices the server's refusal of a cert-less TLS 1.3 client by its timeout.
  await assert.rejects(noClientCert.start(), { code: 'ROUTES_NATS_CONNECT' });
});

test('several servers: a dead first server is skipped', async () => {
  const dead = await freePort();
  const table = new RouteTable();
  const src = source(table, { servers: [`127.0.0.1:${dead}`, server.url], connectAttempts: 1 });
  await src.start();
  assert.equal(table.metrics.natsConnected, 1);
  assert.equal(table.metrics.routerStartsSent, 1);
});
