import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type SecureContext, connect as tlsConnect } from 'node:tls';
import { version } from '../version.js';
import { BATCH_SENDER_PATH, type BatchStream, type IngressTransport } from './client.js';
import { LoggregatorConfigError, LoggregatorGrpcStatusError } from './errors.js';

export interface H2TransportOptions {
  /** `host:port` of the agent's v2 ingress, e.g. `127.0.0.1:3458` or `[::1]:3458`. */
  address: string;
  secureContext: SecureContext;
  /** Name the agent certificate must carry (`metron`), whatever address is dialled; also SNI and `:authority`. */
  serverName: string;
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
}

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new LoggregatorConfigError('address', `expected host:port, got "${address}"`);
  return { host, port };
}

/**
 * The one gRPC call the sink makes, `BatchSender`, over `node:http2` and mutual TLS: one HTTP/2
 * session (replaced when it dies), keepalive pings on it, and client streams whose messages are
 * written as given. Writes made in the same tick go out as one stream write (one `writev` of the
 * batch buffers, no copy), so the ~10 batches a large scrape commits cost one pass through HTTP/2
 * and TLS instead of ten.
 */
export function createH2IngressTransport(o: H2TransportOptions): IngressTransport {
  const { host, port } = splitAddress(o.address);
  const headers = {
    ':method': 'POST',
    ':scheme': 'https',
    ':path': BATCH_SENDER_PATH,
    ':authority': o.serverName,
    'content-type': 'application/grpc',
    te: 'trailers',
    'user-agent': `cf-prom/${version} (node:http2)`,
  };
  /** The current session once connected; null while none is usable. */
  let session: ClientHttp2Session | null = null;
  let dialing: Promise<ClientHttp2Session> | null = null;
  let closed = false;

  const usable = (s: ClientHttp2Session | null): s is ClientHttp2Session => s !== null && !s.closed && !s.destroyed;

  const dial = (deadline: number): Promise<ClientHttp2Session> =>
    new Promise((resolve, reject) => {
      let connected = false;
      let lastError: Error | null = null;
      const s = http2.connect(`https://${o.address}`, {
        createConnection: () =>
          tlsConnect({
            host,
            port,
            secureContext: o.secureContext,
            // SNI is for names only; the certificate is checked against serverName either way.
            servername: isIP(o.serverName) === 0 ? o.serverName : undefined,
            checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(o.serverName, cert),
            ALPNProtocols: ['h2'],
          }),
        settings: { enablePush: false },
      });
      const timer = setTimeout(
        () => s.destroy(new Error(`agent ${o.address}: not connected within the deadline`)),
        Math.max(0, deadline - Date.now()),
      );
      s.on('error', (err: Error) => {
        lastError = err;
      });
      s.once('connect', () => {
        clearTimeout(timer);
        if (s.alpnProtocol !== 'h2') {
          s.destroy(new Error(`agent ${o.address}: ALPN negotiated ${String(s.alpnProtocol)}, not h2`));
          return;
        }
        connected = true;
        keepalive(s);
        resolve(s);
      });
      s.once('close', () => {
        clearTimeout(timer);
        if (session === s) session = null;
        if (!connected) reject(lastError ?? new Error(`agent ${o.address}: connection closed before it was ready`));
      });
    });

  /** A ping every keepaliveTimeMs; no answer within keepaliveTimeoutMs destroys the session. */
  const keepalive = (s: ClientHttp2Session): void => {
    let waiting = false;
    const interval = setInterval(() => {
      if (waiting) return;
      waiting = true;
      const timeout = setTimeout(
        () => s.destroy(new Error(`agent ${o.address}: keepalive ping not answered within ${o.keepaliveTimeoutMs} ms`)),
        o.keepaliveTimeoutMs,
      );
      timeout.unref();
      const answered = (): void => {
        waiting = false;
        clearTimeout(timeout);
      };
      try {
        if (!s.ping(answered)) answered();
      } catch {
        answered(); // the session is being destroyed: 'close' clears the interval
      }
    }, o.keepaliveTimeMs);
    interval.unref();
    s.once('close', () => clearInterval(interval));
  };

  return {
    async ready(deadline) {
      if (closed) throw new Error('transport closed');
      if (usable(session)) return;
      if (dialing === null) {
        dialing = dial(deadline);
        dialing.then(
          (s) => {
            dialing = null;
            if (closed) s.close();
            else session = s;
          },
          () => {
            dialing = null;
          },
        );
      }
      await dialing;
    },
    openBatchStream(onEnd) {
      let req: ClientHttp2Stream;
      try {
        if (!usable(session)) throw new Error(`agent ${o.address}: no connection`);
        req = session.request(headers, { endStream: false });
      } catch (err) {
        process.nextTick(onEnd, err as Error);
        return { write: (_m, done) => process.nextTick(done, err as Error), end() {}, cancel() {} };
      }
      return new H2BatchStream(req, onEnd);
    },
    close() {
      closed = true;
      session?.close();
      session = null;
    },
  };
}

