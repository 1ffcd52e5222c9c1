import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CONTENT_TYPES, type ExpositionFormat, negotiateFormat } from '../exposition/index.js';
import type { AppInstance, RouteTable } from '../routes/index.js';
import { makeAuthCheck } from './api-auth.js';
import { type AppFetcherDeps, type AppFetchResult, fetchApp } from './app-fetch.js';
import type { FetcherConfig } from './config.js';
import { FetcherRequestError } from './errors.js';
import { forwardedHeaders, type HeaderPolicy } from './headers.js';
import { resolveMetricPath } from './metric-path.js';
import { instanceTargetLabels } from './render.js';
import { SharedRuns } from './share.js';

const gzipAsync = promisify(gzip);
/** Merged bodies are large and scraped often: the fastest level keeps gzip from dominating CPU. */
const GZIP_LEVEL = 1;

const APPS = /^\/v([12])\/apps(?:\/(.+))?\/(metrics|only-app-metrics)$/;
const INSTANCE = /^\/v([12])\/instances\/([^/]+)\/([^/]+)\/metrics$/;

export interface ApiDeps extends AppFetcherDeps {
  readonly config: FetcherConfig;
  readonly table: RouteTable;
}

type Handler = 'apps' | 'instance' | 'targets' | 'routes' | 'metrics' | 'other';

/** The main port's request handler: merged app metrics, per-instance metrics, SD, /routes, /metrics. */
export class Api {
  private readonly shared: SharedRuns<AppFetchResult>;
  private readonly policy: HeaderPolicy;
  private readonly authCheck: ((h: string | undefined) => boolean) | null;

