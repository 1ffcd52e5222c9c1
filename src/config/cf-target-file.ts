import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq } from 'yaml';
import { baseJob, CF_DEFAULT_SCRAPE_INTERVAL_MS, PROMETHEUS_DEFAULTS } from './defaults.js';
import { type Env, type EnvSettings, readEnvSettings } from './env.js';
import { ConfigError } from './errors.js';
import { parseGoDurationNs } from './go-duration.js';
import type { ScrapeJobConfig } from './types.js';
import { describe, YamlSource } from './yaml-source.js';

/** A CF per-job file gives a job, or is skipped (invalid port or scheme) with a reason to log. */
export type CfTargetResult = { job: ScrapeJobConfig; skipped: null } | { job: null; skipped: string };

const STRING_KEYS = [
  'port',
  'source_id',
  'instance_id',
  'scheme',
  'server_name',
  'path',
  'ca_path',
  'client_key_path',
  'client_cert_path',
] as const;
type StringKey = (typeof STRING_KEYS)[number];

/**
 * Reads a released prom-scraper `prom_scraper_config.yml` (spec A1) into a job with
 * `cfStyle: true` and one target `127.0.0.1:<port>`. Unknown keys are ignored, as the original
 * does; a bad port (not an integer in 1..65536, 65536 included as there) skips the file.
 * @throws ConfigError when the file is unreadable or not YAML of the right shape, when an
 * environment variable is invalid, or for an https target without `server_name` while
 * `SCRAPE_CERT_PATH` is set (the original refuses to start).
 */
export function loadCfTargetFile(path: string, env: Env | EnvSettings): CfTargetResult {
  let settings: EnvSettings;
  if (isEnvSettings(env)) settings = env;
  else {
    const r = readEnvSettings(env);
    if (r.problems[0] !== undefined) throw r.problems[0];
    settings = r.settings;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '', `cannot read file: ${(err as Error).message}`, null, { cause: err });
  }
  return cfTargetFromText(text, path, settings);
}

function isEnvSettings(v: Env | EnvSettings): v is EnvSettings {
  return Array.isArray((v as EnvSettings).configGlobs);
}

/** {@link loadCfTargetFile} on text already read. @throws ConfigError */
export function cfTargetFromText(text: string, file: string, settings: EnvSettings): CfTargetResult {
  // yaml.v2 (the original's decoder) lets a later duplicate key win.
  const src = YamlSource.parse(text, file, { uniqueKeys: false });
  if (src.problems[0] !== undefined) throw src.problems[0];
  const root = src.resolveAlias(src.root);
  const strings: Partial<Record<StringKey, string>> = {};
  const maps: { headers?: Record<string, string>; labels?: Record<string, string> } = {};
  let intervalNode: unknown;
  let hasInterval = false;
  if (root !== null && root !== undefined && !(isScalar(root) && root.value === null)) {
    if (!isMap(root))
      throw new ConfigError(
        file,
        '',
        `must be a mapping of prom_scraper_config keys (port, source_id, ...), got ${isSeq(root) ? 'a list' : 'a scalar'}`,
        src.nodeLine(root),
      );
    for (const pair of root.items) {
      const key = src.goString(pair.key);
      if (key === undefined) continue;
      if ((STRING_KEYS as readonly string[]).includes(key)) {
        const v = src.goString(pair.value);
        if (v === undefined) throw new ConfigError(file, key, 'must be a string, got a list or mapping', src.nodeLine(pair.value));
        strings[key as StringKey] = v;
      } else if (key === 'headers' || key === 'labels') {
        maps[key] = goStringMap(src, pair.value, key);
      } else if (key === 'scrape_interval') {
        intervalNode = pair.value;
        hasInterval = true;
      }
    }
  }

  const portText = strings.port ?? '';
  // Go's strconv.Atoi: optional sign, decimal digits.
  const port = /^[+-]?[0-9]+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port > 0 && port <= 65536)) {
    return {
      job: null,
      skipped:
        portText === ''
          ? 'port is missing - skipping this config file'
          : `port ${JSON.stringify(portText)} is not valid (allowed: 1-65536) - skipping this config file`,
    };
  }
  const schemeText = (strings.scheme ?? 'http').toLowerCase() || 'http';
  if (schemeText !== 'http' && schemeText !== 'https') {
    return { job: null, skipped: `scheme ${JSON.stringify(strings.scheme)} is not http or https - skipping this config file` };
  }
  const scheme: 'http' | 'https' = schemeText;

  const intervalMs = hasInterval ? cfInterval(src, intervalNode, file) : (settings.scrapeIntervalMs ?? CF_DEFAULT_SCRAPE_INTERVAL_MS);
  const serverName = strings.server_name ?? '';
  if (scheme === 'https' && serverName === '' && settings.scrapeCertPath !== null) {
    throw new ConfigError(
      file,
      'server_name',
      'missing; required when scheme is https and SCRAPE_CERT_PATH is set (mTLS to 127.0.0.1 needs the name to verify; the released prom-scraper refuses to start too)',
    );
  }

  // The URL is <scheme>://127.0.0.1:<port>/<path without one leading slash>.
  let metricsPath = `/${(strings.path ?? '/metrics').replace(/^\//, '')}`;
  const params: Record<string, string[]> = {};
  const q = metricsPath.indexOf('?');
  if (q !== -1) {
    for (const [k, v] of new URLSearchParams(metricsPath.slice(q + 1))) params[k] = [...(params[k] ?? []), v];
    metricsPath = metricsPath.slice(0, q);
  }

  const own = (strings.client_cert_path ?? '') !== '' && (strings.client_key_path ?? '') !== '';
  const dflt = settings.scrapeCertPath !== null && settings.scrapeKeyPath !== null;
  const labels = Object.entries(maps.labels ?? {}).flat();
  const declaredSourceId = strings.source_id ?? '';
  const instanceId = strings.instance_id ?? '';
  return {
    skipped: null,
    job: {
      ...baseJob(file, file),
      scrapeIntervalMs: intervalMs,
      // The original has no request timeout; cf-prom keeps Prometheus's 10s cap (never above the interval).
      scrapeTimeoutMs: Math.min(PROMETHEUS_DEFAULTS.scrapeTimeoutMs, intervalMs),
      metricsPath,
      scheme,
      params,
      honorLabels: true,
      staticConfigs: [{ targets: [`127.0.0.1:${port}`], labels, source: file }],
      tls: {
        caFile: strings.ca_path || settings.scrapeCaCertPath,
        certFile: own ? (strings.client_cert_path as string) : dflt ? settings.scrapeCertPath : null,
        keyFile: own ? (strings.client_key_path as string) : dflt ? settings.scrapeKeyPath : null,
        serverName: serverName === '' ? null : serverName,
        insecureSkipVerify: settings.skipSslValidation,
        minVersion: 'TLSv1.2',
      },
      headers: maps.headers ?? {},
      sourceId: declaredSourceId || settings.defaultSourceId,
      declaredSourceId,
      instanceId: instanceId === '' ? null : instanceId,
      cfStyle: true,
    },
  };
}

