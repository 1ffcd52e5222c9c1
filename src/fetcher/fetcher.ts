import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  createRoutesMetrics,
  FileRouteSource,
  GorouterRoutesPoller,
  type Logger,
  NatsRouteSource,
  type RouteSource,
  type RoutesMetrics,
  RouteTable,
  silentLogger,
} from '../routes/index.js';
import { Api } from './api.js';
import { type MetricsPathResolver, noMetricsPathResolver } from './app-fetch.js';
import type { FetcherConfig } from './config.js';
import { Health } from './health.js';
import { InstanceClient } from './instance-client.js';
import { createRenderer, type Renderer } from './renderer.js';
import { createFetcherMetrics, type FetcherMetrics } from './self-metrics.js';

export interface FetcherOptions {
  readonly config: FetcherConfig;
  readonly logger?: Logger;
  /** Inject a table and source (tests); otherwise built from `config.routes`. */
  readonly table?: RouteTable;
  readonly source?: RouteSource;
  readonly resolver?: MetricsPathResolver;
}

/**
 * promfetcher: a route source filling a route table, the API server on `port` and the health
 * server on `health_check_port`. `start()` once, `stop()` once (graceful).
 */
export class Fetcher {
  readonly health = new Health();
  readonly table: RouteTable;
  readonly source: RouteSource;
  readonly metrics: FetcherMetrics;
  readonly routesMetrics: RoutesMetrics;
  private readonly client: InstanceClient;
  private readonly renderer: Renderer;
  private readonly logger: Logger;
  private api: Server | undefined;
  private healthServer: Server | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: FetcherOptions) {
    const cfg = opts.config;
    this.logger = opts.logger ?? silentLogger;
    this.routesMetrics = createRoutesMetrics();
    this.table = opts.table ?? new RouteTable({ metrics: this.routesMetrics, defaultStaleThresholdSec: routesStaleSec(cfg) });
    this.source = opts.source ?? buildSource(cfg, this.table, this.logger);
    this.metrics = createFetcherMetrics(this.routesMetrics);
    this.client = new InstanceClient({
      caCerts: cfg.caCerts,
      cert: cfg.backends.certChain,
      key: cfg.backends.privateKey,
      skipSslValidation: cfg.skipSslValidation,
      disableKeepAlives: cfg.disableKeepAlives,
      idleConnTimeoutMs: cfg.idleConnTimeoutMs,
      maxBodyBytes: cfg.fetch.maxBodyBytes,
    });
    this.renderer = createRenderer(cfg.fetch.parseWorkers);
  }

  /** Starts the route source (rejects if it cannot start), then both listeners. */
  async start(): Promise<void> {
    const cfg = this.opts.config;
    if (cfg.unknownKeys.length > 0) this.logger.warn({ keys: cfg.unknownKeys, file: cfg.file }, 'unknown config keys ignored');
    await this.source.start();
    void this.source.ready.then(() => {
      this.health.setHealthy();
      this.logger.info({ source: this.source.kind, ...this.table.size() }, 'route table ready');
    });
    const api = new Api({
      config: cfg,
      table: this.table,
      client: this.client,
      exporters: cfg.externalExporters,
      resolver: this.opts.resolver ?? noMetricsPathResolver,
      metrics: this.metrics,
      logger: this.logger,
      concurrency: cfg.fetch.concurrency,
      renderer: this.renderer,
    });
    this.api =
      cfg.enableSsl && cfg.tlsPem
        ? createHttpsServer({ cert: cfg.tlsPem.certChain, key: cfg.tlsPem.privateKey }, api.handle)
        : createHttpServer(api.handle);
    this.api.keepAliveTimeout = 65_000;
    this.healthServer = createHttpServer((_req, res) => {
      res.setHeader('cache-control', 'private, max-age=0');
      res.setHeader('expires', '0');
      if (this.health.isHealthy()) {
        res.statusCode = 200;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('ok\n');
      } else {
        res.statusCode = 503;
        res.end();
      }
    });
    await listen(this.api, cfg.port, cfg.listenHost);
    await listen(this.healthServer, cfg.healthCheckPort, cfg.listenHost);
    this.logger.info(
      { port: this.port, health_check_port: this.healthPort, host: cfg.listenHost, tls: cfg.enableSsl },
      'promfetcher listening',
    );
  }

  get port(): number {
    return (this.api?.address() as AddressInfo | null)?.port ?? 0;
  }
  get healthPort(): number {
    return (this.healthServer?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** SIGUSR1: health answers 503 from now on (sticky), so load balancers drain. */
  degrade(): void {
    this.health.degrade();
  }

  /**
   * Graceful stop: degraded, no new connections, open requests get up to `shutdown_timeout`
   * (15 s) to finish, then remaining connections are cut; route source and backend pool closed.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.health.degrade();
    const api = this.api;
    if (api !== undefined) {
      const closed = new Promise<void>((resolve) => api.close(() => resolve()));
      api.closeIdleConnections();
      // Keep-alive connections that become idle after their response are closed as they go idle.
      const idleTimer = setInterval(() => api.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.opts.config.shutdownTimeoutMs);
      });
      const late = await Promise.race([closed.then(() => false), timedOut]);
      clearTimeout(timer);
      clearInterval(idleTimer);
      if (late) {
        this.logger.warn({ timeout_ms: this.opts.config.shutdownTimeoutMs }, 'shutdown timeout: closing open connections');
        api.closeAllConnections();
        await closed;
      }
    }
    await this.source.stop().catch(() => {});
    await this.client.close();
    await this.renderer.close();
    this.metrics.stop();
    const hs = this.healthServer;
    if (hs !== undefined) {
      hs.closeAllConnections();
      await new Promise<void>((resolve) => hs.close(() => resolve()));
    }
    this.logger.info({}, 'promfetcher stopped');
  }
}

function routesStaleSec(cfg: FetcherConfig): number {
  return cfg.routes.kind === 'nats' ? Math.max(1, Math.round(cfg.routes.dropletStaleThresholdMs / 1000)) : 120;
}

function buildSource(cfg: FetcherConfig, table: RouteTable, logger: Logger): RouteSource {
  const r = cfg.routes;
  switch (r.kind) {
    case 'file':
      return new FileRouteSource({ path: r.path, table, logger });
    case 'gorouter':
      return new GorouterRoutesPoller({
        urls: r.gorouters.map((g) => withCredentials(g.url, g.user, g.pass)),
        table,
        logger,
        intervalMs: r.intervalMs,
      });
    case 'nats':
      return new NatsRouteSource({
        servers: r.servers,
        ...(r.tls ? { tls: r.tls } : {}),
        table,
        logger,
        index: r.index,
        minimumRegisterIntervalSec: Math.round(r.startResponseDelayMs / 1000),
        pingIntervalMs: r.pingIntervalMs,
        pruneThresholdSec: Math.round(r.dropletStaleThresholdMs / 1000),
      });
  }
}

function withCredentials(url: string, user: string, pass: string): string {
  if (user === '') return url;
  const u = new URL(url);
  if (u.username === '') {
    u.username = encodeURIComponent(user);
    u.password = encodeURIComponent(pass);
  }
  return u.toString().replace(/\/$/, '');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
