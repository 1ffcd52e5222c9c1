import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type FetchRequest, InstanceClient } from './instance-client.js';
import { type InstanceServer, startInstance } from './test-helpers.js';

const servers: InstanceServer[] = [];
after(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(body: string, delayMs = 0): Promise<InstanceServer> {
  const s = await startInstance({ body, delayMs });
  servers.push(s);
  return s;
}

function req(s: InstanceServer, timeoutMs = 2000): FetchRequest {
  return { origin: `http://${s.address}`, path: '/metrics', headers: { host: s.address, 'x-api-key': 'k' }, timeoutMs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('instance client: kept-alive connections are reused, and closed once idle past idle_conn_timeout', async () => {
  const s = await server('a 1\n');
  const c = new InstanceClient({ maxBodyBytes: 1 << 20, disableKeepAlives: false, idleConnTimeoutMs: 150 });
  for (let i = 0; i < 3; i++) {
    const o = await c.fetch(req(s));
    assert.equal(o.ok && Buffer.concat(o.body).toString(), 'a 1\n');
  }
  assert.equal(new Set(s.requests.map((r) => r.remotePort)).size, 1, 'one connection for requests in a row');
  assert.equal(s.requests[0]?.headers['x-api-key'], 'k');
  await sleep(400);
  assert.ok((await c.fetch(req(s))).ok);
  assert.equal(new Set(s.requests.map((r) => r.remotePort)).size, 2, 'a new connection after the idle timeout');
  await c.close();
});

test('instance client: a connection in use outlives the idle sweep and is reused after', async () => {
  const s = await server('d 4\n', 1300); // answers after the first sweep (every max(1 s, idle timeout))
  const c = new InstanceClient({ maxBodyBytes: 1 << 20, disableKeepAlives: false, idleConnTimeoutMs: 150 });
  assert.ok((await c.fetch(req(s))).ok);
  s.behaviour = { body: 'd 5\n' };
  assert.ok((await c.fetch(req(s))).ok);
  assert.equal(new Set(s.requests.map((r) => r.remotePort)).size, 1);
  await c.close();
});

test('instance client: disable_keep_alives sends Connection: close and connects for every request', async () => {
  const s = await server('b 2\n');
  const c = new InstanceClient({ maxBodyBytes: 1 << 20, disableKeepAlives: true });
  for (let i = 0; i < 3; i++) assert.ok((await c.fetch(req(s))).ok);
  assert.deepEqual(
    s.requests.map((r) => r.headers.connection),
    ['close', 'close', 'close'],
  );
  assert.equal(new Set(s.requests.map((r) => r.remotePort)).size, 3);
  await c.close();
});

test('instance client: a timeout and a shutdown fail the request with their reasons', async () => {
  const s = await server('c 3\n', 1000);
  const c = new InstanceClient({ maxBodyBytes: 1 << 20, disableKeepAlives: false });
  const slow = await c.fetch(req(s, 100));
  assert.equal(slow.ok ? 'ok' : slow.reason, 'timeout');
  const pending = c.fetch(req(s));
  await sleep(100);
  await c.destroy();
  const o = await pending;
  assert.equal(o.ok ? 'ok' : o.reason, 'connection');
});
