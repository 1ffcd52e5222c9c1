import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { expandGlob, loadAllSourcesStrict } from '../config/index.js';
import { CONTENT_TYPES } from '../exposition/index.js';
import type { Logger } from '../logger.js';
import { createLoggregatorSink, type LoggregatorSink } from '../loggregator/index.js';
import { ScrapeService, type Sink, StdoutSink } from '../scrape/index.js';
import { ApiTargets } from './api-server.js';
import { createDebugHandler } from './debug-server.js';
import { CacheExpiry } from './expiration.js';
import { type Listening, listen, sendJson } from './http-server.js';
import { createSelfMetrics } from './self-metrics.js';
import type { DaemonSettings } from './settings.js';

export interface DaemonDeps {
  /** Where the stdout sink writes samples (NDJSON). Logs go to the logger, never here. */
  stdout: Writable;
  logger: Logger;
}

/** Fingerprint of the config files the settings point at: a change triggers a reload. */
function configFingerprint(s: DaemonSettings): () => string {
  const patterns = [...s.scrape.pathsToScrapeConfigs, ...s.scrape.configGlobs];
  return () => {
    const parts: string[] = [];
    for (const p of patterns) {
      let files: string[];
      try {
        files = expandGlob(p);
      } catch {
        continue;
      }
      for (const f of files) {
        try {
          const st = statSync(f);
          parts.push(`${f}:${st.size}:${st.mtimeMs}`);
        } catch {
          parts.push(`${f}:gone`);
        }
      }
    }
    return parts.join('\n');
  };
}

/**
 * The running prom-scraper: scrape service, output sink, metrics/API/debug servers. `start`
 * throws when the configuration is invalid or a server cannot listen (nothing is left running);
 * `stop` drains within a deadline.
 */
