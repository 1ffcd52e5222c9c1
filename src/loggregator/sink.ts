import type { TimestampMs } from '../exposition/index.js';
import type { ScrapeTarget, SeriesDescriptor, Sink, SinkAppender } from '../scrape/index.js';
import type { IngressTransport } from './client.js';
import { COUNTER_FLOAT_POLICIES, type CounterFloatPolicy, type PreparedEnvelope, prepareEnvelope } from './convert.js';
import { LoggregatorConfigError } from './errors.js';
import { createH2IngressTransport } from './h2-transport.js';
import { EnvelopeImage, SampleList, ScrapeEncoder } from './image.js';
import { createLoggregatorMetrics, type LoggregatorMetrics } from './metrics.js';
import { EnvelopeSender } from './sender.js';
import { loadAgentTls, type TlsFiles } from './tls.js';

export interface LoggregatorSinkOptions {
  /** `DEFAULT_SOURCE_ID`: the source id of series whose target has none. */
  defaultSourceId: string;
  /** Agent v2 ingress address (`LOGGREGATOR_AGENT_ADDR`); default `127.0.0.1:3458`. */
  address?: string;
  /** CA, client certificate and key files (required unless `transport` is given). */
  tls?: TlsFiles;
  /** Name the agent certificate must carry; default `metron`. */
  serverName?: string;
  /** What to do with counter values that are not exact uint64s; default `drop` (as released). */
  counterFloats?: CounterFloatPolicy;
  /** Envelopes held while the agent is slow or away; the oldest are dropped beyond. Default 10000. */
  queueCapacity?: number;
  /**
   * Envelopes per EnvelopeBatch; default 100, as go-loggregator and the issue specify. Each gRPC
   * message has a fixed CPU cost, so bigger batches cost somewhat less per envelope (README);
   * latency stays bounded by `flushIntervalMs` either way. The daemon's `LOGGREGATOR_BATCH_SIZE`.
   */
  batchMaxEnvelopes?: number;
  /** Byte budget of one EnvelopeBatch; default 1 MiB (the agent accepts at most 10 MiB). */
  batchMaxBytes?: number;
  /**
   * Batch writes in flight on the stream at once; default 16. Batches ready together (a large
   * scrape commits several) go out in one HTTP/2 write; this also bounds what HTTP/2 holds
   * while the agent reads slowly.
   */
  maxInFlightBatches?: number;
  /** Partial batches are sent this often; default 100 ms. */
  flushIntervalMs?: number;
  /** Wait for the channel to become READY this long per attempt; default 5000 ms. */
  connectTimeoutMs?: number;
  /** Reconnect backoff: first delay and cap (jittered); defaults 100 ms and 10 s. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** HTTP/2 keepalive ping interval; at least 10 s (the agent's MinTime). Default 30 s. */
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  /** Replaces the HTTP/2 gRPC transport (tests, benchmarks). */
  transport?: IngressTransport;
  onError?: (err: Error, context: 'connect' | 'stream' | 'write') => void;
  random?: () => number;
}

export type LoggregatorSink = Sink<PreparedEnvelope> & { readonly metrics: LoggregatorMetrics };

const AGENT_MIN_PING_MS = 10000;

function positive(field: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x < min) throw new LoggregatorConfigError(field, `must be a number >= ${min}, got ${v}`);
  return x;
}

/**
 * The Loggregator v2 output: envelopes over one mutual-TLS gRPC BatchSender stream. `prepare`
 * does the per-series work once; appenders collect samples and `commit` encodes them (reusing
 * the target's previous envelopes where only value and timestamp changed) and copies them into
 * the queue without waiting for the agent.
 */
