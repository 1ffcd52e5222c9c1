import { pipeline, type Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { createGunzip } from 'node:zlib';
import { Agent } from 'undici';
import { formatFromContentType } from '../exposition/index.js';

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
  connectTimeoutMs?: number;
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
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { reason: 'timeout', detail: msg };
  }
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(msg)) return { reason: 'tls', detail: `${code} ${msg}`.trim() };
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code.startsWith('ERR_ZLIB')) return { reason: 'decode', detail: msg };
  if ((e as { name?: string }).name === 'ExpositionError' || code.startsWith('EXPOSITION_')) return { reason: 'parse', detail: msg };
  return { reason: 'connection', detail: `${code} ${msg}`.trim() };
}

/**
 * Fetches metrics bodies from backends with one shared undici `Agent` (connection pools per
 * origin). Bodies are decoded (gzip) as they stream in, with a byte limit; parsing is the
 * caller's (see `Renderer`). Never throws: every failure is a `FetchOutcome`.
 */
export class InstanceClient {
  private readonly agent: Agent;
  private readonly maxBodyBytes: number;

  constructor(opts: InstanceClientOptions) {
    this.maxBodyBytes = opts.maxBodyBytes;
    const ca = opts.caCerts ? [...rootCertificates, opts.caCerts] : undefined;
    this.agent = new Agent({
      connect: {
        timeout: opts.connectTimeoutMs ?? 30_000,
        rejectUnauthorized: !opts.skipSslValidation,
        ...(ca ? { ca } : {}),
        ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}),
        ALPNProtocols: ['http/1.1'],
      },
      // pipelining 0 is undici's "no keep-alive" (the original's disable_keep_alives default).
      pipelining: opts.disableKeepAlives ? 0 : 1,
      keepAliveTimeout: Math.max(1, opts.idleConnTimeoutMs ?? 30_000),
      keepAliveMaxTimeout: Math.max(opts.idleConnTimeoutMs ?? 30_000, 1000),
    });
  }

  async fetch(req: FetchRequest): Promise<FetchOutcome> {
    const t0 = performance.now();
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new FetchFailure('timeout', `no complete response within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    try {
      let path = req.path;
      let res: Awaited<ReturnType<Agent['request']>>;
      for (let hops = 0; ; hops++) {
        res = await this.agent.request({
          origin: req.origin,
          path,
          method: 'GET',
          headers: req.headers,
          signal: ac.signal,
          ...(req.servername ? { servername: req.servername } : {}),
          headersTimeout: req.timeoutMs + 1000,
          bodyTimeout: req.timeoutMs + 1000,
        } as Parameters<Agent['request']>[0]);
        // The original follows redirects only to the same host (scheme, host and port unchanged).
        const next = sameOriginRedirect(req.origin, path, res.statusCode, res.headers.location);
        if (next === null || hops >= MAX_REDIRECTS) break;
        discard(res.body);
        path = next;
      }
      const status = res.statusCode;
      if (status < 200 || status > 299) {
        const text = await readSome(res.body, 512).catch(() => '');
        const reason: FetchErrorReason =
          status >= 300 && status < 400
            ? 'redirect'
            : status >= 400 && status < 500
              ? 'http_4xx'
              : status >= 500 && status < 600
                ? 'http_5xx'
                : 'http_status';
        const location = typeof res.headers.location === 'string' ? ` to ${res.headers.location}` : '';
        const www = res.headers['www-authenticate'];
        return {
          ok: false,
          reason,
          status,
          detail:
            reason === 'redirect'
              ? `external redirect detected or too many redirect${location}: give metric_path parameter with direct endpoint to app metrics`
              : `unexpected status code ${status}: ${text.trim()}`,
          ...(typeof www === 'string' ? { wwwAuthenticate: www } : {}),
          durationMs: performance.now() - t0,
        };
      }
      const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null;
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      try {
        formatFromContentType(contentType); // refuses protobuf before reading the body
      } catch (err) {
        discard(res.body);
        throw new FetchFailure('parse', (err as Error).message);
      }
      let source: Readable = res.body;
      if (encoding === 'gzip' || encoding === 'x-gzip') source = pipeline(res.body, createGunzip(), () => {});
      else if (encoding !== '' && encoding !== 'identity') {
        discard(res.body);
        throw new FetchFailure('decode', `unsupported Content-Encoding ${JSON.stringify(encoding)}`);
      }
      let bytes = 0;
      const chunks: Buffer[] = [];
      for await (const chunk of source) {
        bytes += (chunk as Buffer).length;
        if (bytes > this.maxBodyBytes) {
          discard(source);
          discard(res.body);
          throw new FetchFailure('too_large', `body larger than max_body_bytes=${this.maxBodyBytes}`);
        }
        chunks.push(chunk as Buffer);
      }
      return { ok: true, body: chunks, contentType, bytes, durationMs: performance.now() - t0 };
    } catch (err) {
      const c = classify(ac.signal.aborted && ac.signal.reason instanceof FetchFailure ? ac.signal.reason : err, timedOut);
      return { ok: false, reason: c.reason, detail: c.detail, durationMs: performance.now() - t0 };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => {});
  }

  /** Closes at once, failing requests still open (after the shutdown grace period). */
  async destroy(): Promise<void> {
    await this.agent.destroy().catch(() => {});
  }
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

/** Drops a response body without an unhandled 'error' event (undici emits one when destroyed early). */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

async function readSome(body: Readable, max: number): Promise<string> {
  let s = '';
  for await (const c of body) {
    s += (c as Buffer).toString('utf8');
    if (s.length >= max) {
      body.destroy();
      break;
    }
  }
  return s.slice(0, max);
}