function goStringMap(src: YamlSource, node: unknown, key: string): Record<string, string> {
  node = src.resolveAlias(node);
  const out: Record<string, string> = {};
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return out;
  if (!isMap(node))
    throw new ConfigError(
      src.file,
      key,
      `must be a mapping of strings to strings, got ${isSeq(node) ? 'a list' : describe((node as { value?: unknown }).value)}`,
      src.nodeLine(node),
    );
  for (const pair of node.items) {
    const k = src.goString(pair.key);
    const v = src.goString(pair.value);
    if (k === undefined || v === undefined)
      throw new ConfigError(src.file, key, 'must be a mapping of strings to strings', src.nodeLine(pair.value ?? pair.key));
    out[k] = v;
  }
  return out;
}

/**
 * `scrape_interval` as the original's yaml.v2 decodes a `time.Duration`: a string is a Go
 * duration, a bare integer is nanoseconds, a float is truncated nanoseconds, null is 0. The
 * result may be <= 0 (never scraped): returned as 0.
 */
function cfInterval(src: YamlSource, node: unknown, file: string): number {
  node = src.resolveAlias(node);
  const line = src.nodeLine(node);
  const hint = 'use a Go duration like 30s (a bare integer means nanoseconds)';
  if (node === null || node === undefined) return 0;
  if (!isScalar(node)) throw new ConfigError(file, 'scrape_interval', `must be a duration, got a list or mapping; ${hint}`, line);
  const v = node.value;
  let ns: number;
  if (v === null) return 0;
  if (typeof v === 'number') ns = Math.trunc(v);
  else if (typeof v === 'bigint') ns = Number(v);
  else if (typeof v === 'string') {
    try {
      ns = Number(parseGoDurationNs(v));
    } catch (err) {
      throw new ConfigError(file, 'scrape_interval', `${(err as Error).message}; ${hint}`, line);
    }
  } else throw new ConfigError(file, 'scrape_interval', `must be a duration, got ${describe(v)}; ${hint}`, line);
  return ns > 0 ? ns / 1e6 : 0;
}

/** True when YAML text is a CF per-job file (a mapping with `port:` and no `scrape_configs:`). */
export function looksLikeCfTargetFile(text: string): boolean {
  const src = YamlSource.parse(text, '', { uniqueKeys: false });
  const v = src.value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'port' in v && !('scrape_configs' in v);
}
