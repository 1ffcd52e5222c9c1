import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { createGunzip, type Gunzip } from 'node:zlib';
import { buildConnector, Client, type Dispatcher } from 'undici';
import type { ScrapeJobConfig } from '../config/types.js';
import { SCRAPE_ACCEPT } from '../exposition/index.js';
import { version } from '../version.js';
import { ScrapeError, toScrapeError } from './errors.js';

export interface ScrapeResponse {
  contentType: string | null;
  /** Decoded bytes (after gzip). */
  bytes: number;
}

/** Where decoded body chunks go; throwing aborts the request (e.g. over sample_limit). */
export type ChunkHandler = (chunk: Buffer) => void;
/** Called once the status is 200, with the Content-Type; returns where the body goes. */
export type BodyHandler = (contentType: string | null) => ChunkHandler;

const USER_AGENT = `cf-prom/${version}`;

/**
 * One target's HTTP client: a keep-alive connection reused across scrapes, the headers
 * Prometheus sends, gzip decoded with `body_size_limit` applied to the decoded size, and a
 * deadline for the whole request. Transport errors come back as `ScrapeError` with a reason.
 */
export class HttpScraper {
  private readonly client: Client;
  private readonly origin: string;
  private readonly path: string;
  private connector: Promise<buildConnector.connector> | null = null;

  constructor(
    url: string,
    private readonly job: ScrapeJobConfig,
    keepAliveMs: number,
  ) {
    const u = new URL(url);
    this.origin = u.origin;
    this.path = `${u.pathname}${u.search}`;
    this.client = new Client(this.origin, {
      // Idle time allowed must outlast the gap between two scrapes, or every scrape reconnects
      // (an idle timeout equal to the interval closed the socket just before each scrape:
      // ~1 ms of CPU per scrape on TCP setup). The target's own Keep-Alive hint still applies.
      keepAliveTimeout: 2 * keepAliveMs + 5000,
      keepAliveMaxTimeout: 2 * keepAliveMs + 5000,
      pipelining: 1,
      connect: (opts, cb) => {
        this.getConnector().then(
          (connect) => connect(opts, cb),
          (err: Error) => cb(err, null),
        );
      },
    });
  }

  /** TLS material is read once and kept (a reload with new files builds a new scraper). */
  private getConnector(): Promise<buildConnector.connector> {
    if (this.connector === null) {
      const t = this.job.tls;
      this.connector = (async () => {
        const o: ConnectionOptions = { rejectUnauthorized: !t.insecureSkipVerify, minVersion: t.minVersion ?? 'TLSv1.2' };
        if (t.caFile) o.ca = await readFile(t.caFile);
        if (t.certFile) o.cert = await readFile(t.certFile);
        if (t.keyFile) o.key = await readFile(t.keyFile);
        if (t.serverName) o.servername = t.serverName;
        return buildConnector({ ...(o as buildConnector.BuildOptions), timeout: 10_000 });
      })();
      this.connector.catch(() => {
        this.connector = null; // read the files again on the next scrape
      });
    }
    return this.connector;
  }

  private staticHeaders: Record<string, string> | null = null;
  private staticFor = -1;

  /** Request headers; built once per timeout value unless a password/credentials file is read. */
  private async headers(timeoutMs: number): Promise<Record<string, string>> {
    const job = this.job;
    const fromFile = job.basicAuth?.passwordFile ?? job.authorization?.credentialsFile ?? null;
    if (this.staticHeaders !== null && this.staticFor === timeoutMs && fromFile === null) return this.staticHeaders;
    const h: Record<string, string> = {
      accept: SCRAPE_ACCEPT,
      'accept-encoding': 'gzip',
      'user-agent': USER_AGENT,
      'x-prometheus-scrape-timeout-seconds': (timeoutMs / 1000).toFixed(6).replace(/\.?0+$/, ''),
    };
    if (job.basicAuth) {
      const pw = job.basicAuth.passwordFile ? (await readFile(job.basicAuth.passwordFile, 'utf8')).trim() : (job.basicAuth.password ?? '');
      h.authorization = `Basic ${Buffer.from(`${job.basicAuth.username}:${pw}`).toString('base64')}`;
    } else if (job.authorization) {
      const cred = job.authorization.credentialsFile
        ? (await readFile(job.authorization.credentialsFile, 'utf8')).trim()
        : (job.authorization.credentials ?? '');
      h.authorization = `${job.authorization.type} ${cred}`;
    }
    // CF per-job files replace the request headers; Prometheus-style `headers` add to them.
    for (const [k, v] of Object.entries(job.headers)) h[k.toLowerCase()] = v;
    this.staticHeaders = h;
    this.staticFor = timeoutMs;
    return h;
  }

