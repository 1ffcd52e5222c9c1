import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { createGunzip } from 'node:zlib';
import { Client, buildConnector } from 'undici';
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
      keepAliveTimeout: Math.max(1000, keepAliveMs),
      keepAliveMaxTimeout: Math.max(1000, keepAliveMs),
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

  private async headers(timeoutMs: number): Promise<Record<string, string>> {
    const h: Record<string, string> = {
      accept: SCRAPE_ACCEPT,
      'accept-encoding': 'gzip',
      'user-agent': USER_AGENT,
      'x-prometheus-scrape-timeout-seconds': (timeoutMs / 1000).toFixed(6).replace(/\.?0+$/, ''),
    };
    const job = this.job;
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
    return h;
  }

  async scrape(timeoutMs: number, onBody: BodyHandler): Promise<ScrapeResponse> {
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Awaited<ReturnType<Client['request']>>;
    try {
      res = await this.client.request({ path: this.path, method: 'GET', headers: await this.headers(timeoutMs), signal });
    } catch (err) {
      throw toScrapeError(err);
    }
    const { statusCode, headers, body } = res;
    const header = (n: string): string | null => {
      const v = headers[n];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    };
    if (statusCode !== 200) {
      let snippet = '';
      try {
        for await (const c of body) {
          snippet += (c as Buffer).toString('utf8');
          if (snippet.length > 200) break;
        }
      } catch {
        // the status is what matters
      }
      body.destroy();
      throw new ScrapeError('http_status', `unexpected status code ${statusCode}${snippet ? `: ${snippet.slice(0, 200).trim()}` : ''}`);
    }
    const onChunk = onBody(header('content-type'));
    const limit = this.job.bodySizeLimitBytes;
    let bytes = 0;
    const gzip = (header('content-encoding') ?? '').toLowerCase() === 'gzip';
    const source = gzip ? body.pipe(createGunzip()) : body;
    try {
      for await (const chunk of source) {
        const b = chunk as Buffer;
        bytes += b.length;
        if (limit > 0 && bytes > limit) {
          throw new ScrapeError('body_too_large', `body exceeds body_size_limit=${limit} bytes${gzip ? ' (after gzip decoding)' : ''}; raise body_size_limit or reduce the target's series`);
        }
        onChunk(b);
      }
    } catch (err) {
      body.destroy();
      if (gzip) (source as ReturnType<typeof createGunzip>).destroy();
      if (signal.aborted) throw new ScrapeError('timeout', `timeout after ${timeoutMs} ms while reading the body`, { cause: err });
      throw toScrapeError(err);
    }
    return { contentType: header('content-type'), bytes };
  }

  /** The loop awaits its in-flight scrape before this; destroy() also ends a pending reconnect. */
  close(): Promise<void> {
    return this.client.destroy().catch(() => undefined);
  }
}
