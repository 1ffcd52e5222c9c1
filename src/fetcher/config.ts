import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { parseGoDurationMs } from './duration.js';
import { FetcherConfigError } from './errors.js';
import { compileExporter, type ExternalExporter } from './external-exporters.js';

export type RouteSourceConfig =
  | { kind: 'file'; path: string }
  | {
      kind: 'nats';
      servers: string[];
      tls: { ca: string; cert: string; key: string } | null;
      pingIntervalMs: number;
      index: number;
      startResponseDelayMs: number;
      dropletStaleThresholdMs: number;
    }
  | { kind: 'gorouter'; gorouters: { url: string; user: string; pass: string }[]; intervalMs: number };

/** The validated, frozen promfetcher configuration (every default filled in). */
export interface FetcherConfig {
  /** The file it came from, or null for the built-in defaults. */
  readonly file: string | null;
  readonly listenHost: string;
  readonly port: number;
  readonly healthCheckPort: number;
  readonly baseUrl: string;
  readonly enableSsl: boolean;
  readonly tlsPem: { readonly certChain: string; readonly privateKey: string } | null;
  /** Extra CA certificates (PEM) added to the system roots to verify TLS backends. */
  readonly caCerts: string;
  readonly skipSslValidation: boolean;
  readonly backends: { readonly certChain: string; readonly privateKey: string; readonly maxConns: number };
  readonly disableKeepAlives: boolean;
  readonly maxIdleConns: number;
  readonly maxIdleConnsPerHost: number;
  readonly idleConnTimeoutMs: number;
  readonly routes: RouteSourceConfig;
  readonly broker: { readonly serviceId: string; readonly planId: string; readonly user: string; readonly pass: string };
  readonly dbConn: string;
  readonly sql: { readonly maxIdle: number; readonly maxOpen: number; readonly maxLifeMs: number };
  readonly notExitWhenConnFailed: boolean;
  readonly logging: { readonly level: string; readonly noColor: boolean; readonly inJson: boolean };
  readonly externalExporters: readonly ExternalExporter[];
  readonly fetch: {
    /** Upper bound per instance request, body included (the original's 30 s). */
    readonly timeoutMs: number;
    /** Subtracted from the caller's `X-Prometheus-Scrape-Timeout-Seconds`. */
    readonly scrapeTimeoutMarginMs: number;
    /** Instances fetched at once for one merged request. */
    readonly concurrency: number;
    /** A body larger than this (decoded) is an error `too_large`. */
    readonly maxBodyBytes: number;
    /** Serve a finished result again for this long (0 = off). */
    readonly cacheTtlMs: number;
    /** Lower-case caller header names never passed to apps, on top of the fixed hop-by-hop list. */
    readonly headerDenyList: readonly string[];
    /** Worker threads that parse and render bodies; 0 = on the event loop; null = auto (cores, max 4). */
    readonly parseWorkers: number | null;
  };
  /** Protection of every endpoint but health; null = open (the original). */
  readonly apiAuth: { readonly basic: readonly { user: string; pass: string }[]; readonly bearerTokens: readonly string[] } | null;
  readonly shutdownTimeoutMs: number;
  /** Keys present in the file that this implementation does not know (logged at start). */
  readonly unknownKeys: readonly string[];
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const;

const KNOWN_KEYS = new Set([
  'nats',
  'nats_client_ping_interval',
  'index',
  'start_response_delay_interval',
  'droplet_stale_threshold',
  'enable_http2',
  'port',
  'health_check_port',
  'enable_ssl',
  'tls_pem',
  'ca_certs',
  'skip_ssl_validation',
  'backends',
  'disable_keep_alives',
  'max_idle_conns',
  'max_idle_conns_per_host',
  'idle_conn_timeout',
  'db_conn',
  'sql_cnx_max_idle',
  'sql_cnx_max_open',
  'sql_cnx_max_life',
  'not_exit_when_conn_failed',
  'base_url',
  'broker',
  'logging',
  'external_exporters',
  'gorouters',
  // cf-prom additions
  'listen_host',
  'routes_file',
  'gorouter_poll_interval',
  'fetch_timeout',
  'scrape_timeout_margin',
  'fetch_concurrency',
  'max_body_bytes',
  'parse_workers',
  'cache_ttl',
  'header_deny_list',
  'api_auth',
  'shutdown_timeout',
]);

type Obj = Record<string, unknown>;

/** Reads typed values out of a YAML mapping, naming `file` and the dotted key on error. */
class Reader {
  constructor(
    readonly file: string,
    readonly prefix: string,
    readonly obj: Obj,
  ) {}

