import assert from 'node:assert/strict';
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { type AddressInfo, type Server as NetServer, connect as netConnect, createServer as netServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createTestPki, type TestPki } from '../testing/certs.js';
import { countBatchEntries, frameBatchEntry } from './batch-entries.js';
import { BATCH_SENDER_PATH, type BatchStream, GRPC_PREFIX_BYTES, type IngressTransport } from './client.js';
import { LoggregatorGrpcStatusError } from './errors.js';
import { createH2IngressTransport, type H2TransportOptions } from './h2-transport.js';
import { createLoggregatorSink } from './sink.js';
import { type FakeAgent, startFakeAgent } from './testing/fake-agent.js';

let pki: TestPki;
let server: { cert: string; key: string };
let client: { cert: string; key: string; certFile: string; keyFile: string };
const cleanups: (() => void)[] = [];

before(() => {
  pki = createTestPki('h2 transport CA');
  server = pki.issue('metron', { sans: ['metron'] });
  client = pki.issue('prom-scraper');
});
after(() => {
  for (const c of cleanups) c();
});

function transportTo(port: number, extra: Partial<H2TransportOptions> = {}): IngressTransport {
  const t = createH2IngressTransport({
    address: `127.0.0.1:${port}`,
    secureContext: createSecureContext({ ca: pki.ca.cert, cert: client.cert, key: client.key, minVersion: 'TLSv1.2' }),
    serverName: 'metron',
    keepaliveTimeMs: 30_000,
    keepaliveTimeoutMs: 10_000,
    ...extra,
  });
  cleanups.push(() => t.close());
  return t;
}

async function agent(): Promise<FakeAgent> {
  const a = await startFakeAgent({ ca: pki.ca.cert, cert: server.cert, key: server.key });
  cleanups.push(() => a.kill());
  return a;
}

/** An Envelope with only `source_id` set. */
const envelope = (sourceId: string): Buffer => Buffer.concat([Buffer.from([0x12, sourceId.length]), Buffer.from(sourceId)]);

/** One gRPC message holding a batch of `n` envelopes with source ids `first`, `first + 1`, …. */
function message(first: number, n: number): Buffer {
  const entries = Buffer.concat(Array.from({ length: n }, (_, i) => frameBatchEntry(envelope(String(first + i)))));
  const prefix = Buffer.alloc(GRPC_PREFIX_BYTES);
  prefix.writeUInt32BE(entries.length, 1);
  return Buffer.concat([prefix, entries]);
}

function open(t: IngressTransport): { stream: BatchStream; ended: Promise<Error | null> } {
  let stream: BatchStream | null = null;
  const ended = new Promise<Error | null>((resolve) => {
    stream = t.openBatchStream(resolve);
  });
  return { stream: stream as unknown as BatchStream, ended };
}

const write = (s: BatchStream, m: Buffer): Promise<Error | null> => new Promise((resolve) => s.write(m, resolve));

/** A bare mutual-TLS `node:http2` server (64 KiB default windows) for what grpc-js cannot do. */
async function h2Server(onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void): Promise<number> {
  const s = http2.createSecureServer({ ca: pki.ca.cert, cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: true });
  s.on('stream', onStream);
  const sessions: http2.ServerHttp2Session[] = [];
  s.on('session', (sess) => sessions.push(sess));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    s.close();
    for (const sess of sessions) sess.destroy();
  });
  return (s.address() as AddressInfo).port;
}

const okAnswer = (stream: ServerHttp2Stream): void => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(Buffer.alloc(GRPC_PREFIX_BYTES));
};

test('messages written in one tick go out together and arrive as separate batches, in order; a clean end is null', async () => {
  const a = await agent();
  const t = transportTo(a.port);
  await t.ready(Date.now() + 2000);
  const { stream, ended } = open(t);
  const done = Array.from({ length: 10 }, (_, k) => write(stream, message(k * 10, 10)));
  assert.deepEqual(await Promise.all(done), Array(10).fill(null));
  await a.waitFor(100);
  assert.equal(a.batches.length, 10);
  assert.deepEqual(
    a.batches.map((b) => countBatchEntries(b)),
    Array(10).fill(10),
  );
  assert.deepEqual(
    a.envelopes.map((e) => e.sourceId),
    Array.from({ length: 100 }, (_, i) => String(i)),
  );
  stream.end();
  assert.equal(await ended, null);
  t.close();
});

