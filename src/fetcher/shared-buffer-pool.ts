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