/** One BatchSender call: the writes, and the agent's answer read from headers and trailers. */
class H2BatchStream implements BatchStream {
  private corked = false;
  private httpStatus = 0;
  private grpcStatus: number | null = null;
  private grpcMessage = '';
  private error: Error | null = null;
  private ended = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.req.uncork();
  };

  constructor(
    private readonly req: ClientHttp2Stream,
    private readonly onEnd: (err: Error | null) => void,
  ) {
    req.on('response', (h: IncomingHttpHeaders) => {
      this.httpStatus = Number(h[':status']);
      // A trailers-only answer carries grpc-status in the headers.
      this.readStatus(h);
    });
    req.on('trailers', (h: IncomingHttpHeaders) => this.readStatus(h));
    // BatchSenderResponse is empty; reading keeps the stream flowing.
    req.on('data', () => {});
    req.on('error', (err: Error) => {
      this.error ??= err;
    });
    req.once('close', () => this.finish());
  }

  write(message: Buffer, done: (err: Error | null) => void): void {
    // Everything written in this tick leaves as one writev when the cork is lifted.
    if (!this.corked) {
      this.corked = true;
      this.req.cork();
      process.nextTick(this.uncork);
    }
    this.req.write(message, (err?: Error | null) => done(err ?? null));
  }

  end(): void {
    this.req.end();
  }

  cancel(): void {
    if (!this.req.destroyed) this.req.close(NGHTTP2_CANCEL);
  }

  private readStatus(h: IncomingHttpHeaders): void {
    const status = h['grpc-status'];
    if (typeof status !== 'string') return;
    this.grpcStatus = Number(status);
    const message = h['grpc-message'];
    if (typeof message === 'string') {
      try {
        this.grpcMessage = decodeURIComponent(message);
      } catch {
        this.grpcMessage = message;
      }
    }
    // The call is over once the status is in, even if our side is still open (an agent refusing
    // early need not reset the stream): stop writing.
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this.outcome());
    // Our side still open (the agent answered before CloseSend): reset it, as gRPC peers do.
    if (!this.req.closed && !this.req.writableEnded) this.req.close(NGHTTP2_NO_ERROR);
  }

  private outcome(): Error | null {
    if (this.grpcStatus === 0) return null;
    if (this.grpcStatus !== null) return new LoggregatorGrpcStatusError(this.grpcStatus, this.grpcMessage);
    if (this.error !== null) return this.error;
    if (this.httpStatus !== 0 && this.httpStatus !== 200)
      return new Error(`agent answered HTTP status ${this.httpStatus} without grpc-status`);
    const code = this.req.rstCode;
    if (code !== undefined && code !== NGHTTP2_NO_ERROR) return new Error(`BatchSender stream reset (HTTP/2 error code ${code})`);
    return new Error('BatchSender stream closed without grpc-status');
  }
}