export class Daemon {
  private expiryTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly settings: DaemonSettings,
    readonly service: ScrapeService,
    readonly sink: Sink,
    readonly api: ApiTargets | null,
    readonly servers: { metrics: Listening; api: Listening | null; debug: Listening | null },
    private readonly cleanups: Array<() => void>,
    private readonly logger: Logger,
  ) {}

  static async start(settings: DaemonSettings, deps: DaemonDeps): Promise<Daemon> {
    const { logger } = deps;
    let sink: Sink;
    let lgSink: LoggregatorSink | null = null;
    let stdoutSink: StdoutSink | null = null;
    if (settings.agent !== null) {
      lgSink = createLoggregatorSink({
        defaultSourceId: settings.defaultSourceId,
        address: settings.agent.address,
        tls: settings.agent.tls,
        serverName: settings.agent.serverName,
        queueCapacity: settings.agent.queueSize,
        batchMaxEnvelopes: settings.agent.batchSize,
        flushIntervalMs: settings.agent.flushIntervalMs,
        counterFloats: settings.agent.counterFloats,
        onError: (err, context) => logger.warn({ context, err: err.message }, 'loggregator agent connection problem'),
      });
      sink = lgSink;
      logger.info({ address: settings.agent.address }, 'sending envelopes to the Loggregator agent');
    } else {
      stdoutSink = new StdoutSink({ out: deps.stdout });
      sink = stdoutSink;
      logger.warn({}, 'LOGGREGATOR_AGENT_ADDR is not set: writing samples to stdout as NDJSON (the embedded default output)');
    }
    const service = new ScrapeService({
      load: () => {
        const r = loadAllSourcesStrict(settings.env);
        for (const s of r.skipped) logger.warn({ file: s.file, reason: s.reason }, 'skipping scrape config file');
        return r.jobs;
      },
      fingerprint: configFingerprint(settings),
      watchIntervalMs: settings.configWatchIntervalMs,
      sink,
      defaultSourceId: settings.defaultSourceId,
      logger,
      maxConcurrentScrapes: settings.maxConcurrentScrapes,
    });
    const abort = async () => {
      await service.stop().catch(() => undefined);
      await sink.stop(Date.now() + 1000).catch(() => undefined);
    };
    try {
      service.start();
    } catch (err) {
      await abort();
      throw err;
    }
    const expiry = new CacheExpiry(settings.metricsExpirationIntervalMs);
    const api = settings.apiServer !== null ? new ApiTargets(service, settings, logger) : null;
    const selfMetrics = createSelfMetrics({
      service,
      loggregator: lgSink?.metrics ?? null,
      stdoutDropped: stdoutSink === null ? null : () => (stdoutSink as StdoutSink).dropped,
      apiTargets: () => api?.size ?? 0,
      expiredCaches: () => expiry.expired,
      debugMetrics: settings.metricsServer.debugMetrics,
    });
    const debug = settings.debugPort !== null ? createDebugHandler() : null;
    const cleanups = [() => selfMetrics.stop(), () => debug?.stop()];
    const opened: Listening[] = [];
    try {
      const metrics = await listen('metrics', settings.metricsServer, (req, res) => {
        const path = new URL(req.url ?? '/', 'http://metrics').pathname;
        if (path !== '/metrics') return sendJson(res, 404, { error: `no such endpoint ${path}; allowed: /metrics` });
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'only GET' }, { Allow: 'GET, HEAD' });
        const text = selfMetrics.render();
        res.writeHead(200, { 'Content-Type': CONTENT_TYPES.text, 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      });
      opened.push(metrics);
      const apiServer = api !== null && settings.apiServer !== null ? await listen('api', settings.apiServer, api.handler()) : null;
      if (apiServer !== null) opened.push(apiServer);
      const debugServer =
        debug !== null && settings.debugPort !== null
          ? await listen('debug', { host: '127.0.0.1', port: settings.debugPort, tls: null }, debug.handler)
          : null;
      if (debugServer !== null) opened.push(debugServer);
      const d = new Daemon(settings, service, sink, api, { metrics, api: apiServer, debug: debugServer }, cleanups, logger);
      d.startExpiry(expiry);
      d.logStarted();
      return d;
    } catch (err) {
      await Promise.all(opened.map((s) => s.close(Date.now())));
      for (const c of cleanups) c();
      await abort();
      throw err;
    }
  }

  private startExpiry(expiry: CacheExpiry): void {
    const every = this.settings.metricsExpirationIntervalMs;
    if (every <= 0) return;
    const tick = Math.min(Math.max(Math.floor(every / 4), 250), 30_000);
    this.expiryTimer = setInterval(() => {
      for (const l of expiry.sweep(this.service.manager.loops(), Date.now())) {
        this.logger.info(
          { job: l.target.job.jobName, url: l.target.url, expiration_ms: every },
          'series cache expired: no successful scrape for METRICS_EXPIRATION_INTERVAL',
        );
      }
    }, tick);
    this.expiryTimer.unref();
  }

  private logStarted(): void {
    const { metrics, api, debug } = this.servers;
    if (!metrics.mtls)
      this.logger.warn(
        { url: metrics.url },
        'metrics server without TLS: set METRICS_CA_FILE_PATH, METRICS_CERT_FILE_PATH and METRICS_KEY_FILE_PATH for mutual TLS',
      );
    if (api !== null && !api.mtls)
      this.logger.warn(
        { url: api.url },
        'API server without TLS: anyone who can reach it can change scrape targets; set API_SERVER_CA_FILE_PATH, API_SERVER_CERT_FILE_PATH and API_SERVER_KEY_FILE_PATH',
      );
    this.logger.info(
      {
        metrics_url: `${metrics.url}/metrics`,
        api_url: api === null ? null : `${api.url}/v1/scrape_targets`,
        debug_url: debug === null ? null : `${debug.url}/debug/vars`,
        jobs: this.service.jobs.length,
        targets: this.service.manager.loops().length,
        output: this.sink.name,
      },
      'prom-scraper started',
    );
  }

  reload(why: string): boolean {
    return this.service.reload(why);
  }

  /**
   * Stops scheduling and waits for in-flight scrapes, flushes the sink, closes the servers; all
   * within `deadline` (epoch ms); what is left at the deadline is logged and abandoned.
   */
  stop(deadline: number): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    this.stopping = (async () => {
      if (this.expiryTimer !== null) clearInterval(this.expiryTimer);
      let timer: NodeJS.Timeout | null = null;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
      });
      const scraping = await Promise.race([this.service.stop().then(() => 'ok' as const), late]);
      if (scraping === 'late') this.logger.warn({}, 'shutdown: scrapes still in flight at the deadline');
      await Promise.race([this.sink.stop(deadline), late]);
      if (timer !== null) clearTimeout(timer);
      const { metrics, api, debug } = this.servers;
      await Promise.all(
        [metrics, api, debug].filter((s): s is Listening => s !== null).map((s) => s.close(Math.min(deadline, Date.now() + 1000))),
      );
      for (const c of this.cleanups) c();
    })();
    return this.stopping;
  }
}
