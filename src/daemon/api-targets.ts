import { createHash } from 'node:crypto';
import {
  baseJob,
  type EnvSettings,
  parseGoDuration,
  type ScrapeJobConfig,
  scrapeDefaultsFromEnv,
  targetAddressProblem,
} from '../config/index.js';

/** One problem of a request body: the JSON field (`targets[1]`, `labels.a-b`) and what is wrong. */
export interface FieldError {
  field: string;
  message: string;
}

/** A validated `POST /v1/scrape_targets` body, as echoed back by the API. */
export interface ApiTargetSpec {
  targets: string[];
  source_id: string;
  instance_id: string;
  scrape_interval: string;
  scrape_timeout: string | null;
  metrics_path: string;
  scheme: 'http' | 'https';
  server_name: string | null;
  labels: Record<string, string>;
  headers: Record<string, string>;
}

const REQUIRED = ['targets', 'source_id', 'instance_id', 'scrape_interval'] as const;
const OPTIONAL = ['metrics_path', 'scheme', 'labels', 'headers', 'scrape_timeout', 'server_name'] as const;
const ALLOWED = new Set<string>([...REQUIRED, ...OPTIONAL]);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_TARGETS = 1000;

/**
 * The id of an API target: stable for a (source_id, instance_id) pair, so posting the same pair
 * again replaces the target instead of adding a second one, and the id is the same after a
 * restart when the platform registers the target again.
 */
export function apiTargetId(sourceId: string, instanceId: string): string {
  return `api-${createHash('sha256').update(`${sourceId}\0${instanceId}`).digest('hex').slice(0, 16)}`;
}

/** The id under which a job from the config files is listed (not deletable through the API). */
export function configJobId(jobName: string): string {
  return `cfg-${createHash('sha256').update(jobName).digest('hex').slice(0, 16)}`;
}

function stringMap(value: unknown, field: string, errors: FieldError[], key: RegExp, keyWhat: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push({ field, message: 'must be an object of string values' });
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!key.test(k)) errors.push({ field: `${field}.${k}`, message: `invalid name; allowed: ${keyWhat}` });
    else if (typeof v !== 'string') errors.push({ field: `${field}.${k}`, message: 'must be a string' });
    else out[k] = v;
  }
  return out;
}

function durationField(value: unknown, field: string, errors: FieldError[]): number | null {
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a Go duration string like "15s" or "1m30s"' });
    return null;
  }
  try {
    const ms = parseGoDuration(value);
    if (ms > 0) return ms;
    errors.push({ field, message: `${JSON.stringify(value)} must be greater than 0` });
  } catch (err) {
    errors.push({ field, message: `${(err as Error).message}; use a Go duration like "15s" or "1m30s"` });
  }
  return null;
}

/**
 * Validates a request body. Every problem is reported (not only the first), each naming its
 * field. `env` gives the defaults a CF per-job file would get (TLS files, SKIP_SSL_VALIDATION).
 */
