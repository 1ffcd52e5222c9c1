import { request } from 'undici';
import { RouteEntryError, RouteSourceError } from './errors.js';
import { Latch } from './latch.js';
import { LogOnce } from './log-once.js';
import { countReason } from './metrics.js';
import type { RouteTable } from './route-table.js';
import { type ParsedRoutes, parseRoutesDocument } from './routes-json.js';
import type { EndpointInput } from './types.js';
import { type Logger, type RouteSource, silentLogger } from './types.js';

export interface GorouterRoutesPollerOptions {
  /**
   * Gorouter status URLs, e.g. `http://10.0.0.5:8080` (`/routes` is appended unless the path
   * already ends with it). Credentials may sit in the URL; `user`/`pass` apply to those without.
   */
  urls: string[];
  user?: string;
  pass?: string;
  table: RouteTable;
  /** Default 30000 (the original's period). */
  intervalMs?: number;
  /** Per-request timeout, default 30000. */
  timeoutMs?: number;
  logger?: Logger;
  now?: () => number;
}

interface Target {
  url: string;
  /** The URL without credentials, for messages. */
  display: string;
  authorization: string | undefined;
}

function toTarget(raw: string, user: string | undefined, pass: string | undefined): Target {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    throw new RouteSourceError('ROUTES_GOROUTER_URL', raw, `invalid gorouter URL "${raw}": expected http://host:port`, { cause: err });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new RouteSourceError('ROUTES_GOROUTER_URL', raw, `invalid gorouter URL "${raw}": scheme must be http or https`);
  }
  let name = decodeURIComponent(u.username);
  let pw = decodeURIComponent(u.password);
  if (name === '' && user !== undefined) {
    name = user;
    pw = pass ?? '';
  }
  u.username = '';
  u.password = '';
  if (!u.pathname.replace(/\/+$/, '').endsWith('/routes')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/routes`;
  const url = u.toString();
  return {
    url,
    display: url,
    authorization: name === '' ? undefined : `Basic ${Buffer.from(`${name}:${pw}`).toString('base64')}`,
  };
}

/**
 * Route table from gorouter's `/routes` (older deployments), polled with basic auth. Several
 * gorouters are merged first-wins per route key; if one fails, the whole refresh fails and the
 * previous table stays (as the original). Ready after the first good poll.
 */
export class GorouterRoutesPoller implements RouteSource {
  readonly kind = 'gorouter' as const;
  private readonly readyLatch = new Latch();
  readonly ready: Promise<void> = this.readyLatch.promise;
  readonly failed: Promise<Error>;
  /** The last poll error, cleared by a good poll. */
  lastError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> | undefined;
  private abort = new AbortController();
  private readonly targets: Target[];
  private readonly logger: Logger;
  private readonly once: LogOnce;
  private readonly now: () => number;

  constructor(private readonly opts: GorouterRoutesPollerOptions) {
    if (opts.urls.length === 0) throw new RouteSourceError('ROUTES_GOROUTER_URL', '', 'no gorouter URL given');
    this.targets = opts.urls.map((u) => toTarget(u, opts.user, opts.pass));
    this.logger = opts.logger ?? silentLogger;
    this.once = new LogOnce(this.logger);
    this.now = opts.now ?? Date.now;
    this.failed = new Promise(() => {});
  }

  isReady(): boolean {
    return this.readyLatch.done;
  }

  /** Polls once (resolving whether or not it worked; see `lastError`), then every interval. */
  async start(): Promise<void> {
    await this.pollNow();
    this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.inFlight;
  }

  /** One refresh now. Never rejects: failures are counted, logged and kept in `lastError`. */
  pollNow(): Promise<void> {
    if (this.inFlight === undefined) {
      this.inFlight = this.poll().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollNow().then(() => this.scheduleNext());
    }, this.opts.intervalMs ?? 30_000);
    this.timer.unref();
  }

  private async fetchOne(t: Target): Promise<ParsedRoutes> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (t.authorization !== undefined) headers.authorization = t.authorization;
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    let status: number;
    let text: string;
    try {
      const res = await request(t.url, { method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new RouteSourceError('ROUTES_GOROUTER_POLL', t.display, `GET ${t.display}: ${(err as Error).message}`, { cause: err });
    }
    if (status !== 200) {
      const hint = status === 401 ? ' (check the status user and password)' : '';
      throw new RouteSourceError(
        'ROUTES_GOROUTER_POLL',
        t.display,
        `GET ${t.display}: unexpected status ${status}${hint}: ${text.slice(0, 200)}`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new RouteSourceError('ROUTES_GOROUTER_POLL', t.display, `GET ${t.display}: body is not JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      return parseRoutesDocument(doc, t.display);
    } catch (err) {
      if (err instanceof RouteEntryError) throw new RouteSourceError('ROUTES_GOROUTER_POLL', t.display, err.message, { cause: err });
      throw err;
    }
  }

  private async poll(): Promise<void> {
    const m = this.opts.table.metrics;
    let results: ParsedRoutes[];
    try {
      results = await Promise.all(this.targets.map((t) => this.fetchOne(t)));
    } catch (err) {
      if (this.stopped) return;
      m.pollsFailed++;
      this.lastError = err as Error;
      this.logger.error({ err }, 'gorouter /routes poll failed; keeping the previous table');
      return;
    }
    if (this.stopped) return;
    const merged: { routeKey: string; endpoint: EndpointInput }[] = [];
    const taken = new Set<string>();
    for (const r of results) {
      const mine = new Set<string>();
      for (const e of r.entries) {
        if (taken.has(e.routeKey)) continue;
        mine.add(e.routeKey);
        merged.push(e);
      }
      for (const k of mine) taken.add(k);
      m.messagesReceived += r.entries.length + r.invalid.length;
      for (const e of r.invalid) {
        countReason(m.messagesInvalid, e.reason);
        this.once.warn(e.message, { reason: e.reason, error: e.message }, 'gorouter route entry skipped');
      }
    }
    const now = this.now();
    this.opts.table.replaceAll(merged, now);
    m.pollsOk++;
    m.lastLoadMs = now;
    this.lastError = undefined;
    if (this.readyLatch.open()) {
      m.ready = 1;
      this.logger.info({ routes: m.routesKnown, instances: m.instancesKnown }, 'first gorouter /routes poll done');
    }
  }
}
