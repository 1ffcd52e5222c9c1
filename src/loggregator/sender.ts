import type { BatchStream, IngressTransport } from './client.js';
import type { LoggregatorMetrics } from './metrics.js';
import { observeBatchSize } from './metrics.js';
import { EnvelopeQueue, type QueuedBatch } from './queue.js';

export interface SenderOptions {
  queueCapacity: number;
  batchMaxEnvelopes: number;
  /** Byte budget of one EnvelopeBatch (the agent refuses messages over 10 MiB). */
  batchMaxBytes: number;
  /** Batch writes in flight on the stream at once: those ready together go out in one stream write. */
  maxInFlightBatches: number;
  flushIntervalMs: number;
  /** How long one connection attempt may wait for the channel to become READY. */
  connectTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Random source for jitter (injected by tests). */
  random?: () => number;
  /** Called on transport errors, for logging; never required. */
  onError?: (err: Error, context: 'connect' | 'stream' | 'write') => void;
}

/**
 * Drives one IngressTransport: a bounded queue filled by `enqueue` (never waits), one
 * long-lived BatchSender stream with up to `maxInFlightBatches` writes in flight (those taken in
 * the same tick leave in one stream write), full batches as soon as they exist
 * and partial ones every `flushIntervalMs` (go-loggregator: 100 envelopes / 100 ms). When the
 * agent is unreachable or the stream fails, it reconnects with capped exponential backoff and
 * jitter while the queue keeps the newest envelopes.
 */
export class EnvelopeSender {
  private readonly queue: EnvelopeQueue;
  private stream: BatchStream | null = null;
  private connecting = false;
  private backoffTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private everConnected = false;
  /** Batches handed to the stream whose write has not completed (and not been counted lost). */
  private readonly pending = new Set<QueuedBatch>();
  private draining = 0;
  private pumping = false;
  private stopped = false;
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;
  private idleWaiters: (() => void)[] = [];
  private readonly random: () => number;

  constructor(
    private readonly transport: IngressTransport,
    private readonly o: SenderOptions,
    private readonly metrics: LoggregatorMetrics,
  ) {
    this.queue = new EnvelopeQueue(o.queueCapacity, o.batchMaxEnvelopes, o.batchMaxBytes);
    this.random = o.random ?? Math.random;
    this.flushTimer = setInterval(() => this.pump(true), o.flushIntervalMs);
    this.flushTimer.unref();
  }

  /**
   * Copies the first `n` encoded envelopes (framed, envelope i ending at `ends[i]`) into the
   * queue; the caller may reuse its buffers at once. Never blocks.
   */
  enqueue(bytes: Uint8Array, ends: ArrayLike<number>, n = ends.length): void {
    if (this.stopped) {
      this.metrics.envelopesDropped.shutdown += n;
      return;
    }
    const dropped = this.queue.push(bytes, ends, n);
    if (dropped > 0) this.metrics.envelopesDropped.queue_full += dropped;
    this.metrics.queueLength = this.queue.length;
    if (this.queue.hasFullBatch) this.pump(false);
  }

  /** Sends everything queued, partial batches included; resolves when done or at `deadline`. */
  async flush(deadline: number): Promise<boolean> {
    this.draining++;
    try {
      this.pump(true);
      return await this.waitIdle(deadline);
    } finally {
      this.draining--;
    }
  }

