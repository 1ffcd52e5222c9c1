/**
 * Bounded FIFO of encoded envelopes between scrape commits and the gRPC stream. Each commit adds
 * one segment (one buffer of framed envelopes plus their end offsets); batches are zero-copy
 * slices when they come from one segment. When full, the OLDEST envelopes are dropped: after an
 * outage the newest data is what matters.
 */
interface Segment {
  bytes: Buffer;
  ends: ArrayLike<number>;
  /** Index of the first envelope not yet taken or dropped. */
  first: number;
}

export class EnvelopeQueue {
  private segments: Segment[] = [];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`queue capacity must be >= 1, got ${capacity}`);
  }

  get length(): number {
    return this.size;
  }

  /** Adds a segment; returns how many envelopes were dropped (oldest first) to stay bounded. */
  push(bytes: Buffer, ends: ArrayLike<number>): number {
    const n = ends.length;
    if (n === 0) return 0;
    let dropped = 0;
    let first = 0;
    if (n > this.capacity) {
      first = n - this.capacity;
      dropped += first;
    }
    let overflow = this.size + (n - first) - this.capacity;
    while (overflow > 0) {
      const s = this.segments[this.head] as Segment;
      const k = Math.min(overflow, s.ends.length - s.first);
      s.first += k;
      this.size -= k;
      dropped += k;
      overflow -= k;
      if (s.first === s.ends.length) this.shift();
    }
    this.segments.push({ bytes, ends, first });
    this.size += n - first;
    return dropped;
  }

  /**
   * Removes up to `max` envelopes (and, beyond the first, at most `maxBytes` bytes) from the
   * front, as one EnvelopeBatch body.
   */
  take(max: number, maxBytes = Number.POSITIVE_INFINITY): { bytes: Buffer; count: number } | null {
    if (this.size === 0) return null;
    const parts: Buffer[] = [];
    let count = 0;
    let bytes = 0;
    while (count < max && this.size > 0) {
      const s = this.segments[this.head] as Segment;
      const start = s.first === 0 ? 0 : (s.ends[s.first - 1] as number);
      let k = Math.min(max - count, s.ends.length - s.first);
      // Shrink to the byte budget (ends are increasing, so this is a short backwards scan).
      while (k > 0 && (s.ends[s.first + k - 1] as number) - start > maxBytes - bytes && !(count === 0 && k === 1)) k--;
      if (k === 0) break;
      const end = s.ends[s.first + k - 1] as number;
      parts.push(s.bytes.subarray(start, end));
      bytes += end - start;
      s.first += k;
      this.size -= k;
      count += k;
      if (s.first === s.ends.length) this.shift();
    }
    return { bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), count };
  }

  /** Empties the queue; returns how many envelopes were discarded. */
  clear(): number {
    const n = this.size;
    this.segments = [];
    this.head = 0;
    this.size = 0;
    return n;
  }

  private shift(): void {
    this.head++;
    if (this.head === this.segments.length) {
      this.segments = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
  }
}
