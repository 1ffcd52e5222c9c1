import { isIP } from 'node:net';
import { type ConnectionOptions, rootCertificates } from 'node:tls';
import { createGunzip, type Gunzip } from 'node:zlib';
import { formatFromContentType } from '../exposition/index.js';
import { Http1Client, type ResponseHandler } from '../http1/client.js';
import type { ResponseHead } from '../http1/framing.js';
import { copyInto } from './shared-buffer-pool.js';

/** The fixed set of short reasons a failed source reports in `promfetcher_scrape_error{error}`. */
export const FETCH_ERROR_REASONS = [
  'timeout',
  'connection',
  'tls',
  'redirect',
  'http_4xx',
  'http_5xx',
  'http_status',
  'decode',
  'too_large',
  'parse',
] as const;
export type FetchErrorReason = (typeof FETCH_ERROR_REASONS)[number];

/** One backend request: an app instance or an external exporter. */
export interface FetchRequest {
  /** `http://host:port` or `https://host:port`. */
  readonly origin: string;
  /** Path with optional query, already validated. */
  readonly path: string;
  /** Request headers (lower-case names), `host` included. */
  readonly headers: Record<string, string>;
  /** TLS verify name (SNI), e.g. the instance's `server_cert_domain_san`; undefined = from the URL. */
  readonly servername?: string;
  readonly timeoutMs: number;
}

export type FetchOutcome =
  | {
      readonly ok: true;
      /** The decoded (gunzipped) body as it arrived, in chunks, to be parsed by the caller. */
      readonly body: readonly Buffer[];
      readonly contentType: string | null;
      readonly bytes: number;
      readonly durationMs: number;
    }
  | {
      readonly ok: false;
      readonly reason: FetchErrorReason;
      /** For the log: what exactly went wrong. */
      readonly detail: string;
      readonly status?: number;
      /** The instance's `WWW-Authenticate` on a 401, passed back to the caller when every instance said so. */
      readonly wwwAuthenticate?: string;
      readonly durationMs: number;
    };

/**
 * Memory to read a body into that its consumer takes over without a copy (a render worker's input
 * slot, see `Renderer.bodyBuffers`): `take` a buffer of at least `size` bytes (null: none left),
 * `give` back one that will not be handed over (the fetch failed, or a bigger one replaced it).
 */
export interface BodyBuffers {
  take(size: number): Buffer | null;
  give(buf: Buffer): void;
}

export interface InstanceClientOptions {
  /** PEM CA certificates added to the system roots. */
  caCerts?: string;
  /** Client certificate and key (PEM) presented to TLS backends. */
  cert?: string;
  key?: string;
  skipSslValidation?: boolean;
  disableKeepAlives?: boolean;
  idleConnTimeoutMs?: number;
  maxBodyBytes: number;
}

class FetchFailure extends Error {
  constructor(
    readonly reason: FetchErrorReason,
    message: string,
  ) {
    super(message);
  }
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;

function classify(err: unknown, timedOut: boolean): { reason: FetchErrorReason; detail: string } {
  if (err instanceof FetchFailure) return { reason: err.reason, detail: err.message };
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const msg = e.message ?? String(err);
  if (timedOut) {
    return { reason: 'timeout', detail: msg };
  }
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(msg)) return { reason: 'tls', detail: `${code} ${msg}`.trim() };
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code.startsWith('ERR_ZLIB')) return { reason: 'decode', detail: msg };
  if ((e as { name?: string }).name === 'ExpositionError' || code.startsWith('EXPOSITION_')) return { reason: 'parse', detail: msg };
  return { reason: 'connection', detail: `${code} ${msg}`.trim() };
}

/** Idle keep-alive connections to one origin (and TLS name), most recently used last. */
class OriginPool {
  readonly idle: Http1Client[] = [];
  readonly idleSince: number[] = [];
  tlsOptions: Promise<ConnectionOptions> | null = null;
  /** The last body's length: the first buffer's size for the next one when its length is not announced. */
  lastBodyBytes = FIRST_BODY_BYTES;
  /** Requests in flight on it: a pool is forgotten only when it has none and no idle connection. */
  active = 0;
  constructor(
    readonly host: string,
    readonly port: number,
    readonly tls: boolean,
    readonly servername: string | undefined,
  ) {}
}

