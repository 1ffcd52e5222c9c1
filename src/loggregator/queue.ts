import { skipBatchEntry } from './batch-entries.js';
import { GRPC_PREFIX_BYTES } from './client.js';

/**
 * One EnvelopeBatch body, filled by commits and then written to the stream: framed entries at
 * `buf[start, end)`, with at least `GRPC_PREFIX_BYTES` free in front so the gRPC message is
 * framed in place, without a copy. Batch objects and their buffers are recycled once a write
 * completes, so a steady scrape load allocates nothing here.
 */
export class QueuedBatch {
  buf: Buffer;
  start = GRPC_PREFIX_BYTES;
  end = GRPC_PREFIX_BYTES;
  count = 0;
  /** Full by envelope count or bytes: later envelopes go to the next batch. */
  sealed = false;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** The batch as one gRPC length-prefixed message: the prefix written into the room in front. */
  get message(): Buffer {
    const at = this.start - GRPC_PREFIX_BYTES;
    this.buf[at] = 0;
    this.buf.writeUInt32BE(this.end - this.start, at + 1);
    return this.buf.subarray(at, this.end);
  }

  append(src: Uint8Array, from: number, to: number, count: number): void {
    const n = to - from;
    if (this.end + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < GRPC_PREFIX_BYTES + this.end - this.start + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      next.set(this.buf.subarray(this.start, this.end), GRPC_PREFIX_BYTES);
      this.end -= this.start - GRPC_PREFIX_BYTES;
      this.start = GRPC_PREFIX_BYTES;
      this.buf = next;
    }
    this.buf.set(src.subarray(from, to), this.end);
    this.end += n;
    this.count += count;
  }

  /** Skips the first `k` entries (each `0x0a`, varint length, bytes). */
  dropFirst(k: number): void {
    let pos = this.start;
    for (let i = 0; i < k; i++) pos = skipBatchEntry(this.buf, pos);
    this.start = pos;
    this.count -= k;
  }
}

const BATCH_INITIAL_BYTES = 16 * 1024;
const POOL_MAX_BATCHES = 256;
const POOL_MAX_BATCH_BYTES = 1024 * 1024;

/**
 * Bounded FIFO of encoded envelopes between scrape commits and the gRPC stream, already cut into
 * batches of at most `maxEnvelopes` envelopes and (beyond the first) `maxBytes` bytes, filled
 * across commits. When full, the OLDEST envelopes are dropped: after an outage the newest data
 * is what matters.
 */
export class EnvelopeQueue {
  private batches: QueuedBatch[] = [];
  private head = 0;
  private size = 0;
  private readonly pool: QueuedBatch[] = [];

  constructor(
    readonly capacity: number,
    readonly maxEnvelopes = 100,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`queue capacity must be >= 1, got ${capacity}`);
    if (!(maxEnvelopes >= 1)) throw new RangeError(`batch size must be >= 1, got ${maxEnvelopes}`);
  }

  get length(): number {
    return this.size;
  }

  /** A full batch is waiting. */
  get hasFullBatch(): boolean {
    return this.head < this.batches.length && (this.batches[this.head] as QueuedBatch).sealed;
  }

  /**
   * Copies the first `n` framed envelopes of `bytes` (envelope i ends at `ends[i]`) in; returns
   * how many envelopes were dropped (oldest first) to stay bounded.
   */
  push(bytes: Uint8Array, ends: ArrayLike<number>, n = ends.length): number {
    if (n === 0) return 0;
    let first = 0;
    if (n > this.capacity) first = n - this.capacity;
    let dropped = first;
    const overflow = this.size + (n - first) - this.capacity;
    if (overflow > 0) dropped += this.dropOldest(overflow);
    let from = first === 0 ? 0 : (ends[first - 1] as number);
    let i = first;
    while (i < n) {
      const b = this.openBatch();
      let k = Math.min(this.maxEnvelopes - b.count, n - i);
      const room = this.maxBytes - (b.end - b.start);
      if ((ends[i + k - 1] as number) - from > room) {
        // Ends increase: shrink to what fits, but a lone oversized envelope still goes alone.
        while (k > 0 && (ends[i + k - 1] as number) - from > room) k--;
        b.sealed = true;
        if (k === 0) {
          if (b.count > 0) continue;
          k = 1;
        }
      }
      const to = ends[i + k - 1] as number;
      b.append(bytes, from, to, k);
      if (b.count >= this.maxEnvelopes) b.sealed = true;
      from = to;
      i += k;
    }
    this.size += n - first;
    return dropped;
  }

  /** Removes the front batch if it is full, or any non-empty one when `partial`. */
  take(partial: boolean): QueuedBatch | null {
    if (this.head === this.batches.length) return null;
    const b = this.batches[this.head] as QueuedBatch;
    if (!b.sealed && !partial) return null;
    b.sealed = true;
    this.shift();
    this.size -= b.count;
    return b;
  }

  /** Returns a batch whose write has completed, for reuse. */
  release(b: QueuedBatch): void {
    b.start = b.end = GRPC_PREFIX_BYTES;
    b.count = 0;
    b.sealed = false;
    if (this.pool.length < POOL_MAX_BATCHES && b.buf.length <= POOL_MAX_BATCH_BYTES) this.pool.push(b);
  }

  /** Empties the queue; returns how many envelopes were discarded. */
  clear(): number {
    const n = this.size;
    for (let i = this.head; i < this.batches.length; i++) this.release(this.batches[i] as QueuedBatch);
    this.batches = [];
    this.head = 0;
    this.size = 0;
    return n;
  }

  private openBatch(): QueuedBatch {
    const last = this.batches[this.batches.length - 1];
    if (this.head < this.batches.length && last !== undefined && !last.sealed) return last;
    const b = this.pool.pop() ?? new QueuedBatch(BATCH_INITIAL_BYTES);
    this.batches.push(b);
    return b;
  }

  private dropOldest(k: number): number {
    let dropped = 0;
    while (k > 0 && this.head < this.batches.length) {
      const b = this.batches[this.head] as QueuedBatch;
      if (k >= b.count) {
        k -= b.count;
        dropped += b.count;
        this.size -= b.count;
        this.shift();
        this.release(b);
      } else {
        b.dropFirst(k);
        dropped += k;
        this.size -= k;
        k = 0;
      }
    }
    return dropped;
  }

  private shift(): void {
    this.head++;
    if (this.head === this.batches.length) {
      this.batches.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }
}
