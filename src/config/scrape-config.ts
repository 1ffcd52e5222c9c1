import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Labels } from '../exposition/index.js';
import { compileRelabelConfigs, formatPromDuration, isValidLabelName, parsePromDuration, RelabelConfigError } from '../relabel/index.js';
import { parseByteSize } from './byte-size.js';
import { DEFAULT_FILE_SD_REFRESH_MS, DEFAULT_METRICS_PATH, type ScrapeDefaults, withDefaults } from './defaults.js';
import { ConfigError } from './errors.js';
import { targetAddressProblem } from './target-address.js';
import type { ScrapeJobConfig, TargetGroup, TlsSettings } from './types.js';
import { describe, formatPath, type PathSegment, YamlSource } from './yaml-source.js';

const TOP_KEYS = ['global', 'scrape_configs'] as const;
const GLOBAL_KEYS = [
  'scrape_interval',
  'scrape_timeout',
  'evaluation_interval',
  'external_labels',
  'body_size_limit',
  'sample_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
] as const;
const JOB_KEYS = [
  'job_name',
  'scrape_interval',
  'scrape_timeout',
  'metrics_path',
  'scheme',
  'params',
  'honor_labels',
  'honor_timestamps',
  'static_configs',
  'file_sd_configs',
  'relabel_configs',
  'metric_relabel_configs',
  'sample_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'body_size_limit',
  'tls_config',
  'basic_auth',
  'authorization',
  'headers',
  'source_id',
  'instance_id',
] as const;
const TLS_KEYS = ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version'] as const;
const BASIC_AUTH_KEYS = ['username', 'password', 'password_file'] as const;
const AUTHORIZATION_KEYS = ['type', 'credentials', 'credentials_file'] as const;
const STATIC_KEYS = ['targets', 'labels'] as const;
const FILE_SD_KEYS = ['files', 'refresh_interval'] as const;
const LIMIT_KEYS = ['sample_limit', 'label_limit', 'label_name_length_limit', 'label_value_length_limit'] as const;

const NOT_READ = 'not supported by cf-prom: only global and scrape_configs are read';
const TOP_HINTS: Record<string, string> = {
  rule_files: NOT_READ,
  alerting: NOT_READ,
  remote_write: NOT_READ,
  remote_read: NOT_READ,
  storage: NOT_READ,
  tracing: NOT_READ,
  otlp: NOT_READ,
  runtime: NOT_READ,
  scrape_config_files: `${NOT_READ}; list the files in PATHS_TO_SCRAPE_CONFIGS`,
  port: 'this looks like a CF prom_scraper_config.yml; list it in CONFIG_GLOBS instead',
};
const JOB_HINTS: Record<string, string> = {
  bearer_token: 'use authorization: {credentials: ...}',
  bearer_token_file: 'use authorization: {credentials_file: ...}',
  http_headers: 'use headers: {Name: value}',
  path: 'use metrics_path',
};
const TLS_VERSIONS: Record<string, TlsSettings['minVersion']> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
// Prometheus's rule for file_sd paths: a json/yml/yaml file, with `*` only in the last element.
const FILE_SD_PATTERN = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What one Prometheus-style text yields: the valid jobs and every problem found. */
export interface ScrapeConfigResult {
  jobs: ScrapeJobConfig[];
  problems: ConfigError[];
}

/**
 * Reads Prometheus-style YAML (`global:` + `scrape_configs:`; a bare list is taken as the
 * `scrape_configs` list) and collects every problem instead of stopping at the first. Jobs with
 * a problem are left out of `jobs`.
 */