export function validateApiTarget(
  body: unknown,
  env: EnvSettings,
): { spec: ApiTargetSpec; job: (id: string) => ScrapeJobConfig } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { errors: [{ field: '', message: 'the body must be a JSON object' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!ALLOWED.has(k)) errors.push({ field: k, message: `unknown field; allowed: ${[...ALLOWED].join(', ')}` });
  for (const k of REQUIRED) if (b[k] === undefined || b[k] === null) errors.push({ field: k, message: 'required' });

  const targets: string[] = [];
  if (b.targets !== undefined && b.targets !== null) {
    if (!Array.isArray(b.targets) || b.targets.length === 0)
      errors.push({ field: 'targets', message: 'must be a non-empty array of "host:port" strings' });
    else if (b.targets.length > MAX_TARGETS) errors.push({ field: 'targets', message: `at most ${MAX_TARGETS} targets per entry` });
    else
      b.targets.forEach((t: unknown, i: number) => {
        if (typeof t !== 'string') errors.push({ field: `targets[${i}]`, message: 'must be a "host:port" string' });
        else {
          const p = targetAddressProblem(t);
          if (p !== null) errors.push({ field: `targets[${i}]`, message: p });
          else if (targets.includes(t)) errors.push({ field: `targets[${i}]`, message: `duplicate target ${JSON.stringify(t)}` });
          else targets.push(t);
        }
      });
  }
  const str = (k: 'source_id' | 'instance_id', nonEmpty: boolean): string => {
    const v = b[k];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' || (nonEmpty && v === ''))
      errors.push({ field: k, message: nonEmpty ? 'must be a non-empty string' : 'must be a string' });
    return typeof v === 'string' ? v : '';
  };
  const sourceId = str('source_id', true);
  const instanceId = str('instance_id', false);
  const intervalMs =
    b.scrape_interval === undefined || b.scrape_interval === null ? null : durationField(b.scrape_interval, 'scrape_interval', errors);
  let timeoutMs: number | null = null;
  if (b.scrape_timeout !== undefined) {
    timeoutMs = durationField(b.scrape_timeout, 'scrape_timeout', errors);
    if (timeoutMs !== null && intervalMs !== null && timeoutMs > intervalMs)
      errors.push({
        field: 'scrape_timeout',
        message: `${JSON.stringify(b.scrape_timeout)} must not exceed scrape_interval ${JSON.stringify(b.scrape_interval)}`,
      });
  }
  let metricsPath = '/metrics';
  if (b.metrics_path !== undefined) {
    if (typeof b.metrics_path !== 'string' || b.metrics_path === '' || b.metrics_path.includes('?') || /\s/.test(b.metrics_path))
      errors.push({ field: 'metrics_path', message: 'must be a URL path like "/metrics" (no query string, no spaces)' });
    else metricsPath = b.metrics_path.startsWith('/') ? b.metrics_path : `/${b.metrics_path}`;
  }
  let scheme: 'http' | 'https' = 'http';
  if (b.scheme !== undefined) {
    if (b.scheme === 'http' || b.scheme === 'https') scheme = b.scheme;
    else errors.push({ field: 'scheme', message: `${JSON.stringify(b.scheme)} is not allowed; allowed: http, https` });
  }
  let serverName: string | null = null;
  if (b.server_name !== undefined) {
    if (typeof b.server_name !== 'string' || b.server_name === '')
      errors.push({ field: 'server_name', message: 'must be a non-empty string' });
    else serverName = b.server_name;
  }
  if (scheme === 'https' && serverName === null && env.scrapeCertPath !== null)
    errors.push({
      field: 'server_name',
      message: 'required when scheme is https and SCRAPE_CERT_PATH is set (the name to verify the target certificate against)',
    });
  const labels = stringMap(b.labels, 'labels', errors, LABEL_NAME, 'a Prometheus label name [a-zA-Z_][a-zA-Z0-9_]*');
  const headers = stringMap(b.headers, 'headers', errors, HEADER_NAME, 'an HTTP header name');
  if (errors.length > 0) return { errors };

  const interval = intervalMs as number;
  const spec: ApiTargetSpec = {
    targets,
    source_id: sourceId,
    instance_id: instanceId,
    scrape_interval: b.scrape_interval as string,
    scrape_timeout: timeoutMs === null ? null : (b.scrape_timeout as string),
    metrics_path: metricsPath,
    scheme,
    server_name: serverName,
    labels,
    headers,
  };
  const d = scrapeDefaultsFromEnv(env);
  const labelPairs: string[] = [];
  for (const k of Object.keys(labels).sort()) labelPairs.push(k, labels[k] as string);
  // The defaults of a CF per-job file (src/config/cf-target-file.ts): labels are default tags,
  // timeout min(10s, interval), TLS from the SCRAPE_* variables, TLS 1.2 or later.
  const job = (id: string): ScrapeJobConfig => ({
    ...baseJob(id, `api: ${id}`),
    scrapeIntervalMs: interval,
    scrapeTimeoutMs: timeoutMs ?? Math.min(d.scrapeTimeoutMs, interval),
    metricsPath,
    scheme,
    honorLabels: true,
    staticConfigs: [{ targets, labels: labelPairs, source: `api: ${id}` }],
    tls: {
      caFile: d.caFile,
      certFile: d.certFile,
      keyFile: d.keyFile,
      serverName,
      insecureSkipVerify: d.insecureSkipVerify,
      minVersion: 'TLSv1.2',
    },
    headers,
    sourceId,
    instanceId,
    declaredSourceId: sourceId,
    cfStyle: true,
  });
  return { spec, job };
}
