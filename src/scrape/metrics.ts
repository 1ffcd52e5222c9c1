import type { ScrapeFailureReason } from './errors.js';

/** The scrape engine's self-metrics: one object, injected, rendered by the daemon's metrics server. */
export interface ScrapeMetrics {
  scrapesStarted: number;
  scrapesCompleted: number;
  scrapesFailed: Map<ScrapeFailureReason, number>;
  /** `failed_scrapes_total{scrape_target_source_id}` of the released prom-scraper. */
  failedBySourceId: Map<string, number>;
  skippedTicks: number;
  samplesEmitted: number;
  duplicateSamples: number;
  /** Scrape durations in seconds, bucketed (`scrape_duration_seconds` histogram). */
  durationBuckets: number[];
  durationCount: number;
  durationSum: number;
  lastTotalAttempted: number;
  lastTotalFailed: number;
  lastTotalDurationSeconds: number;
  targets: number;
  cachedSeries: number;
}

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createScrapeMetrics(): ScrapeMetrics {
  return {
    scrapesStarted: 0,
    scrapesCompleted: 0,
    scrapesFailed: new Map(),
    failedBySourceId: new Map(),
    skippedTicks: 0,
    samplesEmitted: 0,
    duplicateSamples: 0,
    durationBuckets: DURATION_BUCKETS.map(() => 0),
    durationCount: 0,
    durationSum: 0,
    lastTotalAttempted: 0,
    lastTotalFailed: 0,
    lastTotalDurationSeconds: 0,
    targets: 0,
    cachedSeries: 0,
  };
}

export function observeDuration(m: ScrapeMetrics, seconds: number): void {
  m.durationCount++;
  m.durationSum += seconds;
  for (let i = 0; i < DURATION_BUCKETS.length; i++) {
    if (seconds <= (DURATION_BUCKETS[i] as number)) m.durationBuckets[i] = (m.durationBuckets[i] as number) + 1;
  }
}