test('request headers: :authority, SNI and the certificate name are serverName whatever address is dialled', async () => {
  const seen: { headers: IncomingHttpHeaders; sni: string | false | null | undefined }[] = [];
  const port = await h2Server((stream, headers) => {
    seen.push({ headers, sni: (stream.session?.socket as TLSSocket | undefined)?.servername });
    stream.resume();
    stream.on('end', () => okAnswer(stream));
  });
  const t = transportTo(port);
  await t.ready(Date.now() + 2000);
  const { stream, ended } = open(t);
  assert.equal(await write(stream, message(0, 1)), null);
  stream.end();
  assert.equal(await ended, null);
  assert.equal(seen.length, 1);
  const s = seen[0] as (typeof seen)[number];
  assert.equal(s.sni, 'metron');
  assert.equal(s.headers[':authority'], 'metron');
  assert.equal(s.headers[':path'], BATCH_SENDER_PATH);
  assert.equal(s.headers[':method'], 'POST');
  assert.equal(s.headers['content-type'], 'application/grpc');
  assert.equal(s.headers.te, 'trailers');
  assert.match(String(s.headers['user-agent']), /^cf-prom\//);

  // An agent certificate for another name is refused, even from the trusted CA.
  const impostor = pki.issue('not-metron', { sans: ['not-metron', '127.0.0.1'] });
  const other = http2.createSecureServer({ ca: pki.ca.cert, cert: impostor.cert, key: impostor.key, requestCert: true });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  cleanups.push(() => other.close());
  await assert.rejects(transportTo((other.address() as AddressInfo).port).ready(Date.now() + 2000), /metron/);
});

test('a non-zero grpc-status surfaces as an error with grpc-message, trailers-only answers too', async () => {
  const s = new grpc.Server();
  s.addService(
    {
      BatchSender: {
        path: BATCH_SENDER_PATH,
        requestStream: true,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    },
    {
      BatchSender: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        call.once('data', () => cb({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'ingress buffer full: 100% used' }));
        call.on('error', () => {});
      },
    },
  );
  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(pki.ca.cert),
    [{ cert_chain: Buffer.from(server.cert), private_key: Buffer.from(server.key) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) => s.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
  cleanups.push(() => s.forceShutdown());
  const t = transportTo(port);
  await t.ready(Date.now() + 2000);
  const { stream, ended } = open(t);
  stream.write(message(0, 3), () => {});
  const err = await ended;
  assert.ok(err instanceof LoggregatorGrpcStatusError, String(err));
  assert.equal(err.grpcStatus, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(err.grpcMessage, 'ingress buffer full: 100% used');

  // A server without the Ingress service answers UNIMPLEMENTED in the headers alone.
  const bare = new grpc.Server();
  const barePort = await new Promise<number>((resolve, reject) =>
    bare.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))),
  );
  cleanups.push(() => bare.forceShutdown());
  const t2 = transportTo(barePort);
  await t2.ready(Date.now() + 2000);
  const second = open(t2);
  second.stream.write(message(0, 1), () => {});
  const err2 = await second.ended;
  assert.ok(err2 instanceof LoggregatorGrpcStatusError, String(err2));
  assert.equal(err2.grpcStatus, grpc.status.UNIMPLEMENTED);
});

/** A TCP relay to `port` on 127.0.0.1 whose current connections can be frozen (bytes held, not passed). */
async function relay(port: number): Promise<{ port: number; freeze(): void }> {
  const pairs: [Socket, Socket][] = [];
  const s: NetServer = netServer((c) => {
    const u = netConnect(port, '127.0.0.1');
    c.pipe(u);
    u.pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
    pairs.push([c, u]);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    s.close();
    for (const [c, u] of pairs) {
      c.destroy();
      u.destroy();
    }
  });
  return {
    port: (s.address() as AddressInfo).port,
    freeze() {
      for (const [c, u] of pairs.splice(0)) {
        c.unpipe(u);
        u.unpipe(c);
        c.pause();
        u.pause();
        cleanups.push(() => {
          c.destroy();
          u.destroy();
        });
      }
    },
  };
}

test('an agent that stops answering pings is detected; the next ready() connects afresh', async () => {
  const a = await agent();
  const r = await relay(a.port);
  const t = transportTo(r.port, { keepaliveTimeMs: 100, keepaliveTimeoutMs: 500 });
  await t.ready(Date.now() + 2000);
  const first = open(t);
  assert.equal(await write(first.stream, message(0, 5)), null);
  await a.waitFor(5);
  r.freeze();
  const t0 = Date.now();
  const err = await first.ended;
  assert.match(String(err?.message), /keepalive ping not answered within 500 ms/);
  assert.ok(Date.now() - t0 < 3000, `detected after ${Date.now() - t0} ms`);
  await t.ready(Date.now() + 2000);
  const second = open(t);
  assert.equal(await write(second.stream, message(5, 5)), null);
  await a.waitFor(10);
  second.stream.end();
  assert.equal(await second.ended, null);
});

