/**
 * Every setting the prom-scraper daemon reads, in one table: the README, the config-file key
 * check and the effective-config log all come from it. `names[0]` is the design analysis' name,
 * later ones the released daemon's (loggregator-agent-release); the first one set wins.
 */
export interface VariableSpec {
  names: readonly string[];
  /** What applies when unset, as shown to operators. */
  default: string;
  /** The value may carry credentials: logged as `<redacted>`. */
  secret?: boolean;
}

export const VARIABLES = {
  // Where targets come from (read by src/config).
  PATHS_TO_SCRAPE_CONFIGS: { names: ['PATHS_TO_SCRAPE_CONFIGS'], default: '' },
  ADDITIONAL_SCRAPE_CONFIGS: { names: ['ADDITIONAL_SCRAPE_CONFIGS'], default: '', secret: true },
  CONFIG_GLOBS: { names: ['CONFIG_GLOBS'], default: '' },
  METRICS_SERVERS_PORTS: { names: ['METRICS_SERVERS_PORTS'], default: '' },
  SCRAPE_INTERVAL: { names: ['SCRAPE_INTERVAL'], default: '15s (CF files, METRICS_SERVERS_PORTS); 1m (Prometheus files)' },
  DEFAULT_SOURCE_ID: { names: ['DEFAULT_SOURCE_ID'], default: 'prom_scraper (required with LOGGREGATOR_AGENT_ADDR)' },
  SCRAPE_CA_CERT_PATH: { names: ['SCRAPE_CA_CERT_PATH'], default: 'system CAs' },
  SCRAPE_CERT_PATH: { names: ['SCRAPE_CERT_PATH'], default: '' },
  SCRAPE_KEY_PATH: { names: ['SCRAPE_KEY_PATH'], default: '' },
  SKIP_SSL_VALIDATION: { names: ['SKIP_SSL_VALIDATION'], default: 'false' },
  METRICS_EXPIRATION_INTERVAL: { names: ['METRICS_EXPIRATION_INTERVAL'], default: '10m' },
  MAX_CONCURRENT_SCRAPES: { names: ['MAX_CONCURRENT_SCRAPES'], default: '64' },
  CONFIG_WATCH_INTERVAL: { names: ['CONFIG_WATCH_INTERVAL'], default: '5s' },
  // Output.
  LOGGREGATOR_AGENT_ADDR: { names: ['LOGGREGATOR_AGENT_ADDR'], default: 'none: samples go to stdout as NDJSON' },
  LOGGREGATOR_AGENT_CA_FILE_PATH: { names: ['LOGGREGATOR_AGENT_CA_FILE_PATH', 'CA_CERT_PATH'], default: '' },
  LOGGREGATOR_AGENT_CERT_FILE_PATH: { names: ['LOGGREGATOR_AGENT_CERT_FILE_PATH', 'CLIENT_CERT_PATH'], default: '' },
  LOGGREGATOR_AGENT_KEY_FILE_PATH: { names: ['LOGGREGATOR_AGENT_KEY_FILE_PATH', 'CLIENT_KEY_PATH'], default: '' },
  LOGGREGATOR_AGENT_SERVER_NAME: { names: ['LOGGREGATOR_AGENT_SERVER_NAME'], default: 'metron' },
  LOGGREGATOR_QUEUE_SIZE: { names: ['LOGGREGATOR_QUEUE_SIZE'], default: '10000 envelopes (the oldest are dropped beyond)' },
  LOGGREGATOR_BATCH_SIZE: { names: ['LOGGREGATOR_BATCH_SIZE'], default: '100 envelopes (as go-loggregator)' },
  LOGGREGATOR_FLUSH_INTERVAL: { names: ['LOGGREGATOR_FLUSH_INTERVAL'], default: '100ms' },
  LOGGREGATOR_COUNTER_FLOATS: { names: ['LOGGREGATOR_COUNTER_FLOATS'], default: 'drop (counters that are not whole uint64s)' },
  USE_OTEL_COLLECTOR: { names: ['USE_OTEL_COLLECTOR'], default: 'false' },
  // Self-metrics server.
  METRICS_PORT: { names: ['METRICS_PORT'], default: '0 (any free port, logged)' },
  METRICS_HOST: { names: ['METRICS_HOST'], default: '127.0.0.1' },
  METRICS_CA_FILE_PATH: { names: ['METRICS_CA_FILE_PATH'], default: '' },
  METRICS_CERT_FILE_PATH: { names: ['METRICS_CERT_FILE_PATH'], default: '' },
  METRICS_KEY_FILE_PATH: { names: ['METRICS_KEY_FILE_PATH'], default: '' },
  DEBUG_METRICS: { names: ['DEBUG_METRICS'], default: 'false' },
  // Diagnostics.
  DEBUG_PORT: { names: ['DEBUG_PORT', 'PPROF_PORT'], default: '0 (off)' },
  // API server.
  API_SERVER: { names: ['API_SERVER'], default: 'false' },
  API_SERVER_HOST: { names: ['API_SERVER_HOST'], default: '127.0.0.1' },
  API_SERVER_PORT: { names: ['API_SERVER_PORT'], default: '0 (any free port, logged)' },
  API_SERVER_CA_FILE_PATH: { names: ['API_SERVER_CA_FILE_PATH'], default: '' },
  API_SERVER_CERT_FILE_PATH: { names: ['API_SERVER_CERT_FILE_PATH'], default: '' },
  API_SERVER_KEY_FILE_PATH: { names: ['API_SERVER_KEY_FILE_PATH'], default: '' },
  // Process.
  USE_RFC3339: { names: ['USE_RFC3339'], default: 'false' },
  SHUTDOWN_TIMEOUT: { names: ['SHUTDOWN_TIMEOUT'], default: '10s' },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;

/** Every accepted name (both schemes), for the config file's key check. */
export const ALL_NAMES: ReadonlySet<string> = new Set(Object.values(VARIABLES).flatMap((v) => v.names));