  /** Flushes within the deadline, counts what is left as dropped, closes the stream and the channel. */
  async stop(deadline: number): Promise<void> {
    if (this.closed) return;
    this.stopped = true;
    await this.flush(deadline);
    clearInterval(this.flushTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    const left = this.queue.clear() + this.inFlight;
    this.metrics.envelopesDropped.shutdown += left;
    this.metrics.queueLength = 0;
    this.pending.clear();
    const stream = this.stream;
    if (stream) {
      // CloseSend, then wait for the agent's answer (go-loggregator: CloseAndRecv) until the deadline.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.onStreamClosed = () => {
          clearTimeout(t);
          resolve();
        };
        stream.end();
      });
      if (this.stream) this.stream.cancel();
    }
    this.stream = null;
    this.closed = true;
    this.transport.close();
    this.notifyIdle();
  }

  private onStreamClosed: (() => void) | null = null;

  private pump(partial: boolean): void {
    // A transport may complete writes synchronously: the loop below then simply continues.
    if (this.pumping || this.closed || this.queue.length === 0) return;
    this.pumping = true;
    try {
      this.pumpLoop(partial);
    } finally {
      this.pumping = false;
    }
  }

  private pumpLoop(partial: boolean): void {
    const stream = this.stream;
    if (stream === null) {
      if (partial || this.draining > 0 || this.queue.hasFullBatch) this.connect();
      return;
    }
    // Stop as soon as the stream changes: a write may fail synchronously and close it.
    while (this.stream === stream && this.pending.size < this.o.maxInFlightBatches && this.queue.length > 0) {
      const batch = this.queue.take(partial || this.draining > 0);
      if (batch === null) return;
      this.metrics.queueLength = this.queue.length;
      this.pending.add(batch);
      // The transport writes the batch's buffer itself (no copy): only a completed write frees it.
      stream.write(batch.message, (err) => {
        const count = batch.count;
        const mine = this.pending.has(batch);
        // Counts this batch with the others in flight (unless that already happened).
        if (mine && err) this.streamFailed(stream, err, 'write');
        this.pending.delete(batch);
        this.queue.release(batch);
        if (!mine || err) return;
        this.attempt = 0;
        this.metrics.envelopesSent += count;
        observeBatchSize(this.metrics, count);
        // Keep going while full batches (or, when draining, any batch) are waiting.
        this.pump(false);
        this.notifyIdle();
      });
    }
  }

  /** Envelopes written to the stream whose write has not completed yet. */
  private get inFlight(): number {
    let n = 0;
    for (const w of this.pending) n += w.count;
    return n;
  }

  private connect(): void {
    if (this.connecting || this.backoffTimer !== null || this.stream !== null || this.closed) return;
    this.connecting = true;
    this.transport.ready(Date.now() + this.o.connectTimeoutMs).then(
      () => {
        this.connecting = false;
        if (this.closed) return;
        const stream = this.transport.openBatchStream((err) => this.streamEnded(stream, err));
        this.stream = stream;
        if (this.everConnected) this.metrics.reconnects++;
        this.everConnected = true;
        this.pump(true);
      },
      (err: Error) => {
        this.connecting = false;
        this.metrics.connectErrors++;
        this.o.onError?.(err, 'connect');
        this.scheduleReconnect();
        this.notifyIdle();
      },
    );
  }

  private streamEnded(stream: BatchStream, err: Error | null): void {
    if (stream !== this.stream) return;
    const closing = this.onStreamClosed;
    if (closing) {
      this.onStreamClosed = null;
      this.stream = null;
      closing();
      return;
    }
    this.streamFailed(stream, err, 'stream');
  }

  /** The stream is gone: batches still in flight are lost (counted), then reconnect after a backoff. */
  private streamFailed(stream: BatchStream, err: Error | null, context: 'stream' | 'write'): void {
    if (stream !== this.stream) return;
    this.stream = null;
    this.metrics.envelopesDropped.send_error += this.inFlight;
    this.pending.clear();
    if (err) {
      this.metrics.sendErrors++;
      this.o.onError?.(err, context);
    }
    if (context === 'write') stream.cancel();
    this.scheduleReconnect();
    this.notifyIdle();
  }

  /** Capped exponential backoff with "equal jitter": half the delay fixed, half random. */
  private scheduleReconnect(): void {
    if (this.closed || this.backoffTimer !== null) return;
    const exp = Math.min(this.o.backoffMaxMs, this.o.backoffInitialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const delay = exp / 2 + (this.random() * exp) / 2;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      this.pump(true);
    }, delay);
    this.backoffTimer.unref();
  }

  private waitIdle(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.queue.length === 0 && this.pending.size === 0) {
          clearTimeout(timer);
          resolve(true);
        } else if (Date.now() >= deadline || this.closed) {
          clearTimeout(timer);
          resolve(this.queue.length === 0 && this.pending.size === 0);
        } else {
          this.idleWaiters.push(check);
        }
      };
      const timer = setTimeout(
        () => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== check);
          resolve(this.queue.length === 0 && this.pending.size === 0);
        },
        Math.max(0, deadline - Date.now()),
      );
      check();
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
