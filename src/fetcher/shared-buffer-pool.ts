/**
 * Reusable buffers on SharedArrayBuffers, mapped once by the other thread and handed back when
 * it is done with them: fetched bodies go to a render worker and rendered lines come back with no
 * transfer, copy or new ArrayBuffer per request. (Every new or transferred-in ArrayBuffer counts as
 * external memory in the receiving isolate, and V8 starts a full mark-compact for about every
 * 64 MiB of it: with ~7 MiB of bodies and ~17 MiB of output per merged request, that was one
 * per request or so.) Bounded: past `maxBytes` in use, `take` returns null and the caller
 * allocates a plain buffer.
 */
export class SharedBufferSlot {
  busy = true;
  /** The main thread has mapped it (it is sent along with the first reply that uses it). */
  sent = false;
  readonly buf: Buffer;
  constructor(
    readonly id: number,
    readonly sab: SharedArrayBuffer,
  ) {
    this.buf = Buffer.from(sab);
  }
}

export class SharedBufferPool {
  private readonly slots = new Map<number, SharedBufferSlot>();
  /** The slots not busy: `take` looks only at these (most slots are busy while responses are written). */
  private readonly free: SharedBufferSlot[] = [];
  private nextId = 1;
  private bytes = 0;
  /** Slots dropped since the main thread last heard: it forgets its mapping of them. */
  private dropped: number[] = [];

  constructor(readonly maxBytes = 512 << 20) {}

  /** A free slot of at least `size` bytes (at most twice that), or a new one; null when full. */
  take(size: number): SharedBufferSlot | null {
    const free = this.free;
    // The smallest that fits, but the first one no bigger than a new slot would be will do: a
    // source's bodies and renders are all about the same size, so that is usually the first.
    const snug = size + (size >> 2) + 4096;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const cap = (free[i] as SharedBufferSlot).buf.length;
      if (cap >= size && cap <= 2 * size + 65536 && (best === -1 || cap < (free[best] as SharedBufferSlot).buf.length)) {
        best = i;
        if (cap <= snug) break;
      }
    }
    if (best !== -1) {
      const s = free[best] as SharedBufferSlot;
      free[best] = free[free.length - 1] as SharedBufferSlot;
      free.pop();
      s.busy = true;
      return s;
    }
    // A new one, with headroom: the next body or render of the same source is a little larger as
    // often as not. Room for it: drop free slots of unfitting sizes first.
    const cap = snug;
    if (this.bytes + cap > this.maxBytes) {
      // Oldest first, as the slot table's order.
      for (const s of [...this.slots.values()]) {
        if (this.bytes + cap <= this.maxBytes) break;
        if (!s.busy) this.drop(s);
      }
      if (this.bytes + cap > this.maxBytes) return null;
    }
    const s = new SharedBufferSlot(this.nextId++, new SharedArrayBuffer(cap));
    this.slots.set(s.id, s);
    this.bytes += cap;
    return s;
  }

  /** The slot is free again (its response was written, or a render moved to a bigger one). */
  give(id: number): void {
    const s = this.slots.get(id);
    if (s === undefined || !s.busy) return;
    s.busy = false;
    this.free.push(s);
  }

  /** The slot is never handed out again (another thread may still write to it): left to the garbage collector. */
  forget(id: number): void {
    const s = this.slots.get(id);
    if (s !== undefined) this.drop(s);
  }

  private drop(s: SharedBufferSlot): void {
    const i = this.free.indexOf(s);
    if (i !== -1) {
      this.free[i] = this.free[this.free.length - 1] as SharedBufferSlot;
      this.free.pop();
    }
    this.slots.delete(s.id);
    this.bytes -= s.buf.length;
    if (s.sent) this.dropped.push(s.id);
  }

  /** Ids the main thread may forget, once each. */
  takeDropped(): number[] {
    const d = this.dropped;
    this.dropped = [];
    return d;
  }

  get bytesHeld(): number {
    return this.bytes;
  }
}

/**
 * Copies `src` into `dst` at `offset` with a plain memcpy. `set` and `copy` into memory of a
 * SharedArrayBuffer go through V8's word-by-word relaxed-atomic copy, about twice as slow for
 * the bodies and renders copied into pool slots; `fill` with a buffer of the range's length is one
 * memcpy in Node's C++ (`fill` repeats the value, so the range is exactly its length).
 */
export function copyInto(dst: Buffer, src: Uint8Array, offset: number): void {
  if (src.length > 0) dst.fill(src, offset, offset + src.length);
}

/** Buffers a render takes its output buffer from, and gives a replaced or unused one back to. */
export interface OutputBuffers {
  /** A buffer of at least `size` bytes (a whole ArrayBuffer, offset 0). */
  take(size: number): Buffer;
  /** `buf` (as taken) is free again. */
  give(buf: Buffer): void;
}

/**
 * Reused buffers of plain (unshared) memory, one thread's: a render worker's output buffers, which
 * live from a render until its lines are copied into the merged response. Allocating one per
 * render made every render new external memory for V8 to account (a mark-compact per ~64 MiB).
 * Free buffers beyond `maxFreeBytes` are left to the garbage collector.
 */
export class PlainBufferPool implements OutputBuffers {
  private readonly free: Buffer[] = [];
  /** The same buffers: one given twice is kept once (two renders must never share one). */
  private readonly freeSet = new Set<Buffer>();
  private freeBytes = 0;

  constructor(readonly maxFreeBytes = 128 << 20) {}

  take(size: number): Buffer {
    const free = this.free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const cap = (free[i] as Buffer).length;
      if (cap >= size && cap <= 2 * size + 65536 && (best === -1 || cap < (free[best] as Buffer).length)) {
        best = i;
        if (cap <= size + (size >> 2) + 4096) break;
      }
    }
    if (best === -1) return Buffer.allocUnsafeSlow(size + (size >> 3) + 4096);
    const b = free[best] as Buffer;
    free[best] = free[free.length - 1] as Buffer;
    free.pop();
    this.freeSet.delete(b);
    this.freeBytes -= b.length;
    return b;
  }

  give(buf: Buffer): void {
    if (buf.length === 0 || buf.byteOffset !== 0 || buf.length !== buf.buffer.byteLength) return;
    if (this.freeSet.has(buf) || this.freeBytes + buf.length > this.maxFreeBytes) return;
    this.free.push(buf);
    this.freeSet.add(buf);
    this.freeBytes += buf.length;
  }

  /** Bytes in free buffers (tests). */
  get bytesFree(): number {
    return this.freeBytes;
  }
}