test('an agent that reads slowly holds the sender back: bounded in flight, oldest dropped, the rest arrives', async () => {
  let paused: ServerHttp2Stream | null = null;
  let envelopes = 0;
  let pending = Buffer.alloc(0);
  const port = await h2Server((stream) => {
    paused = stream;
    stream.pause();
    stream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= GRPC_PREFIX_BYTES && pending.length >= GRPC_PREFIX_BYTES + pending.readUInt32BE(1)) {
        const end = GRPC_PREFIX_BYTES + pending.readUInt32BE(1);
        envelopes += countBatchEntries(pending.subarray(GRPC_PREFIX_BYTES, end));
        pending = pending.subarray(end);
      }
    });
    stream.on('end', () => okAnswer(stream));
  });
  const sink = createLoggregatorSink({
    defaultSourceId: 'd',
    address: `127.0.0.1:${port}`,
    tls: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
    queueCapacity: 2000,
    batchMaxEnvelopes: 100,
    maxInFlightBatches: 4,
    flushIntervalMs: 10,
  });
  const target = { job: 'j', sourceId: 's', instanceId: '0', url: 'http://127.0.0.1/m', labels: [] };
  const preps = Array.from({ length: 500 }, (_, i) =>
    sink.prepare(target, { type: 'gauge', family: 'g', name: 'g', labels: ['padding', 'x'.repeat(200), 'i', String(i)] }),
  );
  for (let k = 0; k < 40; k++) {
    const app = sink.appender(target, 1);
    for (let i = 0; i < preps.length; i++) app.append(preps[i] as (typeof preps)[number], k * 1000 + i, 1);
    app.commit();
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 200));
  const m = sink.metrics;
  // ~300-byte envelopes: at most the 64 KiB window (~220 of them) has left; beyond the queue,
  // only the 4 batches in flight are held, whose write waits for the window.
  assert.ok(m.envelopesSent <= 300, `sent ${m.envelopesSent} to a paused reader`);
  assert.equal(m.queueLength, 2000);
  const held = 20_000 - m.envelopesSent - m.queueLength - m.envelopesDropped.queue_full;
  assert.ok(held >= 0 && held <= 4 * 100, `${held} envelopes held in flight`);
  assert.equal(m.envelopesDropped.send_error, 0);
  assert.ok(paused !== null);
  (paused as ServerHttp2Stream).resume();
  await sink.flush(Date.now() + 5000);
  await sink.stop(Date.now() + 3000);
  assert.equal(envelopes, m.envelopesSent);
  assert.equal(m.envelopesSent + m.envelopesDropped.queue_full, 20_000);
});

test('a client without a certificate is refused by the agent', async () => {
  const a = await agent();
  const t = createH2IngressTransport({
    address: `127.0.0.1:${a.port}`,
    secureContext: createSecureContext({ ca: pki.ca.cert }),
    serverName: 'metron',
    keepaliveTimeMs: 30_000,
    keepaliveTimeoutMs: 10_000,
  });
  cleanups.push(() => t.close());
  // TLS 1.3 lets the client finish its handshake before the server checks the client: the
  // refusal then ends the stream instead of the connect.
  let err: Error | null = null;
  try {
    await t.ready(Date.now() + 2000);
    const { stream, ended } = open(t);
    stream.write(message(0, 1), () => {});
    err = await ended;
  } catch (e) {
    err = e as Error;
  }
  assert.ok(err, 'refused');
  assert.equal(a.received, 0);
});

test('ready() rejects at its deadline when the agent accepts TCP but never answers TLS; the next attempt starts afresh', async () => {
  const held: Socket[] = [];
  const silent = netServer((c) => held.push(c));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    silent.close();
    for (const c of held) c.destroy();
  });
  const t = transportTo((silent.address() as AddressInfo).port);
  for (let attempt = 1; attempt <= 2; attempt++) {
    const t0 = Date.now();
    await assert.rejects(t.ready(t0 + 150), /not connected within the deadline/);
    const took = Date.now() - t0;
    assert.ok(took >= 140 && took < 1000, `rejected after ${took} ms`);
    assert.equal(held.length, attempt);
  }
});

test('an agent that does not negotiate h2 by ALPN is refused', async () => {
  for (const alpn of [['http/1.1'], undefined]) {
    const s = createTlsServer({ ca: pki.ca.cert, cert: server.cert, key: server.key, requestCert: true, ALPNProtocols: alpn }, (c) =>
      c.on('error', () => {}),
    );
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    cleanups.push(() => s.close());
    const t = transportTo((s.address() as AddressInfo).port);
    await assert.rejects(t.ready(Date.now() + 2000), /ALPN|application protocol/i);
    t.close();
  }
});