  /**
   * One GET. Uses undici's dispatch API with a handler (no body stream objects): chunks go
   * straight from the socket (through gunzip when encoded) to the handler `onBody` returned.
   */
  async scrape(timeoutMs: number, onBody: BodyHandler): Promise<ScrapeResponse> {
    const headers = await this.headers(timeoutMs);
    const limit = this.job.bodySizeLimitBytes;
    return new Promise<ScrapeResponse>((resolve, reject) => {
      let settled = false;
      let controller: Dispatcher.DispatchController | null = null;
      let gunzip: Gunzip | null = null;
      let onChunk: ChunkHandler | null = null;
      let status = 0;
      let snippet = '';
      let contentType: string | null = null;
      let bytes = 0;
      const finish = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === null) {
          resolve({ contentType, bytes });
          return;
        }
        const e = toScrapeError(err);
        if (controller !== null && !controller.aborted) controller.abort(e);
        gunzip?.destroy();
        reject(e);
      };
      const timer = setTimeout(() => finish(new ScrapeError('timeout', `timeout: no complete response within ${timeoutMs} ms`)), timeoutMs);
      const deliver = (chunk: Buffer): void => {
        if (settled) return;
        bytes += chunk.length;
        if (limit > 0 && bytes > limit) {
          finish(
            new ScrapeError(
              'body_too_large',
              `body exceeds body_size_limit=${limit} bytes${gunzip ? ' (after gzip decoding)' : ''}; raise body_size_limit or reduce the target's series`,
            ),
          );
          return;
        }
        try {
          (onChunk as ChunkHandler)(chunk);
        } catch (err) {
          finish(err);
        }
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (c) => {
          controller = c;
        },
        onResponseStart: (_c, statusCode, h) => {
          status = statusCode;
          const ct = h['content-type'];
          contentType = (Array.isArray(ct) ? ct[0] : ct) ?? null;
          if (status !== 200) return;
          onChunk = onBody(contentType);
          const ce = h['content-encoding'];
          if (String(Array.isArray(ce) ? ce[0] : (ce ?? '')).toLowerCase() === 'gzip') {
            const gz = createGunzip();
            gunzip = gz;
            gz.on('data', deliver);
            gz.on('error', (err) => finish(err));
            gz.on('end', () => finish(null));
          }
        },
        onResponseData: (_c, chunk) => {
          if (settled) return;
          if (status !== 200) {
            if (snippet.length < 200) snippet += chunk.toString('utf8');
            return;
          }
          if (gunzip !== null) gunzip.write(chunk);
          else deliver(chunk);
        },
        onResponseEnd: () => {
          if (status !== 200) {
            finish(new ScrapeError('http_status', `unexpected status code ${status}${snippet ? `: ${snippet.slice(0, 200).trim()}` : ''}`));
            return;
          }
          if (gunzip !== null) gunzip.end();
          else finish(null);
        },
        onResponseError: (_c, err) => finish(err),
      };
      try {
        this.client.dispatch({ origin: this.origin, path: this.path, method: 'GET', headers }, handler);
      } catch (err) {
        finish(err);
      }
    });
  }

  /** The loop awaits its in-flight scrape before this; destroy() also ends a pending reconnect. */
  close(): Promise<void> {
    return this.client.destroy().catch(() => undefined);
  }
}
