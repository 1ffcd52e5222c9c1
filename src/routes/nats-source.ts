import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { type ConnectionOptions, connect, type Msg, type NatsConnection } from 'nats';
import { applyRegistryMessage } from './apply-message.js';
import { RouteSourceError } from './errors.js';
import { Latch } from './latch.js';
import { LogOnce } from './log-once.js';
import type { RouteTable } from './route-table.js';
import { type Logger, type RouteSource, silentLogger } from './types.js';

export interface NatsTlsOptions {
  /** PEM text (as promfetcher's `nats.ca_certs`, `cert_chain`, `private_key`) or file paths. */
  ca?: string;
  cert?: string;
  key?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface NatsRouteSourceOptions {
  /** `nats://[user:pass@]host:port` (or `host:port`); tried in order, like gorouter's list. */
  servers: string[];
  user?: string;
  pass?: string;
  /** TLS to NATS; with `cert`+`key` it is mutual TLS. */
  tls?: NatsTlsOptions;
  table: RouteTable;
  logger?: Logger;
  /** Prefix of the advertised router id `"<index>-<uuid>"` (gorouter's `index`). Default 0. */
  index?: number;
  /** Advertised `hosts`; default the first non-loopback IPv4 of this machine. */
  hosts?: string[];
  /** Advertised `minimumRegisterIntervalInSeconds` (`start_response_delay_interval`). Default 5. */
  minimumRegisterIntervalSec?: number;
  /** Advertised `pruneThresholdInSeconds`; default the table's stale threshold (120). */
  pruneThresholdSec?: number;
  /** Pruning tick (`prune_stale_droplets_interval`). Default 30000. 0 disables pruning. */
  pruneIntervalMs?: number;
  /** Wait after `router.start` before reporting ready, so emitters can re-send. Default 2000. */
  settleMs?: number;
  /** Initial connection: attempts and pause between them (original: 3, 100 ms). */
  connectAttempts?: number;
  connectRetryDelayMs?: number;
  /** Per-attempt connection timeout. Default 2000 (nats.go's, which gorouter uses). */
  connectTimeoutMs?: number;
  /** Default 20000 (`nats_client_ping_interval`). */
  pingIntervalMs?: number;
  /** Pause between reconnection rounds. Default 2000. */
  reconnectTimeWaitMs?: number;
  now?: () => number;
}

/** The body of `router.start` and of the `router.greet` reply (camelCase, as gorouter's). */
export interface RouterStart {
  id: string;
  hosts: string[];
  minimumRegisterIntervalInSeconds: number;
  pruneThresholdInSeconds: number;
}

/** First non-internal IPv4 address, as gorouter's `localip.LocalIP()` would pick, without dialing. */
export function localIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Splits credentials out of `nats://user:pass@host:port` (nats.js does not read them from URLs). */
function splitServers(servers: string[]): { servers: string[]; display: string[]; user?: string; pass?: string } {
  const out: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const raw of servers) {
    const s = raw.includes('://') ? raw : `nats://${raw}`;
    let u: URL;
    try {
      u = new URL(s);
    } catch (err) {
      throw new RouteSourceError('ROUTES_NATS_URL', raw, `invalid NATS server "${raw}": expected nats://host:port`, { cause: err });
    }
    if (u.username !== '' && user === undefined) {
      user = decodeURIComponent(u.username);
      pass = decodeURIComponent(u.password);
    }
    out.push(`${u.protocol}//${u.host}`);
  }
  return { servers: out, display: out, ...(user !== undefined ? { user, pass: pass ?? '' } : {}) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const encoder = new TextEncoder();

/**
 * Route table from NATS, the way gorouter (and the current promfetcher) builds it: subscribes to
 * `router.register`/`router.unregister`, publishes `router.start` at start and after every
 * reconnect, answers `router.greet`, prunes endpoints not refreshed within their stale threshold.
 * While disconnected it keeps serving the last table and suspends pruning; on reconnect every
 * endpoint is marked fresh (gorouter's `suspend_pruning_if_nats_unavailable`).
 */
export class NatsRouteSource implements RouteSource {
  readonly kind = 'nats' as const;
  private readonly readyLatch = new Latch();
  readonly ready: Promise<void> = this.readyLatch.promise;
  readonly failed: Promise<Error>;
  /** The advertised `router.start` body. */
  readonly routerStart: RouterStart;
  private markFailed!: (err: Error) => void;
  private nc: NatsConnection | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly servers: ReturnType<typeof splitServers>;
  private readonly logger: Logger;
  private readonly once: LogOnce;
  private readonly now: () => number;

  constructor(private readonly opts: NatsRouteSourceOptions) {
    if (opts.servers.length === 0) throw new RouteSourceError('ROUTES_NATS_URL', '', 'no NATS server given');
    this.servers = splitServers(opts.servers);
    this.logger = opts.logger ?? silentLogger;
    this.once = new LogOnce(this.logger);
    this.now = opts.now ?? Date.now;
    this.routerStart = {
      id: `${opts.index ?? 0}-${randomUUID()}`,
      hosts: opts.hosts ?? [localIPv4()],
      minimumRegisterIntervalInSeconds: opts.minimumRegisterIntervalSec ?? 5,
      pruneThresholdInSeconds: opts.pruneThresholdSec ?? opts.table.defaultStaleThresholdSec,
    };
    this.failed = new Promise((resolve) => {
      this.markFailed = resolve;
    });
  }

  isReady(): boolean {
    return this.readyLatch.done;
  }

  /** Connects (rejecting with ROUTES_NATS_CONNECT if no server answers), subscribes, announces. */
  async start(): Promise<void> {
    const nc = await this.connectWithRetries();
    this.nc = nc;
    const m = this.opts.table.metrics;
    m.natsConnected = 1;
    nc.subscribe('router.register', { callback: (err, msg) => this.onRoute('register', err, msg) });
    nc.subscribe('router.unregister', { callback: (err, msg) => this.onRoute('unregister', err, msg) });
    nc.subscribe('router.greet', { callback: (err, msg) => this.onGreet(err, msg) });
    this.sendStart();
    await nc.flush();
    void this.watchStatus(nc);
    void nc.closed().then((err) => this.onClosed(err ?? undefined));
    this.logger.info({ servers: this.servers.display, id: this.routerStart.id }, 'subscribed to NATS route messages; router.start sent');
    this.settleTimer = setTimeout(() => {
      if (this.stopped) return;
      this.readyLatch.open();
      m.ready = 1;
    }, this.opts.settleMs ?? 2000);
    const pruneMs = this.opts.pruneIntervalMs ?? 30_000;
    if (pruneMs > 0) {
      this.pruneTimer = setInterval(() => this.pruneNow(), pruneMs);
      this.pruneTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    clearTimeout(this.settleTimer);
    const nc = this.nc;
    this.nc = undefined;
    this.opts.table.metrics.natsConnected = 0;
    if (nc !== undefined && !nc.isClosed()) await nc.close();
  }

  /** One pruning pass now, unless NATS is down (then the table is kept as it is). */
  pruneNow(): number {
    const table = this.opts.table;
    if (table.metrics.natsConnected !== 1) return 0;
    const n = table.prune(this.now());
    if (n > 0) this.logger.info({ pruned: n }, 'pruned stale route endpoints');
    return n;
  }

  private connectionOptions(): ConnectionOptions {
    const o: ConnectionOptions = {
      servers: this.servers.servers,
      name: 'cf-prom-routes',
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: this.opts.reconnectTimeWaitMs ?? 2000,
      pingInterval: this.opts.pingIntervalMs ?? 20_000,
      timeout: this.opts.connectTimeoutMs ?? 2000,
      waitOnFirstConnect: false,
      noRandomize: true,
    };
    const user = this.opts.user ?? this.servers.user;
    if (user !== undefined && user !== '') {
      o.user = user;
      o.pass = this.opts.pass ?? this.servers.pass ?? '';
    }
    const t = this.opts.tls;
    if (t !== undefined) {
      o.tls = {};
      if (t.ca !== undefined) o.tls.ca = t.ca;
      if (t.cert !== undefined) o.tls.cert = t.cert;
      if (t.key !== undefined) o.tls.key = t.key;
      if (t.caFile !== undefined) o.tls.caFile = t.caFile;
      if (t.certFile !== undefined) o.tls.certFile = t.certFile;
      if (t.keyFile !== undefined) o.tls.keyFile = t.keyFile;
    }
    return o;
  }

  private async connectWithRetries(): Promise<NatsConnection> {
    const attempts = Math.max(1, this.opts.connectAttempts ?? 3);
    let last: unknown;
    for (let i = 1; i <= attempts; i++) {
      try {
        return await connect(this.connectionOptions());
      } catch (err) {
        last = err;
        this.logger.warn({ attempt: i, attempts, err }, 'NATS connection failed');
        if (i < attempts) await sleep(this.opts.connectRetryDelayMs ?? 100);
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new RouteSourceError(
      'ROUTES_NATS_CONNECT',
      this.servers.display.join(','),
      `cannot connect to NATS ${this.servers.display.join(',')} after ${attempts} attempts: ${why}`,
      { cause: last },
    );
  }

  private sendStart(): void {
    const nc = this.nc;
    if (nc === undefined || nc.isClosed()) return;
    nc.publish('router.start', encoder.encode(JSON.stringify(this.routerStart)));
    this.opts.table.metrics.routerStartsSent++;
  }

  private onRoute(op: 'register' | 'unregister', err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.logger.error({ err, op }, 'NATS subscription error');
      return;
    }
    const r = applyRegistryMessage(this.opts.table, op, msg.data, this.now());
    if (r.status === 'invalid') {
      const payload = new TextDecoder().decode(msg.data.subarray(0, 300));
      this.once.warn(
        `${msg.subject}|${r.error.message}`,
        { subject: msg.subject, reason: r.error.reason, error: r.error.message, payload },
        'invalid route message dropped',
      );
    }
  }

  private onGreet(err: Error | null, msg: Msg): void {
    if (err !== null || msg.reply === undefined || msg.reply === '') return;
    msg.respond(encoder.encode(JSON.stringify(this.routerStart)));
    this.opts.table.metrics.greetsAnswered++;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    const m = this.opts.table.metrics;
    for await (const s of nc.status()) {
      if (this.stopped) return;
      if (s.type === 'disconnect') {
        m.natsConnected = 0;
        this.logger.warn({ server: s.data }, 'NATS disconnected; serving the last route table, pruning suspended');
      } else if (s.type === 'reconnect') {
        m.natsConnected = 1;
        m.reconnects++;
        this.opts.table.touchAll(this.now());
        this.sendStart();
        this.logger.info({ server: s.data }, 'NATS reconnected; router.start sent');
      }
    }
  }

  private onClosed(err: Error | undefined): void {
    if (this.stopped) return;
    const m = this.opts.table.metrics;
    m.natsConnected = 0;
    const why = err instanceof Error ? err.message : 'connection closed';
    const e = new RouteSourceError('ROUTES_NATS_CLOSED', this.servers.display.join(','), `NATS connection closed for good: ${why}`, {
      cause: err,
    });
    this.logger.error({ err: e }, 'NATS connection closed');
    this.markFailed(e);
  }
}
