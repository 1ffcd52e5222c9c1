import { baseJob } from '../config/index.js';
import type { ScrapeJobConfig } from '../config/types.js';

/** A scrape job with Prometheus's defaults, for tests that build jobs without a config file. */
export function testJob(overrides: Partial<ScrapeJobConfig> & { targets?: string[] } = {}): ScrapeJobConfig {
  const { targets, ...rest } = overrides;
  return {
    ...baseJob('test', 'test.yml: scrape_configs[0]'),
    staticConfigs: targets ? [{ targets, labels: [], source: 'test' }] : [],
    ...rest,
  };
}