  private key(k: string): string {
    return this.prefix === '' ? k : `${this.prefix}.${k}`;
  }
  fail(k: string, msg: string): never {
    throw new FetcherConfigError(this.file, this.key(k), msg);
  }
  has(k: string): boolean {
    return this.obj[k] !== undefined && this.obj[k] !== null;
  }
  str(k: string, def: string): string {
    const v = this.obj[k];
    if (v === undefined || v === null) return def;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(k, `must be a string, got ${describe(v)}`);
  }
  bool(k: string, def: boolean): boolean {
    const v = this.obj[k];
    if (v === undefined || v === null) return def;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.fail(k, `must be true or false, got ${describe(v)}`);
  }
  int(k: string, def: number, min: number, max: number): number {
    const v = this.obj[k];
    if (v === undefined || v === null) return def;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) return this.fail(k, `must be an integer from ${min} to ${max}, got ${describe(v)}`);
    return n;
  }
  duration(k: string, defMs: number): number {
    const v = this.obj[k];
    if (v === undefined || v === null) return defMs;
    const r = parseGoDurationMs(v);
    return typeof r === 'string' ? this.fail(k, r) : r;
  }
  sub(k: string): Reader {
    const v = this.obj[k];
    if (v === undefined || v === null) return new Reader(this.file, this.key(k), {});
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(k, `must be a mapping, got ${describe(v)}`);
    return new Reader(this.file, this.key(k), v as Obj);
  }
  list(k: string): unknown[] {
    const v = this.obj[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(k, `must be a list, got ${describe(v)}`);
    return v;
  }
  item(k: string, i: number, v: unknown): Reader {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.fail(`${k}[${i}]`, `must be a mapping, got ${describe(v)}`);
    return new Reader(this.file, `${this.key(k)}[${i}]`, v as Obj);
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

/** Parses YAML text; syntax errors name file, line and column. */
export function parseConfigYaml(file: string, text: string): Obj {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new FetcherConfigError(file, '', `line ${pos.line}, column ${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const js: unknown = doc.toJS({ maxAliasCount: 100 });
  if (js === null || js === undefined) return {};
  if (typeof js !== 'object' || Array.isArray(js)) throw new FetcherConfigError(file, '', `must be a YAML mapping, got ${describe(js)}`);
  return js as Obj;
}

export interface LoadOptions {
  /** Used when there is no file: the embedded route table (a gorouter `/routes` JSON file). */
  defaultRoutesFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads and validates a config file (`null` → built-in defaults); applies env overrides. */
export function loadFetcherConfig(file: string | null, opts: LoadOptions): FetcherConfig {
  if (file === null) return buildFetcherConfig(null, {}, opts);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FetcherConfigError(file, '', `cannot read: ${(err as Error).message}`, { cause: err });
  }
  return buildFetcherConfig(file, parseConfigYaml(file, text), opts);
}

/**
 * Builds the config from a parsed YAML mapping. Precedence: env (`PORT`, `HEALTH_CHECK_PORT`,
 * `LISTEN_HOST`, `BASE_URL`, `LOG_LEVEL`) over the file over the defaults.
 */
export function buildFetcherConfig(file: string | null, obj: Obj, opts: LoadOptions): FetcherConfig {
  const name = file ?? '<defaults>';
  const r = new Reader(name, '', obj);
  const env = opts.env ?? {};
  const envReader = new Reader('environment', '', env as Obj);

  const port = env.PORT !== undefined && env.PORT !== '' ? envReader.int('PORT', 8085, 0, 65535) : r.int('port', 8085, 0, 65535);
  const healthCheckPort =
    env.HEALTH_CHECK_PORT !== undefined && env.HEALTH_CHECK_PORT !== ''
      ? envReader.int('HEALTH_CHECK_PORT', 8080, 0, 65535)
      : r.int('health_check_port', 8080, 0, 65535);

  const enableSsl = r.bool('enable_ssl', false);
  let tlsPem: FetcherConfig['tlsPem'] = null;
  if (enableSsl) {
    const t = r.sub('tls_pem');
    const certChain = t.str('cert_chain', '');
    const privateKey = t.str('private_key', '');
    if (certChain === '') t.fail('cert_chain', 'is required when enable_ssl is true');
    if (privateKey === '') t.fail('private_key', 'is required when enable_ssl is true');
    tlsPem = { certChain, privateKey };
  }
  const b = r.sub('backends');
  const backends = {
    certChain: b.str('cert_chain', ''),
    privateKey: b.str('private_key', ''),
    maxConns: b.int('max_conns', 0, 0, 1_000_000),
  };
  if ((backends.certChain === '') !== (backends.privateKey === '')) {
    b.fail(backends.certChain === '' ? 'cert_chain' : 'private_key', 'backends.cert_chain and backends.private_key must be given together');
  }

  const routes = routeSource(r, file === null ? opts.defaultRoutesFile : null);

  const br = r.sub('broker');
  const broker = {
    serviceId: br.str('broker_service_id', '75bcebab-cc25-4ef6-89dc-a91b953919f1'),
    planId: br.str('broker_plan_id', 'e2900be3-709b-419e-b63b-de3aabcd9e15'),
    user: br.str('user', 'user'),
    pass: br.str('pass', 'password'),
  };
  const dbConn = r.str('db_conn', '');
  if (dbConn !== '' && !/^(mysql|mariadb|postgres|postgresql|sqlite):\/\//.test(dbConn)) {
    r.fail('db_conn', 'must be a URL starting with mysql://, mariadb://, postgres:// or sqlite://');
  }

  const lg = r.sub('logging');
  const level = (env.LOG_LEVEL !== undefined && env.LOG_LEVEL !== '' ? env.LOG_LEVEL : lg.str('level', 'info')).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    lg.fail('level', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);

  const externalExporters = r.list('external_exporters').map((v, i) => {
    const e = r.item('external_exporters', i, v);
    const host = e.str('host', '');
    if (host === '') e.fail('host', 'is required');
    const scheme = e.str('scheme', 'http');
    if (scheme !== 'http' && scheme !== 'https') e.fail('scheme', `must be http or https, got ${JSON.stringify(scheme)}`);
    const metricsPath = e.str('metrics_path', '/metrics');
    const params: Record<string, string[]> = {};
    const p = e.sub('params');
    for (const [k, vals] of Object.entries(p.obj)) {
      const list = Array.isArray(vals) ? vals : [vals];
      params[k] = list.map((x, j) => {
        if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')
          p.fail(`${k}[${j}]`, `must be a string, got ${describe(x)}`);
        return String(x);
      });
    }
    const exporterName = e.str('name', `${host}${metricsPath.startsWith('/') ? '' : '/'}${metricsPath}`);
    const compiled = compileExporter({ name: exporterName, host, scheme, metricsPath, params });
    if (typeof compiled === 'string') return e.fail(compiled.split(':')[0] ?? 'params', compiled.slice(compiled.indexOf(':') + 2));
    return compiled;
  });

  const headerDenyList = r.list('header_deny_list').map((h, i) => {
    if (typeof h !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h))
      return r.fail(`header_deny_list[${i}]`, `must be a header name, got ${describe(h)}`);
    return h.toLowerCase();
  });

  let apiAuth: FetcherConfig['apiAuth'] = null;
  if (r.has('api_auth')) {
    const a = r.sub('api_auth');
    const basic = a.list('basic_auth').map((v, i) => {
      const u = a.item('basic_auth', i, v);
      const user = u.str('username', '');
      const pass = u.str('password', '');
      if (user === '' || pass === '') u.fail(user === '' ? 'username' : 'password', 'must not be empty');
      if (user.includes(':')) u.fail('username', 'must not contain ":"');
      return { user, pass };
    });
    const bearerTokens = a.list('bearer_tokens').map((t, i) => {
      if (typeof t !== 'string' || t.length < 16) return a.fail(`bearer_tokens[${i}]`, 'must be a string of at least 16 characters');
      return t;
    });
    if (basic.length > 0 || bearerTokens.length > 0) apiAuth = { basic, bearerTokens };
  }

  const timeoutMs = r.duration('fetch_timeout', 30_000);
  if (timeoutMs <= 0) r.fail('fetch_timeout', 'must be greater than 0');
  const baseUrl = (env.BASE_URL !== undefined && env.BASE_URL !== '' ? env.BASE_URL : r.str('base_url', 'http://localhost:8085')).replace(
    /\/+$/,
    '',
  );
  const unknownKeys = Object.keys(obj).filter((k) => !KNOWN_KEYS.has(k));

  const cfg: FetcherConfig = {
    file,
    listenHost: env.LISTEN_HOST !== undefined && env.LISTEN_HOST !== '' ? env.LISTEN_HOST : r.str('listen_host', '0.0.0.0'),
    port,
    healthCheckPort,
    baseUrl,
    enableSsl,
    tlsPem,
    caCerts: r.str('ca_certs', ''),
    skipSslValidation: r.bool('skip_ssl_validation', false),
    backends,
    disableKeepAlives: r.bool('disable_keep_alives', true),
    maxIdleConns: r.int('max_idle_conns', 100, 0, 1_000_000),
    maxIdleConnsPerHost: r.int('max_idle_conns_per_host', 2, 0, 1_000_000),
    idleConnTimeoutMs: r.int('idle_conn_timeout', 30, 0, 86_400) * 1000,
    routes,
    broker,
    dbConn,
    sql: {
      maxIdle: r.int('sql_cnx_max_idle', 5, 0, 1_000_000),
      maxOpen: r.int('sql_cnx_max_open', 10, 0, 1_000_000),
      maxLifeMs: r.duration('sql_cnx_max_life', 3_600_000),
    },
    notExitWhenConnFailed: r.bool('not_exit_when_conn_failed', false),
    logging: { level, noColor: lg.bool('no_color', false), inJson: lg.bool('in_json', false) },
    externalExporters,
    fetch: {
      timeoutMs,
      scrapeTimeoutMarginMs: r.duration('scrape_timeout_margin', 500),
      concurrency: r.int('fetch_concurrency', 16, 1, 1000),
      maxBodyBytes: r.int('max_body_bytes', 64 * 1024 * 1024, 1024, 2 ** 31),
      cacheTtlMs: r.duration('cache_ttl', 0),
      headerDenyList,
      parseWorkers: r.has('parse_workers') ? r.int('parse_workers', 0, 0, 64) : null,
    },
    apiAuth,
    shutdownTimeoutMs: r.duration('shutdown_timeout', 15_000),
    unknownKeys,
  };
  return deepFreeze(cfg);
}

function routeSource(r: Reader, defaultFile: string | null): RouteSourceConfig {
  if (r.has('routes_file')) return { kind: 'file', path: r.str('routes_file', '') };
  if (defaultFile !== null) return { kind: 'file', path: defaultFile };
  if (r.has('gorouters')) {
    const gorouters = r.list('gorouters').map((v, i) => {
      const g = r.item('gorouters', i, v);
      const host = g.str('host', 'localhost');
      const port = g.int('port', 8080, 1, 65535);
      const url = /^https?:\/\//.test(host) ? host : `http://${host}:${port}`;
      return { url, user: g.str('user', ''), pass: g.str('pass', g.str('password', '')) };
    });
    if (gorouters.length === 0) r.fail('gorouters', 'must list at least one gorouter');
    return { kind: 'gorouter', gorouters, intervalMs: r.duration('gorouter_poll_interval', 30_000) };
  }
  const n = r.sub('nats');
  const hostsRaw = n.list('hosts');
  const hosts =
    hostsRaw.length === 0
      ? [{ hostname: 'localhost', port: 4222 }]
      : hostsRaw.map((v, i) => {
          const h = n.item('hosts', i, v);
          const hostname = h.str('hostname', '');
          if (hostname === '') h.fail('hostname', 'is required');
          return { hostname, port: h.int('port', 4222, 1, 65535) };
        });
  const user = n.str('user', '');
  const pass = n.str('pass', '');
  const auth = user === '' ? '' : `${encodeURIComponent(user)}:${encodeURIComponent(pass)}@`;
  const servers = hosts.map((h) => `nats://${auth}${h.hostname.includes(':') ? `[${h.hostname}]` : h.hostname}:${h.port}`);
  let tls: { ca: string; cert: string; key: string } | null = null;
  if (n.bool('tls_enabled', false)) {
    const ca = n.str('ca_certs', '');
    const cert = n.str('cert_chain', '');
    const key = n.str('private_key', '');
    for (const [k, v] of [
      ['ca_certs', ca],
      ['cert_chain', cert],
      ['private_key', key],
    ] as const) {
      if (v === '') n.fail(k, 'is required when nats.tls_enabled is true');
    }
    tls = { ca, cert, key };
  }
  return {
    kind: 'nats',
    servers,
    tls,
    pingIntervalMs: r.duration('nats_client_ping_interval', 20_000),
    index: r.int('index', 0, 0, 2 ** 32 - 1),
    startResponseDelayMs: r.duration('start_response_delay_interval', 5_000),
    dropletStaleThresholdMs: r.duration('droplet_stale_threshold', 120_000),
  };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