/** Bytes read per body before the buffer first grows, when the length is not announced. */
const FIRST_BODY_BYTES = 64 * 1024;

/**
 * Fetches metrics bodies from backends over our keep-alive HTTP/1.1 client (`http1/client.ts`:
 * socket reads land in one shared buffer and are copied once, into the body), one pool of idle
 * connections per origin and TLS name. Bodies are decoded (gzip) as they stream in, with a byte
 * limit; parsing is the caller's (see `Renderer`). Never throws: every failure is a `FetchOutcome`.
 */
export class InstanceClient {
  private readonly pools = new Map<string, OriginPool>();
  /** Connections with a request in flight (`destroy` fails them). */
  private readonly busy = new Set<Http1Client>();
  private readonly maxBodyBytes: number;
  private readonly keepAlive: boolean;
  private readonly idleMs: number;
  private readonly ca: string[] | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly opts: InstanceClientOptions) {
    this.maxBodyBytes = opts.maxBodyBytes;
    this.keepAlive = !opts.disableKeepAlives;
    this.idleMs = Math.max(1, opts.idleConnTimeoutMs ?? 30_000);
    this.ca = opts.caCerts ? [...rootCertificates, opts.caCerts] : undefined;
    this.sweeper = setInterval(() => this.sweep(performance.now()), Math.max(1000, this.idleMs));
    this.sweeper.unref();
  }

  /** A plain body (not gzipped) is read into `buffers` when given, and then handed over in them. */
  fetch(req: FetchRequest, buffers?: BodyBuffers): Promise<FetchOutcome> {
    const t0 = performance.now();
    const pool = this.poolFor(req);
    return new Promise<FetchOutcome>((resolve) => {
      let settled = false;
      let client: Http1Client | null = null;
      let gunzip: Gunzip | null = null;
      /** The body read so far (plain bodies), and whether it is one of `buffers`. */
      let body: Buffer | null = null;
      let lent = false;
      const newBody = (size: number): Buffer => {
        const b = buffers?.take(size) ?? null;
        lent = b !== null;
        return b ?? Buffer.allocUnsafeSlow(size);
      };
      const fail = (err: unknown, timedOut = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (lent) buffers?.give(body as Buffer);
        lent = false;
        body = null;
        if (client !== null) {
          this.busy.delete(client);
          pool.active--;
          client.close();
          client = null;
        }
        gunzip?.destroy();
        const c = classify(err, timedOut);
        resolve({ ok: false, reason: c.reason, detail: c.detail, durationMs: performance.now() - t0 });
      };
      const timer = setTimeout(
        () => fail(new FetchFailure('timeout', `no complete response within ${req.timeoutMs} ms`), true),
        req.timeoutMs,
      );

      const attempt = (path: string, hops: number): void => {
        const c = this.take(pool);
        client = c;
        let head: ResponseHead | null = null;
        let ok = false;
        let snippet = '';
        let length = 0;
        const chunks: Buffer[] = [];
        const keep = (chunk: Buffer): void => {
          if (settled) return;
          length += chunk.length;
          if (length > this.maxBodyBytes) fail(new FetchFailure('too_large', `body larger than max_body_bytes=${this.maxBodyBytes}`));
          else chunks.push(chunk);
        };
        const handler: ResponseHandler = {
          head: (h) => {
            head = h;
            ok = h.status >= 200 && h.status <= 299;
            if (!ok) return;
            formatFromContentType(h.contentType); // refuses protobuf before reading the body
            const encoding = h.contentEncoding ?? '';
            if (encoding === 'gzip' || encoding === 'x-gzip') {
              const gz = createGunzip();
              gunzip = gz;
              gz.on('data', keep);
              gz.on('error', (err) => fail(err));
            } else if (encoding !== '' && encoding !== 'identity') {
              throw new FetchFailure('decode', `unsupported Content-Encoding ${JSON.stringify(encoding)}`);
            } else if (h.contentLength > this.maxBodyBytes) {
              throw new FetchFailure('too_large', `body larger than max_body_bytes=${this.maxBodyBytes}`);
            } else body = newBody(h.contentLength >= 0 ? h.contentLength : pool.lastBodyBytes);
          },
          data: (buf, start, end) => {
            if (!ok) {
              if (snippet.length < 512) snippet += buf.toString('utf8', start, Math.min(end, start + 512));
              return;
            }
            // The read buffer is shared and reused: gzip input is queued, so it gets a copy.
            if (gunzip !== null) {
              gunzip.write(Buffer.from(buf.subarray(start, end)));
              return;
            }
            const n = end - start;
            if (length + n > this.maxBodyBytes) throw new FetchFailure('too_large', `body larger than max_body_bytes=${this.maxBodyBytes}`);
            if (body === null || length + n > body.length) {
              const prev = body;
              const wasLent = lent;
              body = newBody(Math.min(this.maxBodyBytes, Math.max(2 * (length + n), FIRST_BODY_BYTES)));
              if (prev !== null) {
                copyInto(body, prev.subarray(0, length), 0);
                if (wasLent) buffers?.give(prev);
              }
            }
            copyInto(body as Buffer, buf.subarray(start, end), length);
            length += n;
          },
        };
        let request: Buffer;
        try {
          request = this.requestBytes(req, path);
        } catch (err) {
          fail(err);
          return;
        }
        c.request(request, handler).then(
          (h) => {
            if (settled || client !== c) return;
            client = null;
            this.release(pool, c, h.keepAlive);
            const status = h.status;
            // The original follows redirects only to the same host (scheme, host and port unchanged).
            const next = sameOriginRedirect(req.origin, path, status, h.location ?? undefined);
            if (next !== null && hops < MAX_REDIRECTS) {
              attempt(next, hops + 1);
              return;
            }
            if (!ok) {
              settled = true;
              clearTimeout(timer);
              resolve(statusFailure(status, h.location, h.wwwAuthenticate, snippet, performance.now() - t0));
              return;
            }
            const contentType = (head as ResponseHead).contentType;
            const done = (): void => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              if (gunzip === null) pool.lastBodyBytes = Math.max(length, 1024);
              // A lent buffer is the caller's from here.
              const out = gunzip !== null ? chunks : body === null ? [] : [body.subarray(0, length)];
              resolve({ ok: true, body: out, contentType, bytes: length, durationMs: performance.now() - t0 });
            };
            if (gunzip === null) done();
            else {
              gunzip.on('end', done);
              gunzip.end();
            }
          },
          (err: unknown) => {
            if (client === c) fail(err);
          },
        );
      };
      attempt(req.path, 0);
    });
  }

  /** The request head; header values with line breaks are refused (they would split the request). */
  private requestBytes(req: FetchRequest, path: string): Buffer {
    let head = `GET ${path} HTTP/1.1\r\n`;
    for (const k in req.headers) {
      const v = req.headers[k] as string;
      if (!HEADER_NAME.test(k) || /[\r\n\0]/.test(v)) throw new FetchFailure('connection', `invalid request header ${JSON.stringify(k)}`);
      head += `${k}: ${v}\r\n`;
    }
    if (!this.keepAlive) head += 'connection: close\r\n';
    return Buffer.from(`${head}\r\n`, 'latin1');
  }

  private poolFor(req: FetchRequest): OriginPool {
    const key = req.servername === undefined ? req.origin : `${req.origin}\u0000${req.servername}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      const u = new URL(req.origin);
      const tls = u.protocol === 'https:';
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      const port = u.port === '' ? (tls ? 443 : 80) : Number(u.port);
      pool = new OriginPool(host, port, tls, req.servername ?? (isIP(host) === 0 ? host : undefined));
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** An idle connection to the origin, else a new one. */
  private take(pool: OriginPool): Http1Client {
    const now = performance.now();
    let c: Http1Client | undefined;
    while (c === undefined && pool.idle.length > 0) {
      c = pool.idle.pop();
      if (now - (pool.idleSince.pop() as number) > this.idleMs) {
        c?.close();
        c = undefined;
      }
    }
    c ??= new Http1Client({ host: pool.host, port: pool.port, tls: pool.tls ? () => this.tlsOptions(pool) : null });
    this.busy.add(c);
    pool.active++;
    return c;
  }

  private release(pool: OriginPool, c: Http1Client, reusable: boolean): void {
    this.busy.delete(c);
    pool.active--;
    if (!reusable || !this.keepAlive || this.closing) c.close();
    else {
      pool.idle.push(c);
      pool.idleSince.push(performance.now());
    }
  }

  private tlsOptions(pool: OriginPool): Promise<ConnectionOptions> {
    pool.tlsOptions ??= Promise.resolve({
      rejectUnauthorized: !this.opts.skipSslValidation,
      ...(this.ca ? { ca: this.ca } : {}),
      ...(this.opts.cert && this.opts.key ? { cert: this.opts.cert, key: this.opts.key } : {}),
      ...(pool.servername !== undefined ? { servername: pool.servername } : {}),
    });
    return pool.tlsOptions;
  }

  /** Closes connections idle for longer than the idle timeout. */
  private sweep(now: number): void {
    for (const [key, pool] of this.pools) {
      let keep = 0;
      for (let i = 0; i < pool.idle.length; i++) {
        if (now - (pool.idleSince[i] as number) > this.idleMs) (pool.idle[i] as Http1Client).close();
        else {
          pool.idle[keep] = pool.idle[i] as Http1Client;
          pool.idleSince[keep++] = pool.idleSince[i] as number;
        }
      }
      pool.idle.length = keep;
      pool.idleSince.length = keep;
      if (keep === 0 && pool.active === 0) this.pools.delete(key);
    }
  }

  /** Closes idle connections; requests in flight finish, then their connections close. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const pool of this.pools.values()) for (const c of pool.idle) c.close();
    this.pools.clear();
  }

  /** Closes at once, failing requests still open (after the shutdown grace period). */
  async destroy(): Promise<void> {
    await this.close();
    for (const c of [...this.busy]) c.abort(new FetchFailure('connection', 'promfetcher is shutting down'));
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The outcome of a non-2xx answer (after redirects the original would not follow). */
function statusFailure(
  status: number,
  location: string | null,
  wwwAuthenticate: string | null,
  text: string,
  durationMs: number,
): FetchOutcome {
  const reason: FetchErrorReason =
    status >= 300 && status < 400
      ? 'redirect'
      : status >= 400 && status < 500
        ? 'http_4xx'
        : status >= 500 && status < 600
          ? 'http_5xx'
          : 'http_status';
  const to = location !== null ? ` to ${location}` : '';
  return {
    ok: false,
    reason,
    status,
    detail:
      reason === 'redirect'
        ? `external redirect detected or too many redirect${to}: give metric_path parameter with direct endpoint to app metrics`
        : `unexpected status code ${status}: ${text.slice(0, 512).trim()}`,
    ...(wwwAuthenticate !== null ? { wwwAuthenticate } : {}),
    durationMs,
  };
}

const MAX_REDIRECTS = 5;

/** The path to follow for a 3xx whose Location stays on the same origin, else null. */
function sameOriginRedirect(origin: string, path: string, status: number, location: string | string[] | undefined): string | null {
  if (status < 300 || status > 399 || status === 304 || typeof location !== 'string') return null;
  let u: URL;
  try {
    u = new URL(location, `${origin}${path}`);
  } catch {
    return null;
  }
  return u.origin === new URL(origin).origin ? `${u.pathname}${u.search}` : null;
}