export function createLoggregatorSink(options: LoggregatorSinkOptions): LoggregatorSink {
  const queueCapacity = positive('queueCapacity', options.queueCapacity, 10000);
  const batchMaxEnvelopes = positive('batchMaxEnvelopes', options.batchMaxEnvelopes, 100);
  const batchMaxBytes = positive('batchMaxBytes', options.batchMaxBytes, 1024 * 1024, 1024);
  const maxInFlightBatches = positive('maxInFlightBatches', options.maxInFlightBatches, 16);
  const flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs, 100);
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, 5000);
  const backoffInitialMs = positive('backoffInitialMs', options.backoffInitialMs, 100);
  const backoffMaxMs = positive('backoffMaxMs', options.backoffMaxMs, 10000, backoffInitialMs);
  const keepaliveTimeMs = positive('keepaliveTimeMs', options.keepaliveTimeMs, 30000, AGENT_MIN_PING_MS);
  const keepaliveTimeoutMs = positive('keepaliveTimeoutMs', options.keepaliveTimeoutMs, 10000);
  const policy = options.counterFloats ?? 'drop';
  if (!COUNTER_FLOAT_POLICIES.includes(policy))
    throw new LoggregatorConfigError('counterFloats', `must be one of ${COUNTER_FLOAT_POLICIES.join(', ')}, got "${policy}"`);

  let transport = options.transport;
  if (!transport) {
    if (!options.tls) throw new LoggregatorConfigError('tls', 'the agent connection needs CA, certificate and key files');
    transport = createH2IngressTransport({
      address: options.address ?? '127.0.0.1:3458',
      secureContext: loadAgentTls(options.tls),
      serverName: options.serverName ?? 'metron',
      keepaliveTimeMs,
      keepaliveTimeoutMs,
    });
  }

  const metrics = createLoggregatorMetrics(queueCapacity);
  const sender = new EnvelopeSender(
    transport,
    {
      queueCapacity,
      batchMaxEnvelopes,
      batchMaxBytes,
      maxInFlightBatches,
      flushIntervalMs,
      connectTimeoutMs,
      backoffInitialMs,
      backoffMaxMs,
      onError: options.onError,
      random: options.random,
    },
    metrics,
  );
  const convert = { defaultSourceId: options.defaultSourceId, counterFloats: policy };
  const encoder = new ScrapeEncoder(policy, metrics);
  /** Each target's last committed envelopes; an appender holds its target's while it is open. */
  const images = new WeakMap<ScrapeTarget, EnvelopeImage>();
  const spareImages: EnvelopeImage[] = [];
  const spareLists: SampleList[] = [];
  const SPARES = 8;

  const retire = (image: EnvelopeImage): void => {
    image.reset();
    if (spareImages.length < SPARES) spareImages.push(image);
  };

  /** Collects a scrape's samples (nothing else per sample); encoding happens at commit. */
  class Appender implements SinkAppender<PreparedEnvelope> {
    private readonly samples: SampleList;
    private readonly prev: EnvelopeImage | null;
    /** Committed or rolled back: the pooled lists and images are no longer this appender's. */
    private done = false;

    constructor(private readonly target: ScrapeTarget) {
      this.samples = spareLists.pop() ?? new SampleList();
      this.prev = images.get(target) ?? null;
      if (this.prev !== null) images.delete(target);
    }

    append(p: PreparedEnvelope, value: number, ts: TimestampMs): void {
      this.samples.push(p, value, ts);
    }

    commit(): void {
      if (this.done) return;
      const out = spareImages.pop() ?? new EnvelopeImage();
      encoder.encode(this.samples, this.prev, out);
      if (out.count > 0) sender.enqueue(out.buf, out.ends, out.count);
      if (this.prev !== null) retire(this.prev);
      const newer = images.get(this.target);
      if (newer !== undefined) retire(newer);
      images.set(this.target, out);
      this.release();
    }

    rollback(): void {
      if (this.done) return;
      if (this.prev !== null) {
        if (images.has(this.target)) retire(this.prev);
        else images.set(this.target, this.prev);
      }
      this.release();
    }

    private release(): void {
      this.samples.clear();
      if (spareLists.length < SPARES) spareLists.push(this.samples);
      this.done = true;
    }
  }

  return {
    name: 'loggregator',
    metrics,
    prepare(target: ScrapeTarget, series: SeriesDescriptor): PreparedEnvelope {
      return prepareEnvelope(target, series, convert);
    },
    appender(target: ScrapeTarget): SinkAppender<PreparedEnvelope> {
      return new Appender(target);
    },
    async flush(deadline: number): Promise<void> {
      await sender.flush(deadline);
    },
    stop(deadline: number): Promise<void> {
      return sender.stop(deadline);
    },
  };
}
