import { accessSync, constants, readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type Env, type EnvSettings, parseGoDuration, readEnvSettings } from '../config/index.js';
import { COUNTER_FLOAT_POLICIES, type CounterFloatPolicy } from '../loggregator/index.js';
import { ALL_NAMES, VARIABLES, type VariableName } from './variables.js';

/** CA, certificate and key of one mutual-TLS endpoint. */
export interface TlsTriple {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface ServerSettings {
  host: string;
  /** 0: any free port (logged at start). */
  port: number;
  /** Mutual TLS (client certificates required) when set; plain HTTP otherwise. */
  tls: TlsTriple | null;
}

export interface AgentSettings {
  address: string;
  tls: TlsTriple;
  serverName: string;
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  counterFloats: CounterFloatPolicy;
}

/** The daemon's whole configuration, validated, every default filled in. */
export interface DaemonSettings {
  /** The Loggregator agent; null: the stdout sink (the embedded default). */
  agent: AgentSettings | null;
  defaultSourceId: string;
  useOtelCollector: boolean;
  metricsServer: ServerSettings & { debugMetrics: boolean };
  /** null: the API server is off (`API_SERVER` is not true). */
  apiServer: ServerSettings | null;
  /** 127.0.0.1 only; null when `DEBUG_PORT` is 0 or unset. */
  debugPort: number | null;
  useRfc3339: boolean;
  /** 0: never expire. */
  metricsExpirationIntervalMs: number;
  shutdownTimeoutMs: number;
  configWatchIntervalMs: number;
  maxConcurrentScrapes: number;
  /** The target-source settings (`src/config`'s reading of the same environment). */
  scrape: EnvSettings;
  /** The environment with aliases resolved to their first name; what the config loader reads. */
  env: Env;
}

/** One bad setting: the variable, its value (null when missing), what is wrong and what is allowed. */
export interface SettingProblem {
  variable: string;
  value: string | null;
  message: string;
}

const BOOL_TRUE = ['1', 't', 'T', 'true', 'TRUE', 'True'];
const BOOL_FALSE = ['0', 'f', 'F', 'false', 'FALSE', 'False'];

/**
 * Reads the daemon's settings from an environment (the process env merged over a settings file).
 * Every problem is collected, one per bad variable; `checkFiles` also checks that the TLS files
 * named are readable.
 */
export function readDaemonSettings(
  env: Env,
  opts: { checkFiles?: boolean } = {},
): { settings: DaemonSettings; problems: SettingProblem[] } {
  const problems: SettingProblem[] = [];
  const resolved: Env = { ...env };
  const used = new Map<VariableName, string>(); // the name actually read, for messages

  const problem = (variable: string, value: string | null, what: string) => {
    problems.push({ variable, value, message: `${value === null ? variable : `${variable}=${JSON.stringify(value)}`}: ${what}` });
  };
  const get = (key: VariableName): string | null => {
    const names = VARIABLES[key].names;
    let found: { name: string; value: string } | null = null;
    for (const name of names) {
      const v = env[name];
      if (v === undefined || v.trim() === '') continue;
      if (found === null) found = { name, value: v.trim() };
      else if (found.value !== v.trim())
        problem(name, v, `conflicts with ${found.name}=${JSON.stringify(found.value)}; set only one of ${names.join(', ')}`);
    }
    if (found === null) return null;
    used.set(key, found.name);
    resolved[key] = found.value;
    return found.value;
  };
  const nameOf = (key: VariableName): string => used.get(key) ?? key;
  const bool = (key: VariableName): boolean => {
    const v = get(key);
    if (v === null) return false;
    if (BOOL_TRUE.includes(v)) return true;
    if (!BOOL_FALSE.includes(v)) problem(nameOf(key), v, 'not a boolean; allowed: true, false (also 1, 0, t, f)');
    return false;
  };
  const port = (key: VariableName, dflt: number): number => {
    const v = get(key);
    if (v === null) return dflt;
    const n = /^[0-9]{1,5}$/.test(v) ? Number(v) : Number.NaN;
    if (n >= 0 && n <= 65535) return n;
    problem(nameOf(key), v, 'not a port; allowed: an integer 0-65535 (0: any free port)');
    return dflt;
  };
  const duration = (key: VariableName, dflt: number, allowZero: boolean): number => {
    const v = get(key);
    if (v === null) return dflt;
    try {
      const ms = parseGoDuration(v);
      if (ms > 0 || (allowZero && ms === 0)) return ms;
    } catch {}
    problem(nameOf(key), v, `not a valid duration; allowed: a Go duration ${allowZero ? '>= 0' : '> 0'} like 10s, 1m30s, 500ms`);
    return dflt;
  };
  const positiveInt = (key: VariableName, dflt: number): number => {
    const v = get(key);
    if (v === null) return dflt;
    if (/^[0-9]{1,9}$/.test(v) && Number(v) > 0) return Number(v);
    problem(nameOf(key), v, 'not a positive integer; allowed: 1, 2, 3, …');
    return dflt;
  };
  const host = (key: VariableName, dflt: string): string => {
    const v = get(key);
    if (v === null) return dflt;
    if (/^[A-Za-z0-9.:_-]+$/.test(v)) return v;
    problem(nameOf(key), v, 'not a host; allowed: an IP address or host name to listen on, e.g. 127.0.0.1, 0.0.0.0');
    return dflt;
  };
  const readable = (key: VariableName, file: string): void => {
    if (!opts.checkFiles) return;
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      problem(
        nameOf(key),
        file,
        `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); allowed: a readable PEM file`,
      );
    }
  };
  /** All three or none; `required` names why all three are needed. */
  const triple = (keys: readonly [VariableName, VariableName, VariableName], required: string | null): TlsTriple | null => {
    const values = keys.map((k) => get(k));
    const missing = keys.filter((_k, i) => values[i] === null);
    if (missing.length === 3 && required === null) return null;
    if (missing.length > 0) {
      const why =
        required ??
        `${keys
          .filter((_k, i) => values[i] !== null)
          .map(nameOf)
          .join(' and ')} set`;
      for (const k of missing) {
        const names = VARIABLES[k].names;
        problem(names.join(' or '), null, `missing; required when ${why}; allowed: a readable PEM file path`);
      }
      return null;
    }
    for (const [i, k] of keys.entries()) readable(k, values[i] as string);
    return { caFile: values[0] as string, certFile: values[1] as string, keyFile: values[2] as string };
  };

