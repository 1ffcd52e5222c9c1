import type { Labels } from '../exposition/index.js';

/** TLS settings for scraping one job's targets (Prometheus `tls_config`). */
export interface TlsSettings {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  serverName: string | null;
  insecureSkipVerify: boolean;
  minVersion: 'TLSv1.2' | 'TLSv1.3' | null;
}

export interface TargetGroup {
  targets: string[];
  labels: Labels;
  /** Where the group came from, for messages and `__meta_filepath`. */
  source: string;
}

/**
 * One validated scrape job, whatever it was written in (Prometheus `scrape_configs`, a CF
 * `prom_scraper_config.yml`, `METRICS_SERVERS_PORTS`, the API). Every default is filled in.
 */
export interface ScrapeJobConfig {
  jobName: string;
  /** Where it was defined, e.g. `/etc/scrape.yml: scrape_configs[2]`, for messages. */
  origin: string;
  /**
   * 0 only for a CF per-job file whose `scrape_interval` is <= 0: the released prom-scraper never
   * scrapes such a target (it still counts in `scrape_targets_total`). Otherwise > 0, and
   * fractional below 1 ms only when a CF file wrote a bare integer of nanoseconds.
   */
  scrapeIntervalMs: number;
  /** Never above the interval (0 when the interval is 0). */
  scrapeTimeoutMs: number;
  metricsPath: string;
  scheme: 'http' | 'https';
  params: Record<string, string[]>;
  honorLabels: boolean;
  honorTimestamps: boolean;
  staticConfigs: TargetGroup[];
  fileSdConfigs: Array<{ files: string[]; refreshIntervalMs: number }>;
  /** Raw rule lists as written (compiled by the engine with `compileRelabelConfigs`). */
  relabelConfigs: unknown[];
  metricRelabelConfigs: unknown[];
  /** 0 means no limit, as in Prometheus. */
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  bodySizeLimitBytes: number;
  tls: TlsSettings;
  basicAuth: { username: string; password: string | null; passwordFile: string | null } | null;
  authorization: { type: string; credentials: string | null; credentialsFile: string | null } | null;
  /** Request headers; CF per-job files replace the defaults with these. */
  headers: Record<string, string>;
  /** CF extensions: envelope source id and instance id for every target of the job. */
  sourceId: string | null;
  instanceId: string | null;
  /**
   * `source_id` exactly as written ('' when absent), before `DEFAULT_SOURCE_ID` is applied: the
   * released prom-scraper's `failed_scrapes_total{scrape_target_source_id}` label uses it.
   * Optional so hand-built configs (tests, the API) may leave it out.
   */
  declaredSourceId?: string;
  /**
   * CF per-job files: the target's `labels` are default tags only (no `job`/`instance` labels are
   * added), as the released prom-scraper does.
   */
  cfStyle: boolean;
}
