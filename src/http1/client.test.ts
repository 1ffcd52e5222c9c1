import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { Http1Client, type ResponseHandler } from './client.js';
import type { ResponseHead } from './framing.js';

const servers: Server[] = [];
const openSockets = new Set<Socket>();
after(() => {
  for (const sock of openSockets) sock.destroy();
  return Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A raw TCP server: `onRequest` gets each complete request head and its connection's number. */
async function rawServer(onRequest: (sock: Socket, conn: number, req: string) => void): Promise<{ port: number; conns: () => number }> {
  let conns = 0;
  const s = createServer((sock) => {
    const n = ++conns;
    openSockets.add(sock);
    sock.on('close', () => openSockets.delete(sock));
    let pending = '';
    sock.on('data', (d) => {
      pending += d.toString('latin1');
      for (let i = pending.indexOf('\r\n\r\n'); i !== -1; i = pending.indexOf('\r\n\r\n')) {
        const req = pending.slice(0, i + 4);
        pending = pending.slice(i + 4);
        onRequest(sock, n, req);
      }
    });
    sock.on('error', () => undefined);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, conns: () => conns };
}

function collect(): { handler: ResponseHandler; body: () => string; heads: ResponseHead[] } {
  let body = '';
  const heads: ResponseHead[] = [];
  return {
    handler: {
      head: (h) => {
        heads.push(h);
      },
      data: (b, s, e) => {
        body += b.toString('latin1', s, e);
      },
    },
    body: () => body,
    heads,
  };
}

const REQ = Buffer.from('GET /metrics HTTP/1.1\r\nhost: t\r\n\r\n', 'latin1');
const tick = () => new Promise((r) => setTimeout(r, 10));

test('keep-alive: sequential requests share one connection; heads split across reads are joined', async () => {
  const srv = await rawServer((sock, conn) => {
    const body = `conn ${conn}`;
    sock.write('HTTP/1.1 200 OK\r\nContent-Ty');
    setTimeout(() => sock.write(`pe: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`), 15);
  });
  const client = new Http1Client({ host: '127.0.0.1', port: srv.port, tls: null });
  for (let i = 0; i < 3; i++) {
    const c = collect();
    const h = await client.request(REQ, c.handler);
    assert.equal(h.contentType, 'text/plain');
    assert.equal(c.body(), 'conn 1');
  }
  assert.equal(srv.conns(), 1);
  client.close();
});

test('a reused connection the server dropped before answering is retried once on a new one', async () => {
  let served = 0;
  const srv = await rawServer((sock, conn) => {
    // The first connection answers once, then drops the next request unanswered (an idle
    // timeout racing the scrape); later connections answer.
    if (conn === 1 && served++ > 0) {
      sock.destroy();
      return;
    }
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nc${conn}`);
  });
  const client = new Http1Client({ host: '127.0.0.1', port: srv.port, tls: null });
  const a = collect();
  await client.request(REQ, a.handler);
  const b = collect();
  await client.request(REQ, b.handler);
  assert.equal(a.body(), 'c1');
  assert.equal(b.body(), 'c2');
  client.close();
});

test('a fresh connection dropped mid-response is an error, not retried', async () => {
  const srv = await rawServer((sock) => {
    sock.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
  });
  const client = new Http1Client({ host: '127.0.0.1', port: srv.port, tls: null });
  const c = collect();
  await assert.rejects(client.request(REQ, c.handler), { code: 'ECONNRESET', message: /before the response ended/ });
  assert.equal(srv.conns(), 1);
  client.close();
});

test('Connection: close, interim 100 responses, chunked and read-until-close bodies', async () => {
  let n = 0;
  const srv = await rawServer((sock) => {
    n++;
    if (n === 1) sock.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\none');
    else if (n === 2) sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n');
    else sock.end('HTTP/1.0 200 OK\r\n\r\nthree, until close');
  });
  const client = new Http1Client({ host: '127.0.0.1', port: srv.port, tls: null });
  const bodies: string[] = [];
  for (let i = 0; i < 3; i++) {
    const c = collect();
    await client.request(REQ, c.handler);
    bodies.push(c.body());
    await tick();
  }
  assert.deepEqual(bodies, ['one', 'two', 'three, until close']);
  assert.equal(srv.conns(), 2, 'closed after the first; the chunked response kept the second open for the third');
  client.close();
});

test('refused connections, handler errors and aborts reject; the client recovers afterwards', async () => {
  const srv = await rawServer((sock) => {
    sock.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
  });
  const refused = new Http1Client({ host: '127.0.0.1', port: 1, tls: null });
  await assert.rejects(refused.request(REQ, collect().handler), { code: 'ECONNREFUSED' });
  const client = new Http1Client({ host: '127.0.0.1', port: srv.port, tls: null });
  const boom: ResponseHandler = {
    head: () => undefined,
    data: () => {
      throw new Error('over the sample limit');
    },
  };
  await assert.rejects(client.request(REQ, boom), /over the sample limit/);
  const c = collect();
  await client.request(REQ, c.handler);
  assert.equal(c.body(), 'body');
  const hang = await rawServer(() => undefined);
  const slow = new Http1Client({ host: '127.0.0.1', port: hang.port, tls: null });
  const p = slow.request(REQ, collect().handler);
  setTimeout(() => slow.abort(new Error('deadline')), 20);
  await assert.rejects(p, /deadline/);
  assert.equal(srv.conns(), 2, 'the failed exchange dropped its connection');
  client.close();
  slow.close();
});

test('a malformed response is a protocol error', async () => {
  const srv = await rawServer((sock) => {
    sock.write('garbage\r\n\r\n');
  });
  const client = new Http1Client({ host: '127.0.0.1', port: srv.port, tls: null });
  await assert.rejects(client.request(REQ, collect().handler), { code: 'HTTP_PROTOCOL', message: /malformed HTTP status line/ });
  client.close();
});
