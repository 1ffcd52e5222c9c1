import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { ScrapeJobConfig } from '../config/types.js';
import { SCRAPE_ACCEPT } from '../exposition/index.js';
import { Http1Client, type ResponseHandler } from '../http1/client.js';
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
 * One target's HTTP client: a keep-alive connection reused across scrapes (our own HTTP/1.1
 * client, `http1/client.ts`: a scrape's fixed cost halved against undici), the headers
 * Prometheus sends, gzip decoded with `body_size_limit` applied to the decoded size, and a
 * deadline for the whole request. Transport errors come back as `ScrapeError` with a reason.
 */
export class HttpScraper {
  private readonly client: Http1Client;
  private readonly path: string;
  private readonly host: string;
  private tlsOptions: Promise<ConnectionOptions> | null = null;

  constructor(
    url: string,
    private readonly job: ScrapeJobConfig,
  ) {
    const u = new URL(url);
    const tls = u.protocol === 'https:';
    this.path = `${u.pathname}${u.search}`;
    this.host = u.host;
    const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.client = new Http1Client({
      host: hostname,
      port: u.port === '' ? (tls ? 443 : 80) : Number(u.port),
      tls: tls ? () => this.getTlsOptions(hostname) : null,
    });
  }

  /** TLS material is read once and kept (a reload with new files builds a new scraper). */
  private getTlsOptions(hostname: string): Promise<ConnectionOptions> {
    if (this.tlsOptions === null) {
      const t = this.job.tls;
      this.tlsOptions = (async () => {
        const o: ConnectionOptions = { rejectUnauthorized: !t.insecureSkipVerify, minVersion: t.minVersion ?? 'TLSv1.2' };
        if (t.caFile) o.ca = await readFile(t.caFile);
        if (t.certFile) o.cert = await readFile(t.certFile);
        if (t.keyFile) o.key = await readFile(t.keyFile);
        if (t.serverName) o.servername = t.serverName;
        else if (isIP(hostname) === 0) o.servername = hostname;
        return o;
      })();
      this.tlsOptions.catch(() => {
        this.tlsOptions = null; // read the files again on the next scrape
      });
    }
    return this.tlsOptions;
  }

  private staticRequest: Buffer | null = null;
  private staticFor = -1;

  /** The request bytes; built once per timeout value unless a password/credentials file is read. */
  private async request(timeoutMs: number): Promise<Buffer> {
    const job = this.job;
    const fromFile = job.basicAuth?.passwordFile ?? job.authorization?.credentialsFile ?? null;
    if (this.staticRequest !== null && this.staticFor === timeoutMs && fromFile === null) return this.staticRequest;
    const h = new Map<string, string>([
      ['host', this.host],
      ['accept', SCRAPE_ACCEPT],
      ['accept-encoding', 'gzip'],
      ['user-agent', USER_AGENT],
      ['x-prometheus-scrape-timeout-seconds', (timeoutMs / 1000).toFixed(6).replace(/\.?0+$/, '')],
    ]);
    if (job.basicAuth) {
      const pw = job.basicAuth.passwordFile ? (await readFile(job.basicAuth.passwordFile, 'utf8')).trim() : (job.basicAuth.password ?? '');
      h.set('authorization', `Basic ${Buffer.from(`${job.basicAuth.username}:${pw}`).toString('base64')}`);
    } else if (job.authorization) {
      const cred = job.authorization.credentialsFile
        ? (await readFile(job.authorization.credentialsFile, 'utf8')).trim()
        : (job.authorization.credentials ?? '');
      h.set('authorization', `${job.authorization.type} ${cred}`);
    }
    // CF per-job files replace the request headers; Prometheus-style `headers` add to them.
    for (const [k, v] of Object.entries(job.headers)) h.set(k.toLowerCase(), v);
    let head = `GET ${this.path} HTTP/1.1\r\n`;
    for (const [k, v] of h) {
      if (!HEADER_NAME.test(k)) throw new ScrapeError('other', `invalid request header name ${JSON.stringify(k)}`);
      if (/[\r\n\0]/.test(v)) throw new ScrapeError('other', `request header ${k} contains a line break or NUL`);
      head += `${k}: ${v}\r\n`;
    }
    const bytes = Buffer.from(`${head}\r\n`, 'latin1');
    this.staticRequest = bytes;
    this.staticFor = timeoutMs;
    return bytes;
  }

  /** One GET: body chunks go straight from the socket (through gunzip when encoded) to `onBody`'s handler. */
  async scrape(timeoutMs: number, onBody: BodyHandler): Promise<ScrapeResponse> {
    const request = await this.request(timeoutMs);
    const limit = this.job.bodySizeLimitBytes;
    const client = this.client;
    return new Promise<ScrapeResponse>((resolve, reject) => {
      let settled = false;
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
        client.abort(e);
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
      const handler: ResponseHandler = {
        head: (h) => {
          status = h.status;
          contentType = h.contentType;
          if (status !== 200) return;
          onChunk = onBody(contentType);
          if (h.contentEncoding === 'gzip' || h.contentEncoding === 'x-gzip') {
            const gz = createGunzip();
            gunzip = gz;
            gz.on('data', deliver);
            gz.on('error', (err) => finish(err));
            gz.on('end', () => finish(null));
          } else if (h.contentEncoding !== null && h.contentEncoding !== 'identity') {
            throw new ScrapeError(
              'invalid_body',
              `unsupported Content-Encoding ${JSON.stringify(h.contentEncoding)} (only gzip was offered)`,
            );
          }
        },
        data: (buf, start, end) => {
          if (settled) return;
          if (status !== 200) {
            if (snippet.length < 200) snippet += buf.toString('utf8', start, Math.min(end, start + 200));
            return;
          }
          // gzip input is queued by the stream, so it gets a copy; the read buffer is reused.
          if (gunzip !== null) gunzip.write(Buffer.from(buf.subarray(start, end)));
          else deliver(buf.subarray(start, end));
        },
      };
      client.request(request, handler).then(
        () => {
          if (status !== 200) {
            finish(new ScrapeError('http_status', `unexpected status code ${status}${snippet ? `: ${snippet.slice(0, 200).trim()}` : ''}`));
            return;
          }
          if (gunzip !== null) gunzip.end();
          else finish(null);
        },
        (err: unknown) => finish(err),
      );
    });
  }

  /** The loop awaits its in-flight scrape before this. */
  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