  constructor(private readonly deps: ApiDeps) {
    this.shared = new SharedRuns(deps.config.fetch.cacheTtlMs, Date.now, {
      hold: (r) => r.lease.hold(),
      drop: (r) => r.lease.drop(),
    });
    this.policy = { deny: new Set(deps.config.fetch.headerDenyList), consumeAuthorization: deps.config.apiAuth !== null };
    this.authCheck = deps.config.apiAuth === null ? null : makeAuthCheck(deps.config.apiAuth);
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const m = this.deps.metrics;
    const t0 = performance.now();
    m.inflight.inc();
    let handler: Handler = 'other';
    const uri = req.url ?? '/';
    res.on('close', () => {
      m.inflight.dec();
      const ms = performance.now() - t0;
      m.httpDuration.labels(handler, String(res.statusCode)).observe(ms / 1000);
      this.deps.logger.info({ method: req.method, uri, status: res.statusCode, duration_ms: Math.round(ms * 10) / 10 }, 'request');
    });
    const q = uri.indexOf('?');
    const path = q === -1 ? uri : uri.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : uri.slice(q + 1));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return void send(res, 405, 'text/plain; charset=utf-8', '405 Method Not Allowed\n');
    }
    if (this.authCheck !== null && !this.authCheck(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Basic realm="promfetcher", charset="UTF-8"');
      return void send(res, 401, 'text/plain; charset=utf-8', '401 Unauthorized: this promfetcher requires credentials\n');
    }
    let p: Promise<void>;
    const appsMatch = APPS.exec(path);
    const instanceMatch = appsMatch === null ? INSTANCE.exec(path) : null;
    if (appsMatch !== null) {
      handler = 'apps';
      p = this.apps(req, res, appsMatch, query);
    } else if (instanceMatch !== null) {
      handler = 'instance';
      p = this.instance(req, res, instanceMatch, query);
    } else if (path === '/v1/targets') {
      handler = 'targets';
      p = Promise.resolve(this.targets(res));
    } else if (path === '/routes') {
      handler = 'routes';
      p = Promise.resolve(send(res, 200, 'application/json', JSON.stringify(this.deps.table.snapshot())));
    } else if (path === '/metrics') {
      handler = 'metrics';
      p = Promise.resolve(send(res, 200, CONTENT_TYPES.text, this.deps.metrics.registry.render()));
    } else {
      p = Promise.resolve(send(res, 404, 'text/plain; charset=utf-8', `404 page not found: ${path}\n`));
    }
    p.catch((err: unknown) => {
      if (err instanceof FetcherRequestError) return send(res, err.status, 'text/plain; charset=utf-8', err.message);
      this.deps.logger.error({ err, uri }, 'request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `500 Internal Server Error: ${(err as Error).message}\n`);
      else res.destroy();
    });
  };

  /** Per-instance timeout: the configured one, or less when the caller says it gives up sooner. */
  private timeoutFor(req: IncomingMessage): number {
    const cfg = this.deps.config.fetch;
    const h = req.headers['x-prometheus-scrape-timeout-seconds'];
    const s = typeof h === 'string' ? Number(h) : Number.NaN;
    if (!(s > 0) || !Number.isFinite(s)) return cfg.timeoutMs;
    const callerMs = s * 1000;
    return Math.max(1, Math.min(cfg.timeoutMs, Math.max(callerMs - cfg.scrapeTimeoutMarginMs, callerMs / 2)));
  }

  private async apps(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, query: URLSearchParams): Promise<void> {
    const version = match[1] === '1' ? 1 : 2;
    const onlyApp = match[3] === 'only-app-metrics' || query.has('only_from_app');
    const id = match[2] ?? (query.get('app') || query.get('route_url') || '');
    if (id === '') throw new FetcherRequestError('FETCHER_NO_ID', 400, '400 Bad Request: You must set app id or path\n');
    const metricPath = resolveMetricPath(query.get('metric_path'));
    const instances = this.deps.table.lookup(id);
    if (instances.length === 0)
      throw new FetcherRequestError('FETCHER_NO_APP', 404, `404 Cannot found app with id or path ${safeId(id)}\n`);
    await this.serve(req, res, version, instances, metricPath, onlyApp, id);
  }

  private async instance(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, query: URLSearchParams): Promise<void> {
    const version = match[1] === '1' ? 1 : 2;
    const guid = decodeURIComponent(match[2] as string);
    const index = decodeURIComponent(match[3] as string);
    const metricPath = resolveMetricPath(query.get('metric_path'));
    const instances = this.deps.table.lookupByAppGuid(guid).filter((i) => i.instanceIndex === index);
    if (instances.length === 0)
      throw new FetcherRequestError('FETCHER_NO_INSTANCE', 404, `404 Cannot found instance ${safeId(index)} of app ${safeId(guid)}\n`);
    await this.serve(req, res, version, instances, metricPath, true, `${guid}/${index}`);
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    version: 1 | 2,
    instances: readonly AppInstance[],
    metricPath: string,
    onlyApp: boolean,
    id: string,
  ): Promise<void> {
    // The result's lines are held from here until the response is written (or the caller gone).
    let held: AppFetchResult | null = null;
    let closed = false;
    res.once('close', () => {
      closed = true;
      held?.lease.drop();
    });
    const headers = forwardedHeaders(req.headers, this.policy);
    const timeoutMs = this.timeoutFor(req);
    const format: ExpositionFormat = negotiateFormat(req.headers.accept);
    const key = JSON.stringify([
      format,
      version,
      onlyApp,
      metricPath,
      timeoutMs,
      headers,
      instances.map((i) => [i.address, i.tls, i.serverCertDomainSan, i.host, i.instanceIndex, i.tags]),
    ]);
    const run = this.shared.run(key, () => fetchApp(this.deps, { version, instances, metricPath, headers, timeoutMs, onlyApp, format }));
    if (run.how !== 'started') this.deps.metrics.shared.labels(run.how).inc();
    const result = await run.value;
    if (closed) return result.lease.passOver();
    result.lease.hold();
    held = result;

    if (result.okCount === 0) return this.allFailed(res, result, metricPath, id);

    const gz = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    if (gz) result.gzipped ??= gzipAsync(Buffer.concat(result.chunks, result.bytes), { level: GZIP_LEVEL });
    const body = gz ? await (result.gzipped as Promise<Buffer>) : null;
    res.statusCode = 200;
    res.setHeader('content-type', CONTENT_TYPES[format]);
    res.setHeader('vary', 'Accept, Accept-Encoding');
    if (gz) res.setHeader('content-encoding', 'gzip');
    res.setHeader('content-length', body === null ? result.bytes : body.length);
    if (req.method === 'HEAD') res.end();
    else if (body !== null) res.end(body);
    else {
      // The merged pieces as they are (no 17 MiB copy per request), in one writev.
      res.cork();
      for (const c of result.chunks) res.write(c);
      res.end();
      res.uncork();
    }
  }

  /**
   * No source answered. 4xx from every instance (and no exporter) keeps the original's pass-through:
   * 401/403 are returned as-is (with the app's `WWW-Authenticate`), since the caller's credentials
   * are what is wrong; other 4xx give the original's 406 "Cannot found endpoint". Anything else: 502.
   */
  private allFailed(res: ServerResponse, result: AppFetchResult, metricPath: string, id: string): void {
    const statuses = result.sources.map((s) => (s.outcome.ok ? 0 : s.outcome.reason === 'http_4xx' ? (s.outcome.status ?? 0) : -1));
    const all4xx = result.sources.every((s) => s.kind === 'instance') && statuses.every((s) => s >= 400 && s < 500);
    if (all4xx) {
      const first = statuses[0] as number;
      if ((first === 401 || first === 403) && statuses.every((s) => s === first)) {
        const www = result.sources.map((s) => (!s.outcome.ok ? s.outcome.wwwAuthenticate : undefined)).find((w) => w !== undefined);
        if (www !== undefined) res.setHeader('www-authenticate', www);
        send(
          res,
          first,
          'text/plain; charset=utf-8',
          `${first} every instance of app '${safeId(id)}' answered ${first} on '${metricPath}': check the credentials sent\n`,
        );
        return;
      }
      send(
        res,
        406,
        'text/plain; charset=utf-8',
        `406 Cannot found endpoint '${metricPath}' for app with id or path '${safeId(id)} (status code ${first})', please create one\n`,
      );
      return;
    }
    const counts = new Map<string, number>();
    for (const s of result.sources) if (!s.outcome.ok) counts.set(s.outcome.reason, (counts.get(s.outcome.reason) ?? 0) + 1);
    const summary = [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
    send(
      res,
      502,
      'text/plain; charset=utf-8',
      `502 Bad Gateway: all ${result.sources.length} scrapes of app '${safeId(id)}' failed (${summary}); details are in promfetcher's log\n`,
    );
  }

  /** Prometheus `http_sd_configs` JSON: one target per web instance, via `/v1/instances/{guid}/{index}/metrics`. */
  private targets(res: ServerResponse): void {
    const base = new URL(this.deps.config.baseUrl.includes('://') ? this.deps.config.baseUrl : `http://${this.deps.config.baseUrl}`);
    const seen = new Set<string>();
    const groups: { targets: string[]; labels: Record<string, string> }[] = [];
    for (const endpoints of Object.values(this.deps.table.snapshot())) {
      for (const e of endpoints) {
        const guid = e.tags?.app_id ?? '';
        if (guid === '' || e.tags?.process_type !== 'web' || seen.has(e.address)) continue;
        seen.add(e.address);
        const index = e.private_instance_index ?? e.tags.instance_id ?? '';
        if (index === '') continue;
        const labels: Record<string, string> = {
          __scheme__: base.protocol.replace(':', ''),
          __metrics_path__: `${base.pathname.replace(/\/$/, '')}/v1/instances/${encodeURIComponent(guid)}/${encodeURIComponent(index)}/metrics`,
        };
        const l = instanceTargetLabels(e.tags, index, e.address);
        for (let i = 0; i < l.length; i += 2) labels[l[i] as string] = l[i + 1] as string;
        groups.push({ targets: [base.host], labels });
      }
    }
    send(res, 200, 'application/json', JSON.stringify(groups));
  }
}

/** An id echoed in a body: no control characters, bounded length. */
function safeId(id: string): string {
  let s = '';
  for (const ch of id) s += isControl(ch) ? '?' : ch;
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** C0 controls and DEL. */
export function isControl(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