export function collectScrapeConfigText(text: string, origin: string, defaults?: Partial<ScrapeDefaults>): ScrapeConfigResult {
  const d = withDefaults(defaults);
  const src = YamlSource.parse(text, origin);
  if (!src.ok) return { jobs: [], problems: src.problems };
  const jobs: ScrapeJobConfig[] = [];
  let root: Record<string, unknown> | undefined;
  let list: unknown;
  let listPath: PathSegment[] = ['scrape_configs'];
  if (Array.isArray(src.value)) {
    root = {};
    list = src.value;
    listPath = [];
  } else {
    root = src.mapping(src.value, [], TOP_KEYS, TOP_HINTS);
    list = root?.scrape_configs;
  }
  if (root === undefined) return { jobs, problems: src.problems };
  const global = readGlobal(src, root.global, d);
  const items = src.list(list, listPath, 'scrape configs') ?? [];
  const seen = new Map<string, string>();
  items.forEach((raw, i) => {
    const path = [...listPath, i];
    const before = src.problems.length;
    const job = readJob(src, raw, path, global, d);
    if (job === undefined) return;
    const first = seen.get(job.jobName);
    if (first !== undefined)
      src.fail([...path, 'job_name'], `duplicate job name ${JSON.stringify(job.jobName)} (first defined at ${first})`);
    else seen.set(job.jobName, formatPath(path));
    if (src.problems.length === before) jobs.push(job);
  });
  return { jobs, problems: src.problems };
}

/**
 * Prometheus-style YAML text → validated jobs with every default filled in.
 * @throws ConfigError for the first problem (strict, like Prometheus's loader).
 */
export function loadScrapeConfigText(text: string, origin: string, defaults?: Partial<ScrapeDefaults>): ScrapeJobConfig[] {
  const r = collectScrapeConfigText(text, origin, defaults);
  if (r.problems[0] !== undefined) throw r.problems[0];
  return r.jobs;
}

/** Reads a file and collects its jobs and problems; relative paths inside resolve against its directory. */
export function collectScrapeConfigFile(path: string, defaults?: Partial<ScrapeDefaults>): ScrapeConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { jobs: [], problems: [new ConfigError(path, '', `cannot read file: ${(err as Error).message}`, null, { cause: err })] };
  }
  return collectScrapeConfigText(text, path, { ...defaults, baseDir: dirname(resolve(path)) });
}

/** {@link loadScrapeConfigText} on a file. @throws ConfigError */
export function loadScrapeConfigFile(path: string, defaults?: Partial<ScrapeDefaults>): ScrapeJobConfig[] {
  const r = collectScrapeConfigFile(path, defaults);
  if (r.problems[0] !== undefined) throw r.problems[0];
  return r.jobs;
}

interface GlobalSettings {
  intervalMs: number;
  timeoutMs: number;
  bodySizeLimitBytes: number;
  limits: Record<(typeof LIMIT_KEYS)[number], number>;
}

function readGlobal(src: YamlSource, raw: unknown, d: ScrapeDefaults): GlobalSettings {
  const g = src.mapping(raw, ['global'], GLOBAL_KEYS) ?? {};
  const intervalMs = duration(src, g.scrape_interval, ['global', 'scrape_interval']) || d.scrapeIntervalMs;
  let timeoutMs = duration(src, g.scrape_timeout, ['global', 'scrape_timeout']);
  if (timeoutMs > intervalMs) {
    src.fail(
      ['global', 'scrape_timeout'],
      `${formatPromDuration(timeoutMs)} must not exceed scrape_interval ${formatPromDuration(intervalMs)}`,
    );
  }
  if (timeoutMs === 0) timeoutMs = Math.min(d.scrapeTimeoutMs, intervalMs);
  duration(src, g.evaluation_interval, ['global', 'evaluation_interval']);
  labelMap(src, g.external_labels, ['global', 'external_labels']);
  const limits = { sample_limit: 0, label_limit: 0, label_name_length_limit: 0, label_value_length_limit: 0 };
  for (const k of LIMIT_KEYS) limits[k] = src.count(g[k], ['global', k]) ?? 0;
  return { intervalMs, timeoutMs, bodySizeLimitBytes: byteSize(src, g.body_size_limit, ['global', 'body_size_limit']), limits };
}

