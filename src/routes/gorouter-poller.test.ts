import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { GorouterRoutesPoller } from './gorouter-poller.js';
import { RouteTable } from './route-table.js';

/** A local stand-in for gorouter's status server: `/routes` behind basic auth. */
interface FakeGorouter {
  url: string;
  body: unknown;
  status: number;
  requests: number;
  lastAuth: string | undefined;
  server: Server;
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function fakeGorouter(user = 'router-status', pass = 's3cret'): Promise<FakeGorouter> {
  const f = { body: {} as unknown, status: 200, requests: 0, lastAuth: undefined as string | undefined } as FakeGorouter;
  const want = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  f.server = createServer((req: IncomingMessage, res) => {
    f.requests++;
    f.lastAuth = req.headers.authorization;
    if (req.url !== '/routes') {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    if (req.headers.authorization !== want) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm=""' }).end('401 Unauthorized\n');
      return;
    }
    if (f.status !== 200) {
      res.writeHead(f.status).end('boom');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'application/json', Connection: 'close' })
      .end(typeof f.body === 'string' ? f.body : JSON.stringify(f.body));
  });
  servers.push(f.server);
  await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
  f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
  return f;
}

const web = (address: string, app = 'a1') => ({ address, tls: false, ttl: 120, tags: { app_id: app, process_type: 'web' } });

test('polls /routes with basic auth, becomes ready, refreshes on the interval', async () => {
  const g = await fakeGorouter();
  g.body = { 'a.example.com': [web('10.0.0.1:1'), web('10.0.0.2:1')] };
  const table = new RouteTable();
  const poller = new GorouterRoutesPoller({ urls: [g.url], user: 'router-status', pass: 's3cret', table, intervalMs: 40 });
  await poller.start();
  try {
    assert.equal(poller.isReady(), true);
    await poller.ready;
    assert.equal(poller.lastError, undefined);
    assert.equal(table.lookupByRoute('a.example.com').length, 2);
    g.body = { 'b.example.com': [web('10.0.0.3:1')] };
    const end = Date.now() + 3000;
    while (table.lookupByRoute('b.example.com').length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.equal(table.lookupByRoute('b.example.com').length, 1);
    assert.equal(table.lookupByRoute('a.example.com').length, 0);
    assert.ok(table.metrics.pollsOk >= 2);
  } finally {
    await poller.stop();
  }
});

test('credentials in the URL; /routes appended once; failures keep the previous table', async () => {
  const g = await fakeGorouter('u', 'p@ss');
  g.body = { 'a.example.com': [web('10.0.0.1:1')] };
  const table = new RouteTable();
  const poller = new GorouterRoutesPoller({ urls: [`http://u:p%40ss@${g.url.slice(7)}/routes`], table, intervalMs: 60_000 });
  await poller.start();
  try {
    assert.equal(table.lookupByRoute('a.example.com').length, 1);
    g.status = 500;
    await poller.pollNow();
    assert.match(String(poller.lastError?.message), /GET http:\/\/127\.0\.0\.1:\d+\/routes: unexpected status 500: boom/);
    assert.doesNotMatch(String(poller.lastError?.message), /p@ss|p%40ss/);
    g.status = 200;
    g.body = '{"a.example.com": [';
    await poller.pollNow();
    assert.match(String(poller.lastError?.message), /body is not JSON/);
    g.body = [1, 2];
    await poller.pollNow();
    assert.match(String(poller.lastError?.message), /expected an object of route key/);
    assert.equal(table.lookupByRoute('a.example.com').length, 1, 'previous table kept');
    assert.equal(table.metrics.pollsFailed, 3);
  } finally {
    await poller.stop();
  }
});

test('wrong password: not ready, error says what to check', async () => {
  const g = await fakeGorouter();
  const table = new RouteTable();
  const poller = new GorouterRoutesPoller({ urls: [g.url], user: 'router-status', pass: 'wrong', table, intervalMs: 60_000 });
  await poller.start();
  await poller.stop();
  assert.equal(poller.isReady(), false);
  assert.match(String(poller.lastError?.message), /unexpected status 401 \(check the status user and password\)/);
  assert.equal((poller.lastError as Error & { code: string }).code, 'ROUTES_GOROUTER_POLL');
});

test('several gorouters merge first-wins per route key; one failing fails the refresh', async () => {
  const g1 = await fakeGorouter();
  const g2 = await fakeGorouter();
  g1.body = { 'a.example.com': [web('10.0.0.1:1')] };
  g2.body = { 'a.example.com': [web('10.0.0.9:1')], 'b.example.com': [web('10.0.0.2:1'), { address: 'bad' }] };
  const table = new RouteTable();
  const poller = new GorouterRoutesPoller({ urls: [g1.url, g2.url], user: 'router-status', pass: 's3cret', table, intervalMs: 60_000 });
  await poller.start();
  try {
    assert.deepEqual(
      table.lookupByRoute('a.example.com').map((i) => i.address),
      ['10.0.0.1:1'],
    );
    assert.deepEqual(
      table.lookupByRoute('b.example.com').map((i) => i.address),
      ['10.0.0.2:1'],
    );
    assert.equal(table.metrics.messagesInvalid.bad_address, 1);
    g2.server.close();
    await poller.pollNow();
    assert.ok(poller.lastError !== undefined);
    assert.equal(table.lookupByRoute('b.example.com').length, 1);
  } finally {
    await poller.stop();
  }
});

test('a bad URL is refused up front', () => {
  const table = new RouteTable();
  assert.throws(() => new GorouterRoutesPoller({ urls: ['ftp://x'], table }), { code: 'ROUTES_GOROUTER_URL' });
  assert.throws(() => new GorouterRoutesPoller({ urls: ['not a url'], table }), { code: 'ROUTES_GOROUTER_URL' });
  assert.throws(() => new GorouterRoutesPoller({ urls: [], table }), { code: 'ROUTES_GOROUTER_URL' });
});