  // The target sources' variables: src/config owns them, their problems are reported here too.
  const scrapeRead = readEnvSettings(env);
  for (const p of scrapeRead.problems) problem(p.path, env[p.path] ?? null, p.reason);
  for (const k of ['SCRAPE_CA_CERT_PATH', 'SCRAPE_CERT_PATH', 'SCRAPE_KEY_PATH'] as const) {
    const v = get(k);
    if (v !== null) readable(k, v);
  }
  if ((get('SCRAPE_CERT_PATH') === null) !== (get('SCRAPE_KEY_PATH') === null)) {
    const missing = get('SCRAPE_CERT_PATH') === null ? 'SCRAPE_CERT_PATH' : 'SCRAPE_KEY_PATH';
    problem(
      missing,
      null,
      `missing; required when ${missing === 'SCRAPE_CERT_PATH' ? 'SCRAPE_KEY_PATH' : 'SCRAPE_CERT_PATH'} is set (the default client identity needs both)`,
    );
  }

  const serverName = get('LOGGREGATOR_AGENT_SERVER_NAME') ?? 'metron';
  if (!/^[A-Za-z0-9.*-]+$/.test(serverName))
    problem(
      nameOf('LOGGREGATOR_AGENT_SERVER_NAME'),
      serverName,
      'not a host name; allowed: the name in the agent certificate, e.g. metron',
    );
  const counterFloats = get('LOGGREGATOR_COUNTER_FLOATS') ?? 'drop';
  if (!(COUNTER_FLOAT_POLICIES as readonly string[]).includes(counterFloats))
    problem(nameOf('LOGGREGATOR_COUNTER_FLOATS'), counterFloats, `not a policy; allowed: ${COUNTER_FLOAT_POLICIES.join(', ')}`);
  const agentTuning = {
    serverName,
    queueSize: positiveInt('LOGGREGATOR_QUEUE_SIZE', 10_000),
    batchSize: positiveInt('LOGGREGATOR_BATCH_SIZE', 100),
    flushIntervalMs: duration('LOGGREGATOR_FLUSH_INTERVAL', 100, false),
    counterFloats: counterFloats as CounterFloatPolicy,
  };
  if (agentTuning.batchSize > agentTuning.queueSize)
    problem(
      nameOf('LOGGREGATOR_BATCH_SIZE'),
      String(agentTuning.batchSize),
      `larger than LOGGREGATOR_QUEUE_SIZE (${agentTuning.queueSize}); allowed: 1 to the queue size`,
    );