function readJob(
  src: YamlSource,
  raw: unknown,
  path: PathSegment[],
  global: GlobalSettings,
  d: ScrapeDefaults,
): ScrapeJobConfig | undefined {
  if (raw === null || raw === undefined) {
    src.fail(path, 'empty scrape config; it needs at least job_name');
    return undefined;
  }
  const o = src.mapping(raw, path, JOB_KEYS, JOB_HINTS);
  if (o === undefined) return undefined;
  const at = (...k: PathSegment[]) => [...path, ...k];
  const file = (v: unknown, p: PathSegment[]) => filePath(src, v, p, d);

  const jobName = src.string(o.job_name, at('job_name')) ?? '';
  if (jobName === '' && o.job_name !== undefined) src.fail(at('job_name'), 'must not be empty');
  if (o.job_name === undefined || o.job_name === null) src.fail(path, 'job_name is missing; every scrape config needs a unique job_name');

  const intervalMs = duration(src, o.scrape_interval, at('scrape_interval')) || global.intervalMs;
  let timeoutMs = duration(src, o.scrape_timeout, at('scrape_timeout'));
  if (timeoutMs > intervalMs) {
    src.fail(at('scrape_timeout'), `${formatPromDuration(timeoutMs)} must not exceed scrape_interval ${formatPromDuration(intervalMs)}`);
  }
  if (timeoutMs === 0) timeoutMs = Math.min(global.timeoutMs, intervalMs);

  let metricsPath = src.string(o.metrics_path, at('metrics_path')) ?? DEFAULT_METRICS_PATH;
  if (metricsPath === '') metricsPath = DEFAULT_METRICS_PATH;
  if (metricsPath.includes('?'))
    src.fail(at('metrics_path'), `${JSON.stringify(metricsPath)} must not contain a query; put query parameters in params`);
  if (!metricsPath.startsWith('/')) metricsPath = `/${metricsPath}`;

  const schemeText = src.string(o.scheme, at('scheme')) ?? 'http';
  if (schemeText !== 'http' && schemeText !== 'https')
    src.fail(at('scheme'), `unsupported scheme ${JSON.stringify(schemeText)}; allowed: http, https`);
  const scheme = schemeText === 'https' ? 'https' : 'http';

  const params: Record<string, string[]> = {};
  const paramsObj = src.mapping(o.params, at('params'), null) ?? {};
  for (const [k, v] of Object.entries(paramsObj)) {
    const values = src.stringList(v, at('params', k), 'strings');
    if (values !== undefined) params[k] = values;
  }

  const staticConfigs: TargetGroup[] = [];
  const origin = `${src.file}: ${formatPath(path)}`;
  (src.list(o.static_configs, at('static_configs'), 'static configs') ?? []).forEach((g, i) => {
    const gp = at('static_configs', i);
    const group = src.mapping(g, gp, STATIC_KEYS);
    if (group === undefined) return;
    const targets = src.stringList(group.targets, [...gp, 'targets'], 'target addresses') ?? [];
    targets.forEach((t, j) => {
      const problem = targetAddressProblem(t);
      if (problem !== null) src.fail([...gp, 'targets', j], problem);
    });
    staticConfigs.push({ targets, labels: labelMap(src, group.labels, [...gp, 'labels']), source: `${origin}.static_configs[${i}]` });
  });

  const fileSdConfigs: ScrapeJobConfig['fileSdConfigs'] = [];
  (src.list(o.file_sd_configs, at('file_sd_configs'), 'file_sd configs') ?? []).forEach((c, i) => {
    const cp = at('file_sd_configs', i);
    const cfg = src.mapping(c, cp, FILE_SD_KEYS);
    if (cfg === undefined) return;
    const files = src.stringList(cfg.files, [...cp, 'files'], 'file paths or patterns') ?? [];
    if (files.length === 0 && cfg.files !== undefined && !Array.isArray(cfg.files)) return;
    if (files.length === 0) src.fail(cp, 'files is missing; list at least one .json, .yml or .yaml file or pattern');
    files.forEach((f, j) => {
      if (!FILE_SD_PATTERN.test(f)) {
        src.fail(
          [...cp, 'files', j],
          `path name ${JSON.stringify(f)} is not valid for file discovery: use .json, .yml or .yaml files, with * only in the file name`,
        );
      }
    });
    const refreshIntervalMs = duration(src, cfg.refresh_interval, [...cp, 'refresh_interval']) || DEFAULT_FILE_SD_REFRESH_MS;
    fileSdConfigs.push({ files: files.map((f) => (isAbsolute(f) ? f : resolve(d.baseDir, f))), refreshIntervalMs });
  });

  const relabelConfigs = relabelRules(src, o.relabel_configs, at('relabel_configs'));
  const metricRelabelConfigs = relabelRules(src, o.metric_relabel_configs, at('metric_relabel_configs'));

  const limit = (k: (typeof LIMIT_KEYS)[number]) => src.count(o[k], at(k)) || global.limits[k];
  const bodySizeLimitBytes = byteSize(src, o.body_size_limit, at('body_size_limit')) || global.bodySizeLimitBytes;

  const tls = readTls(src, o.tls_config, at('tls_config'), d, file);
  const basicAuth = readBasicAuth(src, o.basic_auth, at('basic_auth'), file);
  const authorization = readAuthorization(src, o.authorization, at('authorization'), file);
  if (basicAuth !== null && authorization !== null)
    src.fail(at('authorization'), 'basic_auth and authorization are both set; use only one');

  const headers = src.stringMap(o.headers, at('headers')) ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) src.fail(at('headers', name), 'invalid HTTP header name', true);
    else if (/[\r\n\0]/.test(value)) src.fail(at('headers', name), 'header value must not contain CR, LF or NUL');
    else if (name.toLowerCase() === 'authorization' && (basicAuth !== null || authorization !== null)) {
      src.fail(at('headers', name), 'conflicts with basic_auth/authorization; set the credentials in one place', true);
    }
  }

  const declaredSourceId = src.string(o.source_id, at('source_id')) ?? '';
  const instanceId = src.string(o.instance_id, at('instance_id')) ?? '';

  return {
    jobName,
    origin,
    scrapeIntervalMs: intervalMs,
    scrapeTimeoutMs: timeoutMs,
    metricsPath,
    scheme,
    params,
    honorLabels: src.boolean(o.honor_labels, at('honor_labels')) ?? false,
    honorTimestamps: src.boolean(o.honor_timestamps, at('honor_timestamps')) ?? true,
    staticConfigs,
    fileSdConfigs,
    relabelConfigs,
    metricRelabelConfigs,
    sampleLimit: limit('sample_limit'),
    labelLimit: limit('label_limit'),
    labelNameLengthLimit: limit('label_name_length_limit'),
    labelValueLengthLimit: limit('label_value_length_limit'),
    bodySizeLimitBytes,
    tls,
    basicAuth,
    authorization,
    headers,
    sourceId: declaredSourceId || d.defaultSourceId || jobName,
    declaredSourceId,
    instanceId: instanceId === '' ? null : instanceId,
    cfStyle: false,
  };
}

