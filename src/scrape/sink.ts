import type { Labels, MetricType, TimestampMs } from '../exposition/index.js';

/** Who was scraped: the identity every sink stamps on what it sends. */
export interface ScrapeTarget {
  job: string;
  /** Envelope source id of the target (a series' own `source_id` label may override it). */
  sourceId: string;
  instanceId: string;
  url: string;
  /** Target labels after target relabeling (for scrape_configs: `job`, `instance`, static labels). */
  labels: Labels;
}

/**
 * One series as it leaves metric relabeling: the final sample name and label set (without
 * `__name__`, sorted by label name, target labels already merged in), plus the type and name
 * of the family it came from (`latency_bucket` → family `latency`, type `histogram`).
 */
export interface SeriesDescriptor {
  name: string;
  labels: Labels;
  family: string;
  type: MetricType;
}

/**
 * An output (stdout, Loggregator, OTLP, remote-write). The scrape loop calls `prepare` once per
 * series on a series-cache miss and keeps the result with the series, so per-series work
 * (tag maps, pre-encoded bytes) is done once; each scrape then only appends values.
 */
export interface Sink<P = unknown> {
  readonly name: string;
  prepare(target: ScrapeTarget, series: SeriesDescriptor): P;
  /** One appender per scrape of one target; `scrapeTimeMs` is when the scrape started. */
  appender(target: ScrapeTarget, scrapeTimeMs: number): SinkAppender<P>;
  /** Sends what is buffered, giving up at `deadline` (ms since epoch). */
  flush(deadline: number): Promise<void>;
  /** Flushes within the deadline, then releases connections. */
  stop(deadline: number): Promise<void>;
}

export interface SinkAppender<P = unknown> {
  /** `timestampMs` is the sample's own timestamp under honor_timestamps, else the scrape time. */
  append(series: P, value: number, timestampMs: TimestampMs): void;
  /** The scrape succeeded: hand everything appended to the output. Never blocks on I/O. */
  commit(): void;
  /** The scrape failed (e.g. over sample_limit): discard what was appended. */
  rollback(): void;
}
