import type { ScrapeJobConfig } from './types.js';

/**
 * What a source falls back to when a key is not written: Prometheus's defaults, overridden by the
 * daemon's environment (see `env.ts`). Precedence for every field: job key → file's `global:` →
 * these defaults.
 */
export interface ScrapeDefaults {
  /** Prometheus: 1m. The daemon passes `SCRAPE_INTERVAL` when set. */
  scrapeIntervalMs: number;
  /** 10s, lowered to the interval when the interval is shorter. */
  scrapeTimeoutMs: number;
  /** `DEFAULT_SOURCE_ID`: source id of jobs without `source_id` (else the job name). */
  defaultSourceId: string | null;
  /** `SCRAPE_CA_CERT_PATH`, `SCRAPE_CERT_PATH` + `SCRAPE_KEY_PATH`, `SKIP_SSL_VALIDATION`. */
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  insecureSkipVerify: boolean;
  /** Relative file paths in the config (tls, password, file_sd) are resolved against this. */
  baseDir: string;
  /** Also check that referenced certificate, key, password and credentials files are readable (check config). */
  checkFiles: boolean;
}

export const PROMETHEUS_DEFAULTS: Readonly<Omit<ScrapeDefaults, 'baseDir'>> = Object.freeze({
  scrapeIntervalMs: 60_000,
  scrapeTimeoutMs: 10_000,
  defaultSourceId: null,
  caFile: null,
  certFile: null,
  keyFile: null,
  insecureSkipVerify: false,
  checkFiles: false,
});

export const DEFAULT_METRICS_PATH = '/metrics';
export const DEFAULT_FILE_SD_REFRESH_MS = 5 * 60_000;
/** The released prom-scraper's default interval (`SCRAPE_INTERVAL`). */
export const CF_DEFAULT_SCRAPE_INTERVAL_MS = 15_000;

/**
 * A job with every field at Prometheus's default (no targets, no limits, no TLS or auth): the
 * base that sources which build jobs themselves (CF per-job files, METRICS_SERVERS_PORTS, the
 * API, tests) spread their own fields over.
 */
export function baseJob(jobName: string, origin: string): ScrapeJobConfig {
  return {
    jobName,
    origin,
    scrapeIntervalMs: PROMETHEUS_DEFAULTS.scrapeIntervalMs,
    scrapeTimeoutMs: PROMETHEUS_DEFAULTS.scrapeTimeoutMs,
    metricsPath: DEFAULT_METRICS_PATH,
    scheme: 'http',
    params: {},
    honorLabels: false,
    honorTimestamps: true,
    staticConfigs: [],
    fileSdConfigs: [],
    relabelConfigs: [],
    metricRelabelConfigs: [],
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    bodySizeLimitBytes: 0,
    tls: { caFile: null, certFile: null, keyFile: null, serverName: null, insecureSkipVerify: false, minVersion: null },
    basicAuth: null,
    authorization: null,
    headers: {},
    sourceId: null,
    instanceId: null,
    cfStyle: false,
  };
}

export function withDefaults(d: Partial<ScrapeDefaults> | undefined): ScrapeDefaults {
  return { ...PROMETHEUS_DEFAULTS, baseDir: process.cwd(), ...d };
}
