import type { ScrapeJobConfig } from '../config/types.js';

/** A scrape job with Prometheus's defaults, for tests that build jobs without a config file. */
export function testJob(overrides: Partial<ScrapeJobConfig> & { targets?: string[] } = {}): ScrapeJobConfig {
  const { targets, ...rest } = overrides;
  return {
    jobName: 'test',
    origin: 'test.yml: scrape_configs[0]',
    scrapeIntervalMs: 60_000,
    scrapeTimeoutMs: 10_000,
    metricsPath: '/metrics',
    scheme: 'http',
    params: {},
    honorLabels: false,
    honorTimestamps: true,
    staticConfigs: targets ? [{ targets, labels: [], source: 'test' }] : [],
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
    ...rest,
  };
}