  const address = get('LOGGREGATOR_AGENT_ADDR');
  let agent: DaemonSettings['agent'] = null;
  if (address !== null) {
    if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/.test(address) || Number(address.slice(address.lastIndexOf(':') + 1)) > 65535) {
      problem(nameOf('LOGGREGATOR_AGENT_ADDR'), address, 'not an address; allowed: host:port, e.g. localhost:3458');
    }
    const tls = triple(
      ['LOGGREGATOR_AGENT_CA_FILE_PATH', 'LOGGREGATOR_AGENT_CERT_FILE_PATH', 'LOGGREGATOR_AGENT_KEY_FILE_PATH'],
      'LOGGREGATOR_AGENT_ADDR is set (the agent requires mutual TLS)',
    );
    if (tls !== null) agent = { address, tls, ...agentTuning };
  } else {
    // Agent TLS without an address: most likely a forgotten LOGGREGATOR_AGENT_ADDR.
    const given = (
      ['LOGGREGATOR_AGENT_CA_FILE_PATH', 'LOGGREGATOR_AGENT_CERT_FILE_PATH', 'LOGGREGATOR_AGENT_KEY_FILE_PATH'] as const
    ).filter((k) => get(k) !== null);
    if (given.length > 0)
      problem(
        'LOGGREGATOR_AGENT_ADDR',
        null,
        `missing; required when ${given.map(nameOf).join(', ')} ${given.length > 1 ? 'are' : 'is'} set; allowed: host:port, e.g. localhost:3458`,
      );
  }
  const defaultSourceId = get('DEFAULT_SOURCE_ID');
  if (address !== null && defaultSourceId === null)
    problem(
      'DEFAULT_SOURCE_ID',
      null,
      'missing; required when LOGGREGATOR_AGENT_ADDR is set; allowed: a source id, BOSH: the instance group name',
    );

  const metricsTls = triple(['METRICS_CA_FILE_PATH', 'METRICS_CERT_FILE_PATH', 'METRICS_KEY_FILE_PATH'], null);
  const metricsServer = {
    host: host('METRICS_HOST', '127.0.0.1'),
    port: port('METRICS_PORT', 0),
    tls: metricsTls,
    debugMetrics: bool('DEBUG_METRICS'),
  };
  const apiEnabled = bool('API_SERVER');
  const apiHost = host('API_SERVER_HOST', '127.0.0.1');
  const apiPort = port('API_SERVER_PORT', 0);
  const apiTls = triple(['API_SERVER_CA_FILE_PATH', 'API_SERVER_CERT_FILE_PATH', 'API_SERVER_KEY_FILE_PATH'], null);
  const debugPort = port('DEBUG_PORT', 0);

  const settings: DaemonSettings = {
    agent,
    defaultSourceId: defaultSourceId ?? 'prom_scraper',
    useOtelCollector: bool('USE_OTEL_COLLECTOR'),
    metricsServer,
    apiServer: apiEnabled ? { host: apiHost, port: apiPort, tls: apiTls } : null,
    debugPort: debugPort === 0 ? null : debugPort,
    useRfc3339: bool('USE_RFC3339'),
    metricsExpirationIntervalMs: duration('METRICS_EXPIRATION_INTERVAL', 10 * 60_000, true),
    shutdownTimeoutMs: duration('SHUTDOWN_TIMEOUT', 10_000, false),
    configWatchIntervalMs: duration('CONFIG_WATCH_INTERVAL', 5_000, true),
    maxConcurrentScrapes: positiveInt('MAX_CONCURRENT_SCRAPES', 64),
    scrape: scrapeRead.settings,
    env: resolved,
  };
  return { settings, problems };
}

/** The effective configuration for the start-up log: every variable, secrets redacted. */
export function effectiveConfig(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(VARIABLES)) {
    let v: string | undefined;
    for (const n of spec.names) {
      const x = env[n];
      if (x !== undefined && x.trim() !== '') {
        v = x.trim();
        break;
      }
    }
    if (v === undefined) out[key] = spec.default === '' ? '(unset)' : `(default) ${spec.default}`;
    else out[key] = 'secret' in spec && spec.secret ? `<redacted, ${Buffer.byteLength(v)} bytes>` : v;
  }
  return out;
}

/** A settings file that cannot be read or holds something other than known settings. */
export class SettingsFileError extends Error {
  readonly code = 'SETTINGS_FILE_INVALID';
}

/**
 * The optional YAML settings file: a map of the same names as the environment variables (any
 * case), e.g. `metrics_port: 14821`. Lists become comma-separated values, maps (e.g.
 * `additional_scrape_configs`) YAML text. Environment variables win over the file.
 */
export function readSettingsFile(path: string): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SettingsFileError(`${path}: cannot read the settings file: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SettingsFileError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new SettingsFileError(`${path}: expected a map of settings (e.g. metrics_port: 14821)`);
  const out: Env = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const name = key.toUpperCase();
    if (!ALL_NAMES.has(name))
      throw new SettingsFileError(`${path}: ${key}: unknown setting; allowed: ${[...ALL_NAMES].map((n) => n.toLowerCase()).join(', ')}`);
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      if (name === 'ADDITIONAL_SCRAPE_CONFIGS') out[name] = stringifyYaml(value);
      else out[name] = value.map((x) => String(x)).join(',');
    } else if (typeof value === 'object') {
      if (name !== 'ADDITIONAL_SCRAPE_CONFIGS') throw new SettingsFileError(`${path}: ${key}: expected a scalar or a list, got a map`);
      out[name] = stringifyYaml(value);
    } else out[name] = String(value);
  }
  return out;
}
