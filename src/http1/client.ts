import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { BodyFramer, HttpProtocolError, headEnd, parseResponseHead, type ResponseHead } from './framing.js';

/**
 * Plain-TCP reads land in one process-wide buffer instead of a fresh Buffer per read: the read
 * callback runs synchronously and everything downstream either consumes the bytes at once or
 * copies what it keeps (the parser copies a split line, gzip input is copied). Per-read
 * allocations were a large share of a scrape's CPU (external memory drives V8's GC).
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const MAX_HEAD_BYTES = 64 * 1024;

export interface Http1Endpoint {
  host: string;
  port: number;
  /** TLS options (resolved: CA, cert and key as bytes), or null for plain TCP. */
  tls: (() => Promise<ConnectionOptions>) | null;
}

export interface ResponseHandler {
  /** The status line and headers; throwing aborts the request with that error. */
  head(head: ResponseHead): void;
  /** Body bytes, valid only during the call; throwing aborts the request. */
  data(buf: Buffer, start: number, end: number): void;
}

class ConnectionClosed extends Error {
  readonly code = 'ECONNRESET';
}

interface Exchange {
  handler: ResponseHandler;
  resolve: (head: ResponseHead) => void;
  reject: (err: unknown) => void;
  head: ResponseHead | null;
  headBytes: Buffer | null;
  framer: BodyFramer | null;
  /** Any response byte seen: a failure after that cannot be retried. */
  received: boolean;
  reused: boolean;
  request: Buffer;
  retried: boolean;
}

/**
 * A keep-alive HTTP/1.1 client for one target: one connection, one request at a time (a
 * scrape loop never overlaps itself), the response head parsed once and the body handed over
 * in place. A request on a reused connection that the server had closed meanwhile (no
 * response byte received) is retried once on a new connection, as Go's and undici's clients do
 * for idempotent requests.
 */
export class Http1Client {
  private socket: Socket | null = null;
  private exchange: Exchange | null = null;
  private closed = false;

  constructor(private readonly endpoint: Http1Endpoint) {}

  /** Sends `request` (complete request bytes) and resolves with the head once the body ended. */
  request(request: Buffer, handler: ResponseHandler): Promise<ResponseHead> {
    if (this.exchange !== null) return Promise.reject(new Error('Http1Client: a request is already in flight'));
    if (this.closed) return Promise.reject(new ConnectionClosed('client closed'));
    return new Promise<ResponseHead>((resolve, reject) => {
      const ex: Exchange = {
        handler,
        resolve,
        reject,
        head: null,
        headBytes: null,
        framer: null,
        received: false,
        reused: this.socket !== null,
        request,
        retried: false,
      };
      this.exchange = ex;
      this.send(ex);
    });
  }

  /** Ends the in-flight request with `err` (a deadline) and drops the connection. */
  abort(err: unknown): void {
    const ex = this.exchange;
    this.dropSocket();
    if (ex !== null) this.settle(ex, err);
  }

  close(): void {
    this.closed = true;
    this.abort(new ConnectionClosed('client closed'));
  }

  private send(ex: Exchange): void {
    if (this.socket === null) {
      ex.reused = false;
      this.open().then(
        (s) => {
          if (this.exchange !== ex) {
            s.destroy();
            return;
          }
          s.ref();
          s.write(ex.request);
        },
        (err: unknown) => {
          if (this.exchange === ex) this.settle(ex, err);
        },
      );
      return;
    }
    this.socket.ref();
    this.socket.write(ex.request);
  }

  private open(): Promise<Socket> {
    const { host, port, tls } = this.endpoint;
    const onData = (buf: Buffer, start: number, end: number): void => {
      if (this.socket === s) this.onRead(buf, start, end);
    };
    let s: Socket;
    const attach = (sock: Socket, ready: string): Promise<Socket> =>
      new Promise<Socket>((resolve, reject) => {
        s = sock;
        this.socket = sock;
        sock.setNoDelay(true);
        sock.on('error', (err) => this.onSocketEnd(sock, err));
        sock.on('close', () => this.onSocketEnd(sock, null));
        sock.once(ready, () => resolve(sock));
        sock.once('close', () => reject(new ConnectionClosed('connection closed while connecting')));
      });
    if (tls === null) {
      return attach(
        netConnect({
          host,
          port,
          onread: {
            buffer: READ_BUFFER,
            callback: (n: number, buf: Uint8Array) => {
              onData(buf as Buffer, 0, n);
              return true;
            },
          },
        }),
        'connect',
      );
    }
    return tls().then((opts) => {
      const sock = tlsConnect({ ...opts, host, port, ALPNProtocols: ['http/1.1'] });
      sock.on('data', (chunk: Buffer) => onData(chunk, 0, chunk.length));
      return attach(sock, 'secureConnect');
    });
  }

  private onRead(buf: Buffer, start: number, end: number): void {
    const ex = this.exchange;
    if (ex === null) {
      // Bytes nobody asked for: the connection cannot be trusted for the next request.
      this.dropSocket();
      return;
    }
    ex.received = true;
    try {
      let p = start;
      if (ex.framer === null) {
        p = this.readHead(ex, buf, start, end);
        if (ex.framer === null) return;
      }
      const framer = ex.framer as BodyFramer;
      const used = framer.push(buf, p, end);
      if (!framer.done) return;
      const head = ex.head as ResponseHead;
      if (!head.keepAlive || p + used < end) this.dropSocket();
      else this.socket?.unref();
      this.exchange = null;
      ex.resolve(head);
    } catch (err) {
      this.dropSocket();
      this.settle(ex, err);
    }
  }

  /** Collects the head (copied: the read buffer is reused); returns where the body starts. */
  private readHead(ex: Exchange, buf: Buffer, start: number, end: number): number {
    const prev = ex.headBytes;
    const bytes = prev === null ? buf : Buffer.concat([prev, buf.subarray(start, end)]);
    const from = prev === null ? start : 0;
    const limit = prev === null ? end : bytes.length;
    const he = headEnd(bytes, from, limit);
    if (he === -1) {
      if (limit - from > MAX_HEAD_BYTES) throw new HttpProtocolError(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      ex.headBytes = Buffer.from(bytes.subarray(from, limit));
      return end;
    }
    ex.headBytes = null;
    const head = parseResponseHead(bytes.toString('latin1', from, he));
    // Where the body starts within this read.
    const bodyAt = prev === null ? he : start + (he - prev.length);
    if (head.status >= 100 && head.status < 200) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      return bodyAt >= end ? end : this.readHead(ex, buf, bodyAt, end);
    }
    ex.head = head;
    const handler = ex.handler;
    ex.framer = new BodyFramer(head, (b, s, e) => handler.data(b, s, e));
    ex.handler.head(head);
    return bodyAt;
  }

  private onSocketEnd(sock: Socket, err: Error | null): void {
    if (this.socket !== sock) return;
    this.socket = null;
    sock.destroy();
    const ex = this.exchange;
    if (ex === null) return;
    if (ex.framer?.untilClose && err === null) {
      ex.framer.done = true;
      this.exchange = null;
      ex.resolve(ex.head as ResponseHead);
      return;
    }
    if (!ex.received && ex.reused && !ex.retried && !this.closed) {
      ex.retried = true;
      ex.reused = false;
      this.send(ex);
      return;
    }
    this.settle(
      ex,
      err ?? new ConnectionClosed(ex.received ? 'connection closed before the response ended' : 'connection closed before any response'),
    );
  }

  private settle(ex: Exchange, err: unknown): void {
    if (this.exchange === ex) this.exchange = null;
    ex.reject(err);
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }
}