/** A Prometheus duration; 0 when absent (callers apply the default). */
function duration(src: YamlSource, v: unknown, path: PathSegment[]): number {
  const text = src.string(v, path);
  if (text === undefined) return 0;
  try {
    return parsePromDuration(text);
  } catch (err) {
    src.fail(path, `${(err as Error).message}; use e.g. 30s, 1m30s, 1h`);
    return 0;
  }
}

function byteSize(src: YamlSource, v: unknown, path: PathSegment[]): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  const text = src.string(v, path);
  if (text === undefined) return 0;
  try {
    return parseByteSize(text);
  } catch (err) {
    src.fail(path, (err as Error).message);
    return 0;
  }
}

function labelMap(src: YamlSource, v: unknown, path: PathSegment[]): Labels {
  const map = src.stringMap(v, path) ?? {};
  const out: Labels = [];
  for (const [name, value] of Object.entries(map)) {
    if (!isValidLabelName(name, 'utf8')) src.fail([...path, name], `invalid label name ${JSON.stringify(name)}`, true);
    else out.push(name, value);
  }
  return out;
}

function relabelRules(src: YamlSource, v: unknown, path: PathSegment[]): unknown[] {
  if (v === null || v === undefined) return [];
  try {
    compileRelabelConfigs(v, formatPath(path));
  } catch (err) {
    if (!(err instanceof RelabelConfigError)) throw err;
    const p: PathSegment[] = err.ruleIndex < 0 ? path : [...path, err.ruleIndex, ...(err.field === null ? [] : [err.field])];
    src.fail(p, err.reason);
    return [];
  }
  return v as unknown[];
}

