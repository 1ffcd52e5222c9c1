import type { MetricFamily, Sample } from '../exposition/index.js';
import { formatGoFloat } from '../exposition/index.js';
import { DURATION_BUCKETS, type ScrapeMetrics } from './metrics.js';

function one(name: string, type: MetricFamily['type'], help: string, value: number): MetricFamily {
  return { name, type, help, unit: null, samples: [{ name, labels: [], value, timestampMs: null }] };
}

function byLabel(name: string, help: string, label: string, m: Map<string, number>): MetricFamily {
  const samples: Sample[] = [...m].map(([k, v]) => ({ name, labels: [label, k], value: v, timestampMs: null }));
  return { name, type: 'counter', help, unit: null, samples };
}

/**
 * The scrape engine's self-metrics as families, named as the released prom-scraper and the
 * design analysis name them (no prefix, as the original has none).
 */
export function scrapeMetricsToFamilies(m: ScrapeMetrics): MetricFamily[] {
  const buckets: Sample[] = DURATION_BUCKETS.map((le, i) => ({
    name: 'scrape_duration_seconds_bucket',
    labels: ['le', formatGoFloat(le)],
    value: m.durationBuckets[i] as number,
    timestampMs: null,
  }));
  buckets.push({ name: 'scrape_duration_seconds_bucket', labels: ['le', '+Inf'], value: m.durationCount, timestampMs: null });
  return [
    one('scrapes_started_total', 'counter', 'Scrapes started.', m.scrapesStarted),
    one('scrapes_completed_total', 'counter', 'Scrapes that succeeded.', m.scrapesCompleted),
    byLabel('scrapes_error_total', 'Scrapes that failed, by reason.', 'reason', m.scrapesFailed),
    byLabel('failed_scrapes_total', 'Failed scrapes per target source id.', 'scrape_target_source_id', m.failedBySourceId),
    {
      name: 'scrape_duration_seconds',
      type: 'histogram',
      help: 'Duration of scrapes.',
      unit: null,
      samples: [
        ...buckets,
        { name: 'scrape_duration_seconds_sum', labels: [], value: m.durationSum, timestampMs: null },
        { name: 'scrape_duration_seconds_count', labels: [], value: m.durationCount, timestampMs: null },
      ],
    },
    one('metrics_emitted_total', 'counter', 'Samples handed to the outputs.', m.samplesEmitted),
    one('duplicate_samples_total', 'counter', 'Samples dropped because their series appeared twice in one scrape.', m.duplicateSamples),
    one('skipped_scrapes_total', 'counter', 'Ticks skipped because the previous scrape of the target was still running.', m.skippedTicks),
    one('scrape_targets_total', 'gauge', 'Targets currently scraped.', m.targets),
    one('last_total_attempted_scrapes', 'gauge', 'Targets scraped in the last round.', m.lastTotalAttempted),
    one('last_total_failed_scrapes', 'gauge', 'Targets that failed in the last round.', m.lastTotalFailed),
    one('last_total_scrape_duration', 'gauge', 'Sum of scrape durations of the last round, in seconds.', m.lastTotalDurationSeconds),
    one('series_cache_size', 'gauge', 'Series held in the per-target series caches.', m.cachedSeries),
  ];
}
