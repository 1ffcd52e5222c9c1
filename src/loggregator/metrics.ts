import type { DropReason } from './convert.js';

export const BATCH_SIZE_BOUNDS = [1, 5, 10, 25, 50, 100, 250, 500, 1000] as const;

/**
 * Self-metrics of one Loggregator sink: a plain object the sink owns and mutates; whoever
 * exposes metrics reads it (the lead renders it in Prometheus format).
 */
export interface LoggregatorMetrics {
  /** Envelopes handed to the gRPC transport without error. */
  envelopesSent: number;
  /** Envelopes not sent, by reason. Every drop is counted exactly once. */
  envelopesDropped: Record<DropReason, number>;
  /** Counter samples sent altered: fraction truncated, value clamped to 2^64-1, or sent as a gauge. */
  counterValuesTruncated: number;
  counterValuesClamped: number;
  counterValuesAsGauges: number;
  /** Failed batch writes and streams ended with an error. */
  sendErrors: number;
  /** Connection attempts that did not reach READY in time. */
  connectErrors: number;
  /** BatchSender streams opened after the first one. */
  reconnects: number;
  queueLength: number;
  queueCapacity: number;
  /** Envelopes per batch written: cumulative counts for `le` = BATCH_SIZE_BOUNDS, plus +Inf. */
  batchSize: { bounds: readonly number[]; buckets: number[]; sum: number; count: number };
}

export function createLoggregatorMetrics(queueCapacity: number): LoggregatorMetrics {
  return {
    envelopesSent: 0,
    envelopesDropped: {
      counter_fractional: 0,
      counter_overflow: 0,
      counter_negative: 0,
      counter_nan: 0,
      counter_infinite: 0,
      queue_full: 0,
      send_error: 0,
      shutdown: 0,
    },
    counterValuesTruncated: 0,
    counterValuesClamped: 0,
    counterValuesAsGauges: 0,
    sendErrors: 0,
    connectErrors: 0,
    reconnects: 0,
    queueLength: 0,
    queueCapacity,
    batchSize: { bounds: BATCH_SIZE_BOUNDS, buckets: new Array<number>(BATCH_SIZE_BOUNDS.length + 1).fill(0), sum: 0, count: 0 },
  };
}

export function observeBatchSize(m: LoggregatorMetrics, n: number): void {
  const h = m.batchSize;
  h.sum += n;
  h.count++;
  for (let i = 0; i <= h.bounds.length; i++)
    if (i === h.bounds.length || n <= (h.bounds[i] as number)) h.buckets[i] = (h.buckets[i] ?? 0) + 1;
}
