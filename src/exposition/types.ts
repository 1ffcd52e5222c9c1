/**
 * The exposition data model shared by parsers, serializers, relabeling and every sink.
 *
 * Label sets are flat arrays of alternating names and values (`[n0, v0, n1, v1, …]`), in
 * exposition order as parsed: one allocation per sample instead of one object per label.
 */
import type { CommentMemo } from './comment-memo.js';

export type Labels = string[];

export const METRIC_TYPES = [
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'gaugehistogram',
  'stateset',
  'info',
  'unknown',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/**
 * Milliseconds since the epoch. A `bigint` only when the value does not fit in a double without
 * losing precision (|ms| > 2^53), which text 0.0.4 allows (int64).
 */
export type TimestampMs = number | bigint;

export interface Exemplar {
  labels: Labels;
  value: number;
  /** OpenMetrics exemplar timestamp, in milliseconds (float seconds in the text). */
  timestampMs: number | null;
}

export interface Sample {
  /** Full sample name, e.g. `http_requests_total` or `latency_bucket`. */
  name: string;
  labels: Labels;
  value: number;
  timestampMs: TimestampMs | null;
  exemplar?: Exemplar;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string | null;
  unit: string | null;
  samples: Sample[];
}

export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * A series exactly as exposed: bytes [start, end) of `buf` (`name{labels}`), and their
 * `keyHashBytes`. The same key bytes mean the same name and labels. A parser reuses one such
 * object for every line, and `buf` may be a read buffer its producer refills: read it during the
 * call, copy what must be kept, never keep the object.
 */
export interface SeriesKey {
  buf: Buffer;
  start: number;
  end: number;
  hash: number;
}

/** Receives samples instead of the parser collecting them (the scrape loop's series cache). */
export interface SampleVisitor {
  /**
   * Optional fast path: the series the visitor expects on this line (targets
   * expose series in the same order every scrape). Return it only when its exact key bytes
   * start at `start` and are followed by a blank; the parser then checks the family and calls
   * `predicted` with the value, parsing nothing else.
   */
  predict?(buf: Buffer, start: number, end: number): PredictedSeries | null;
  predicted?(value: number, timestampMs: TimestampMs | null): void;
  /**
   * OpenMetrics, with `predict`: where the key bytes of a series `predict` returned earlier in this
   * pass are now (`out` is filled; `hash` is not). The parser reads a predicted run's labels back
   * from them when a later line of the family takes the full path. Valid until the pass ends.
   */
  keyOf?(series: PredictedSeries, out: SeriesKey): void;
  /**
   * Text format only, before the labels are parsed: return true when `key` was seen before in
   * this family with this type; the parser then skips the labels. Never called for a key the
   * visitor has not accepted through `sample` earlier, by contract of the caller's cache.
   */
  known(key: SeriesKey, family: MetricFamily, value: number, timestampMs: TimestampMs | null): boolean;
  /**
   * A fully parsed and validated sample. `labels` is lent for the call only (the parser reuses
   * the array for the next line): copy what you keep.
   */
  sample(key: SeriesKey, family: MetricFamily, name: string, labels: Labels, value: number, timestampMs: TimestampMs | null): void;
  /**
   * Optional: the memo of this source's comment lines (HELP, TYPE; OpenMetrics' UNIT) in its last
   * good parse. The parser replays a byte-identical line from it and records the others; the owner
   * begins, commits and rolls it back with its pass, and empties it when the format changes (as
   * `SeriesKeyCache` does).
   */
  readonly comments?: CommentMemo;
}

/** A series a visitor expects: the length of its key and the family it was validated in. */
export interface PredictedSeries {
  keyLength: number;
  /** The sample name as exposed (before relabeling). */
  name: string;
  family: string;
  type: MetricType;
}
