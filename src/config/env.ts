import { CF_DEFAULT_SCRAPE_INTERVAL_MS, PROMETHEUS_DEFAULTS, type ScrapeDefaults } from './defaults.js';
import { ConfigError } from './errors.js';
import { parseGoDuration } from './go-duration.js';

export type Env = Record<string, string | undefined>;

/** `file` of problems found in environment variables. */
export const ENV_ORIGIN = 'env';

/** The environment variables that decide where targets come from and their defaults (spec A3). */
export interface EnvSettings {
  /** `SCRAPE_INTERVAL` (Go duration), null when unset. */
  scrapeIntervalMs: number | null;
  defaultSourceId: string | null;
  scrapeCaCertPath: string | null;
  scrapeCertPath: string | null;
  scrapeKeyPath: string | null;
  skipSslValidation: boolean;
  /** `CONFIG_GLOBS`: CF per-job files. */
  configGlobs: string[];
  /** `PATHS_TO_SCRAPE_CONFIGS`: Prometheus-style files. */
  pathsToScrapeConfigs: string[];
  /** `ADDITIONAL_SCRAPE_CONFIGS`: Prometheus-style YAML text. */
  additionalScrapeConfigs: string | null;
  /** `METRICS_SERVERS_PORTS`. */
  metricsServersPorts: number[];
}

/** Reads the settings; an invalid value is a problem and falls back to its default. */
export function readEnvSettings(env: Env): { settings: EnvSettings; problems: ConfigError[] } {
  const problems: ConfigError[] = [];
  const fail = (name: string, reason: string) => problems.push(new ConfigError(ENV_ORIGIN, name, reason));
  const get = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };

  let scrapeIntervalMs: number | null = null;
  const interval = get('SCRAPE_INTERVAL');
  if (interval !== null) {
    try {
      scrapeIntervalMs = parseGoDuration(interval);
      if (scrapeIntervalMs <= 0) {
        fail('SCRAPE_INTERVAL', `${JSON.stringify(interval)} must be greater than 0; use a Go duration like 15s, 1m30s`);
        scrapeIntervalMs = null;
      }
    } catch (err) {
      fail('SCRAPE_INTERVAL', `${(err as Error).message}; use a Go duration like 15s, 1m30s, 500ms`);
    }
  }

  let skipSslValidation = false;
  const skip = get('SKIP_SSL_VALIDATION');
  if (skip !== null) {
    // Go's strconv.ParseBool, as the released daemon's envstruct reads it.
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(skip)) skipSslValidation = true;
    else if (!['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(skip))
      fail('SKIP_SSL_VALIDATION', `${JSON.stringify(skip)} is not a boolean; allowed: true, false`);
  }

  const metricsServersPorts: number[] = [];
  for (const item of splitList(get('METRICS_SERVERS_PORTS'))) {
    const port = /^[0-9]{1,5}$/.test(item) ? Number(item) : Number.NaN;
    if (port >= 1 && port <= 65535) metricsServersPorts.push(port);
    else fail('METRICS_SERVERS_PORTS', `${JSON.stringify(item)} is not a port; allowed: comma-separated integers 1-65535`);
  }

  return {
    settings: {
      scrapeIntervalMs,
      defaultSourceId: get('DEFAULT_SOURCE_ID'),
      scrapeCaCertPath: get('SCRAPE_CA_CERT_PATH'),
      scrapeCertPath: get('SCRAPE_CERT_PATH'),
      scrapeKeyPath: get('SCRAPE_KEY_PATH'),
      skipSslValidation,
      configGlobs: splitList(get('CONFIG_GLOBS')),
      pathsToScrapeConfigs: splitList(get('PATHS_TO_SCRAPE_CONFIGS')),
      additionalScrapeConfigs: env.ADDITIONAL_SCRAPE_CONFIGS?.trim() ? (env.ADDITIONAL_SCRAPE_CONFIGS as string) : null,
      metricsServersPorts,
    },
    problems,
  };
}

function splitList(v: string | null): string[] {
  if (v === null) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Defaults for Prometheus-style sources from the environment: `SCRAPE_INTERVAL` replaces
 * Prometheus's 1m; the `SCRAPE_*` TLS files and `SKIP_SSL_VALIDATION` apply when a job does not
 * set its own. The default client identity needs both `SCRAPE_CERT_PATH` and `SCRAPE_KEY_PATH`.
 */
export function scrapeDefaultsFromEnv(s: EnvSettings): Omit<ScrapeDefaults, 'baseDir' | 'checkFiles'> {
  const identity = s.scrapeCertPath !== null && s.scrapeKeyPath !== null;
  return {
    scrapeIntervalMs: s.scrapeIntervalMs ?? PROMETHEUS_DEFAULTS.scrapeIntervalMs,
    scrapeTimeoutMs: PROMETHEUS_DEFAULTS.scrapeTimeoutMs,
    defaultSourceId: s.defaultSourceId,
    caFile: s.scrapeCaCertPath,
    certFile: identity ? s.scrapeCertPath : null,
    keyFile: identity ? s.scrapeKeyPath : null,
    insecureSkipVerify: s.skipSslValidation,
  };
}

/** The CF daemon's default interval: `SCRAPE_INTERVAL`, else 15s. */
export function cfDefaultIntervalMs(s: EnvSettings): number {
  return s.scrapeIntervalMs ?? CF_DEFAULT_SCRAPE_INTERVAL_MS;
}
