import type { BatchStream, IngressTransport } from './client.js';
import type { LoggregatorMetrics } from './metrics.js';
import { observeBatchSize } from './metrics.js';
import { EnvelopeQueue } from './queue.js';

export interface SenderOptions {
  queueCapacity: number;
  batchMaxEnvelopes: number;
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
 * long-lived BatchSender stream written one batch at a time, full batches as soon as they exist
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
  /** Envelopes in the batch currently being written (0: none). */
  private writing = 0;
  private draining = 0;
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
    this.queue = new EnvelopeQueue(o.queueCapacity);
    this.random = o.random ?? Math.random;
    this.flushTimer = setInterval(() => this.pump(true), o.flushIntervalMs);
    this.flushTimer.unref();
  }

  /** Hands encoded envelopes (one buffer, end offset of each) to the queue. Never blocks. */
  enqueue(bytes: Buffer, ends: ArrayLike<number>): void {
    if (this.stopped) {
      this.metrics.envelopesDropped.shutdown += ends.length;
      return;
    }
    const dropped = this.queue.push(bytes, ends);
    if (dropped > 0) this.metrics.envelopesDropped.queue_full += dropped;
    this.metrics.queueLength = this.queue.length;
    if (this.queue.length >= this.o.batchMaxEnvelopes) this.pump(false);
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
    const left = this.queue.clear() + this.writing;
    this.metrics.envelopesDropped.shutdown += left;
    this.metrics.queueLength = 0;
    this.writing = 0;
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
    if (this.closed || this.writing > 0 || this.queue.length === 0) return;
    if (!partial && this.draining === 0 && this.queue.length < this.o.batchMaxEnvelopes) return;
    if (this.stream === null) {
      this.connect();
      return;
    }
    const batch = this.queue.take(this.o.batchMaxEnvelopes);
    if (batch === null) return;
    this.metrics.queueLength = this.queue.length;
    const stream = this.stream;
    this.writing = batch.count;
    stream.write(batch.bytes, (err) => {
      if (this.writing === 0 || stream !== this.stream) return; // already accounted for by streamEnded
      this.writing = 0;
      if (err) {
        this.metrics.sendErrors++;
        this.metrics.envelopesDropped.send_error += batch.count;
        this.o.onError?.(err, 'write');
        this.dropStream(stream);
        this.scheduleReconnect();
      } else {
        this.attempt = 0;
        this.metrics.envelopesSent += batch.count;
        observeBatchSize(this.metrics, batch.count);
        // Keep going while full batches (or, when draining, any batch) are waiting.
        this.pump(false);
      }
      this.notifyIdle();
    });
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
    this.stream = null;
    if (this.writing > 0) {
      // The batch in flight had not been handed to the transport: it is lost.
      this.metrics.envelopesDropped.send_error += this.writing;
      this.writing = 0;
    }
    const closing = this.onStreamClosed;
    if (closing) {
      this.onStreamClosed = null;
      closing();
      return;
    }
    if (err) {
      this.metrics.sendErrors++;
      this.o.onError?.(err, 'stream');
    }
    this.scheduleReconnect();
    this.notifyIdle();
  }

  private dropStream(stream: BatchStream): void {
    if (this.stream === stream) this.stream = null;
    stream.cancel();
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
        if (this.queue.length === 0 && this.writing === 0) {
          clearTimeout(timer);
          resolve(true);
        } else if (Date.now() >= deadline || this.closed) {
          clearTimeout(timer);
          resolve(this.queue.length === 0 && this.writing === 0);
        } else {
          this.idleWaiters.push(check);
        }
      };
      const timer = setTimeout(
        () => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== check);
          resolve(this.queue.length === 0 && this.writing === 0);
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
