import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFramer, HttpProtocolError, headEnd, parseResponseHead, type ResponseHead } from './framing.js';

function head(over: Partial<ResponseHead> = {}): ResponseHead {
  return {
    status: 200,
    contentType: null,
    contentEncoding: null,
    contentLength: -1,
    chunked: false,
    keepAlive: true,
    location: null,
    wwwAuthenticate: null,
    ...over,
  };
}

/** Feeds `wire` to a framer split at `cuts`; returns the body, the bytes consumed and done. */
function frame(h: ResponseHead, wire: string, cuts: number[]): { body: string; used: number; done: boolean } {
  const buf = Buffer.from(wire, 'latin1');
  let body = '';
  const f = new BodyFramer(h, (b, s, e) => {
    body += b.toString('latin1', s, e);
  });
  let used = 0;
  let at = 0;
  for (const cut of [...cuts, buf.length]) {
    // Each piece is its own buffer, as separate socket reads are.
    const piece = Buffer.from(buf.subarray(at, cut));
    used += f.push(piece, 0, piece.length);
    at = cut;
  }
  return { body, used, done: f.done };
}

test('chunked bodies decode identically at every split point, extensions and trailers included', () => {
  const wire = '5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\nNEXT';
  const bodyEnd = wire.length - 4;
  for (let i = 0; i <= wire.length; i++) {
    for (const j of [i, Math.min(wire.length, i + 3)]) {
      const r = frame(head({ chunked: true }), wire, i === j ? [i] : [i, j]);
      assert.equal(r.body, 'helloabcdefghijklmnopqrstuvwxyz', `split at ${i},${j}`);
      assert.equal(r.done, true);
      assert.equal(r.used, bodyEnd, 'the bytes after the last chunk belong to the next response');
    }
  }
});

test('chunked: bare LF line ends are accepted, malformed sizes and missing CRLF are errors', () => {
  assert.equal(frame(head({ chunked: true }), '3\nabc\n0\n\n', []).body, 'abc');
  assert.throws(() => frame(head({ chunked: true }), 'zz\r\n', []), HttpProtocolError);
  assert.throws(() => frame(head({ chunked: true }), '3\r\nabcX\r\n', []), /missing CRLF after chunk data/);
  assert.throws(() => frame(head({ chunked: true }), 'fffffffffffff\r\n', []), /chunk size too large/);
});

test('content-length bodies stop at the length; no length reads until close', () => {
  const r = frame(head({ contentLength: 5 }), 'helloHTTP/1.1', [2]);
  assert.deepEqual(r, { body: 'hello', used: 5, done: true });
  assert.equal(new BodyFramer(head({ contentLength: 0 }), () => undefined).done, true);
  const open = frame(head(), 'all of it', [3]);
  assert.deepEqual(open, { body: 'all of it', used: 9, done: false });
});

test('response heads: status, the headers a scrape needs, keep-alive rules, framing conflicts', () => {
  const h = parseResponseHead(
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Encoding: GZIP\r\nContent-Length: 12\r\n\r\n',
  );
  assert.deepEqual(h, head({ contentType: 'text/plain; version=0.0.4', contentEncoding: 'gzip', contentLength: 12 }));
  const auth = parseResponseHead('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="app"\r\ncontent-length: 0\r\n\r\n');
  assert.equal(auth.wwwAuthenticate, 'Basic realm="app"');
  assert.equal(parseResponseHead('HTTP/1.1 302 Found\r\nLocation: /next?x=1\r\ncontent-length: 0\r\n\r\n').location, '/next?x=1');
  assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\nconnection: Close\r\ncontent-length: 1\r\n\r\n').keepAlive, false);
  assert.equal(parseResponseHead('HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\n').keepAlive, false);
  assert.equal(parseResponseHead('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 1\r\n\r\n').keepAlive, true);
  assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\n\r\n').keepAlive, false, 'no length: read until close');
  const empty = parseResponseHead('HTTP/1.1 204 No Content\r\n\r\n');
  assert.deepEqual([empty.contentLength, empty.keepAlive], [0, true], '204: no body, connection kept');
  const both = parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n');
  assert.equal(both.chunked, true);
  assert.equal(both.contentLength, -1);
  assert.equal(both.keepAlive, false);
  assert.equal(parseResponseHead('HTTP/1.1 503 Service Unavailable\nContent-Length: 0\n\n').status, 503);
  assert.throws(() => parseResponseHead('SSH-2.0-OpenSSH\r\n\r\n'), /malformed HTTP status line "SSH-2.0-OpenSSH"/);
  assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'), /conflicting/);
  assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), /invalid Content-Length/);
  assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'), /unsupported Transfer-Encoding/);
  assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'), /malformed HTTP header line/);
});

test('headEnd finds the blank line with CRLF or bare LF, or reports none', () => {
  const b = Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody');
  assert.equal(headEnd(b, 0, b.length), b.length - 4);
  const lf = Buffer.from('HTTP/1.1 200 OK\nA: b\n\nbody');
  assert.equal(headEnd(lf, 0, lf.length), lf.length - 4);
  assert.equal(headEnd(b, 0, 20), -1);
});