/** A path to a file: resolved against the config's directory; checked readable in check mode. */
function filePath(src: YamlSource, v: unknown, path: PathSegment[], d: ScrapeDefaults): string | null {
  const text = src.string(v, path);
  if (text === undefined || text === '') return null;
  const abs = isAbsolute(text) ? text : resolve(d.baseDir, text);
  if (d.checkFiles) {
    try {
      accessSync(abs, constants.R_OK);
    } catch (err) {
      src.fail(path, `cannot read ${JSON.stringify(abs)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return abs;
}

type FileReader = (v: unknown, p: PathSegment[]) => string | null;

function readTls(src: YamlSource, v: unknown, path: PathSegment[], d: ScrapeDefaults, file: FileReader): TlsSettings {
  const o = src.mapping(v, path, TLS_KEYS) ?? {};
  const caFile = file(o.ca_file, [...path, 'ca_file']);
  const certFile = file(o.cert_file, [...path, 'cert_file']);
  const keyFile = file(o.key_file, [...path, 'key_file']);
  if (certFile !== null && keyFile === null)
    src.fail([...path, 'cert_file'], 'client certificate given without key_file; set both or neither');
  if (keyFile !== null && certFile === null) src.fail([...path, 'key_file'], 'client key given without cert_file; set both or neither');
  const own = certFile !== null || keyFile !== null;
  let minVersion: TlsSettings['minVersion'] = null;
  const mv = src.string(o.min_version, [...path, 'min_version']);
  if (mv !== undefined && mv !== '') {
    const known = TLS_VERSIONS[mv];
    if (known === undefined) src.fail([...path, 'min_version'], `unsupported TLS version ${JSON.stringify(mv)}; allowed: TLS12, TLS13`);
    else minVersion = known;
  }
  const serverName = src.string(o.server_name, [...path, 'server_name']) ?? '';
  return {
    caFile: caFile ?? d.caFile,
    certFile: own ? certFile : d.certFile,
    keyFile: own ? keyFile : d.keyFile,
    serverName: serverName === '' ? null : serverName,
    insecureSkipVerify: src.boolean(o.insecure_skip_verify, [...path, 'insecure_skip_verify']) ?? d.insecureSkipVerify,
    minVersion,
  };
}

function readBasicAuth(src: YamlSource, v: unknown, path: PathSegment[], file: FileReader): ScrapeJobConfig['basicAuth'] {
  if (v === null || v === undefined) return null;
  const o = src.mapping(v, path, BASIC_AUTH_KEYS);
  if (o === undefined) return null;
  const username = src.string(o.username, [...path, 'username']) ?? '';
  const password = src.string(o.password, [...path, 'password']) ?? '';
  const passwordFile = file(o.password_file, [...path, 'password_file']);
  if (password !== '' && passwordFile !== null) src.fail(path, 'password and password_file are both set; use only one');
  return { username, password: password === '' ? null : password, passwordFile };
}

function readAuthorization(src: YamlSource, v: unknown, path: PathSegment[], file: FileReader): ScrapeJobConfig['authorization'] {
  if (v === null || v === undefined) return null;
  const o = src.mapping(v, path, AUTHORIZATION_KEYS);
  if (o === undefined) return null;
  const type = src.string(o.type, [...path, 'type']) || 'Bearer';
  if (type.toLowerCase() === 'basic') src.fail([...path, 'type'], `${JSON.stringify(type)} is not allowed here; use basic_auth`);
  else if (!HEADER_NAME.test(type)) src.fail([...path, 'type'], `invalid authorization type ${describe(type)}`);
  const credentials = src.string(o.credentials, [...path, 'credentials']) ?? '';
  const credentialsFile = file(o.credentials_file, [...path, 'credentials_file']);
  if (credentials !== '' && credentialsFile !== null) src.fail(path, 'credentials and credentials_file are both set; use only one');
  else if (credentials === '' && credentialsFile === null) src.fail(path, 'needs credentials or credentials_file');
  return { type, credentials: credentials === '' ? null : credentials, credentialsFile };
}
