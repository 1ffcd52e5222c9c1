import { copyBytes, sameBytes, viewOf } from './bytes.js';
import { CommentMemo } from './comment-memo.js';
import type { ExpositionFormat, MetricType, PredictedSeries, SeriesKey } from './types.js';

/**
 * What a `SeriesKeyCache` keeps per exposed series; subclasses add their per-series result (the
 * scrape engine its prepared sink handle, promfetcher its rendered line head). Each user makes its
 * entries in one place with one field order (a subclass, or one object literal): the hot path's
 * property loads then stay monomorphic.
 */
export class CachedSeries implements PredictedSeries {
  /** Where the series' exposed bytes (`name{labels}`) sit in the cache's key arena. */
  keyOffset = 0;
  keyLength = 0;
  /** Pass (scrape, render) that last saw it. */
  seen: number;
  /** Position in the last good pass's order. */
  index = -1;

  constructor(
    /** The sample name as exposed (before relabeling). */
    readonly name: string,
    readonly family: string,
    readonly type: MetricType,
    pass: number,
  ) {
    this.seen = pass;
  }
}

const MIN_ARENA = 16 << 10;
const MIN_SLOTS = 64;

/**
 * Series seen in earlier passes over one source's exposition, keyed by their exposed bytes, for a
 * parser visitor (the scrape engine's series cache, promfetcher's render cache).
 *
 * Sources expose their series in the same order every time, so the cache keeps the order of the
 * last good pass and predicts each line: comparing the expected key's bytes in place confirms a
 * hit with no hashing or allocation. Otherwise keys are found by hash (the parser passes the hash
 * it computed while scanning). Keys live in one byte arena, no string or Buffer per series.
 * `commit` after a good pass evicts what it did not see and compacts the arena when mostly dead;
 * `rollback` after a failed pass takes back what it added, so memory is bounded by the source.
 */
export class SeriesKeyCache<E extends CachedSeries> {
  /**
   * The hash index: open addressing with linear probing, slot i is [hash, entry number + 1] in
   * `slots[2i]`, `slots[2i + 1]` (0: empty), at most half full. A miss, the common lookup of a
   * first scrape, usually costs one memory access where a `Map` chain cost about three, and the
   * index is no garbage-collected structure.
   */
  private slots = new Int32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /** Every entry, shadowed ones included; `slots` holds their numbers. */
  private entries: E[] = [];
  /** `hashes[n]` is entry n's key hash. */
  private hashes = new Int32Array(MIN_SLOTS);
  private arena: Buffer = Buffer.allocUnsafe(MIN_ARENA);
  private arenaView = viewOf(this.arena);
  /** The buffer being parsed and a view of it: keys are compared 8 bytes at a time. */
  private viewed: Buffer | null = null;
  private view = this.arenaView;
  private used = 0;
  /**
   * The last good pass's entries in order, and the current pass's so far. The two arrays swap at
   * `commit` and are refilled by index, so a pass allocates no order array.
   */
  private order: E[] = [];
  private orderLength = 0;
  private nextOrder: E[] = [];
  private nextLength = 0;
  private cursor = 0;
  /** Whether this pass put an entry at another position than the last good pass had it. */
  private reordered = false;
  /** Key bytes of the last good pass's entries (arena compaction). */
  private liveBytes = 0;
  /** Entries and arena bytes when the pass began: a failed pass's additions come after. */
  private passEntries = 0;
  private passArena = 0;
  /** Incremented per pass; entries carry the pass that last saw them. */
  iteration = 0;
  /** Distinct entries seen in the current pass. */
  seenThisPass = 0;
  /** The exposition format of the last good pass, and of this one once its body is known. */
  private committedFormat: ExpositionFormat | null = null;
  private passFormat: ExpositionFormat | null = null;
  /** The source's comment lines, for the parser to replay (`SampleVisitor.comments`). */
  readonly comments = new CommentMemo();

  get size(): number {
    return this.entries.length;
  }

  /** Bytes held for keys (self-metrics, tests). */
  get arenaBytes(): number {
    return this.arena.length;
  }

  begin(): number {
    this.passEntries = this.entries.length;
    this.passArena = this.used;
    this.seenThisPass = 0;
    this.cursor = 0;
    this.nextLength = 0;
    this.reordered = false;
    this.passFormat = null;
    this.comments.begin();
    return ++this.iteration;
  }

  /**
   * The format of this pass's body, once known and before it is parsed. Each series was validated
   * under its format's rules, and an OpenMetrics parse skips checks for predicted lines that a
   * text parse never made; the comment memo's lines mean different things in each format: a
   * source that changes format starts again from an empty cache.
   */
  setFormat(format: ExpositionFormat): void {
    this.passFormat = format;
    if (this.committedFormat !== null && this.committedFormat !== format) this.clear();
  }

  /** The entry expected at this line if its key bytes are there (then a blank), else null. */
  predict(buf: Buffer, start: number, end: number): E | null {
    if (this.cursor >= this.orderLength) return null;
    const e = this.order[this.cursor] as E;
    const len = e.keyLength;
    if (start + len >= end) return null;
    const after = buf[start + len];
    if (after !== 0x20 && after !== 0x09) return null;
    const off = e.keyOffset;
    const arena = this.arena;
    // Cheap rejections first (series differ mostly in their last label values), then all bytes.
    if (buf[start + len - 1] !== arena[off + len - 1] || buf[start] !== arena[off]) return null;
    return sameBytes(this.viewOfKey(buf), start, this.arenaView, off, len) ? e : null;
  }

  /** Where `e`'s key bytes are now: read them before the next `add`, which may move the arena. */
  keyOf(e: E, out: SeriesKey): void {
    out.buf = this.arena;
    out.start = e.keyOffset;
    out.end = e.keyOffset + e.keyLength;
  }

  private keyEquals(e: E, key: SeriesKey): boolean {
    const len = key.end - key.start;
    if (e.keyLength !== len) return false;
    return sameBytes(this.viewOfKey(key.buf), key.start, this.arenaView, e.keyOffset, len);
  }

  /** A view of the buffer being parsed, kept while the parser stays in it. */
  private viewOfKey(buf: Buffer): DataView {
    if (buf !== this.viewed) {
      this.viewed = buf;
      this.view = viewOf(buf);
    }
    return this.view;
  }

  /** The newest entry for `key`. */
  get(key: SeriesKey): E | undefined {
    const slots = this.slots;
    const hash = key.hash;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const n = slots[2 * i + 1] as number;
      if (n === 0) return undefined;
      if (slots[2 * i] === hash) {
        const e = this.entries[n - 1] as E;
        if (this.keyEquals(e, key)) return e;
      }
    }
  }

  /**
   * Indexes entry number `n`. Entries are numbered in the order they were added, so a key found
   * indexed under a lower number is older: `n` replaces it (a new entry shadows an old one).
   */
  private index(n: number): void {
    const slots = this.slots;
    const hash = this.hashes[n] as number;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const m = slots[2 * i + 1] as number;
      if (m === 0) {
        slots[2 * i] = hash;
        slots[2 * i + 1] = n + 1;
        return;
      }
      if (slots[2 * i] !== hash) continue;
      const e = this.entries[n] as E;
      const o = this.entries[m - 1] as E;
      const arena = this.arena;
      if (
        o.keyLength !== e.keyLength ||
        arena.compare(arena, e.keyOffset, e.keyOffset + e.keyLength, o.keyOffset, o.keyOffset + o.keyLength) !== 0
      )
        continue;
      slots[2 * i + 1] = n + 1;
      return;
    }
  }

  /**
   * Rebuilds the index over `entries`, at a size that keeps it at most half full. It reads the
   * hashes from their own column, not from the entries scattered over the heap.
   */
  private reindex(): void {
    let cap = MIN_SLOTS;
    const count = this.entries.length;
    while (cap < 2 * count + 2) cap *= 2;
    if (cap === this.mask + 1) this.slots.fill(0);
    else this.slots = new Int32Array(2 * cap);
    this.mask = cap - 1;
    for (let n = 0; n < count; n++) this.index(n);
  }

  /** Marks an entry as seen; returns false when it was already seen this pass (a duplicate). */
  touch(e: E): boolean {
    if (e.seen === this.iteration) return false;
    e.seen = this.iteration;
    this.seenThisPass++;
    const at = e.index;
    if (at !== this.nextLength) this.reordered = true;
    this.nextOrder[this.nextLength++] = e;
    if (at >= 0 && at < this.orderLength && this.order[at] === e) this.cursor = at + 1;
    return true;
  }

  /**
   * Adds a new series under `key`, copying its bytes. It shadows an older entry with the same key
   * (the source changed the series' family or type); that one is evicted by the next `commit`
   * unless seen.
   */
  add(e: E, key: SeriesKey): void {
    const len = key.end - key.start;
    if (this.used + len > this.arena.length) this.grow(this.used + len);
    copyBytes(this.viewOfKey(key.buf), key.start, this.arenaView, this.used, len);
    e.keyOffset = this.used;
    e.keyLength = len;
    this.used += len;
    const n = this.entries.length;
    this.entries.push(e);
    if (n === this.hashes.length) {
      const more = new Int32Array(2 * n);
      more.set(this.hashes);
      this.hashes = more;
    }
    this.hashes[n] = key.hash;
    if (2 * this.entries.length + 2 > this.mask + 1) this.reindex();
    else this.index(n);
    this.seenThisPass++;
    this.reordered = true;
    this.nextOrder[this.nextLength++] = e;
  }

  private grow(need: number): void {
    this.setArena(Buffer.allocUnsafe(Math.max(need * 2, MIN_ARENA)), this.used);
  }

  private setArena(next: Buffer, copyBytes: number): void {
    if (copyBytes > 0) this.arena.copy(next, 0, 0, copyBytes);
    this.arena = next;
    this.arenaView = viewOf(next);
  }

  /** After a failed pass: forget the series it added; the last good order stays for prediction. */
  rollback(): void {
    this.comments.rollback();
    this.nextOrder.fill(undefined as unknown as E, 0, this.nextLength); // release what it added
    this.nextLength = 0;
    // What the pass added is at the end of the entries and of the key arena.
    if (this.entries.length > this.passEntries) {
      this.entries.length = this.passEntries;
      this.used = this.passArena;
      this.reindex();
    }
  }

  /** Removes the entries `drop` picks, keeping the others' order (and their hashes beside them). */
  private removeWhere(drop: (e: E) => boolean): number {
    const entries = this.entries;
    const hashes = this.hashes;
    let kept = 0;
    for (let n = 0; n < entries.length; n++) {
      const e = entries[n] as E;
      if (drop(e)) continue;
      entries[kept] = e;
      hashes[kept] = hashes[n] as number;
      kept++;
    }
    const removed = entries.length - kept;
    if (removed > 0) {
      entries.length = kept;
      this.reindex();
    }
    return removed;
  }

  /** After a good pass: its order predicts the next; what it did not see is evicted. Returns how many. */
  commit(): number {
    const last = this.order;
    const order = this.nextOrder;
    const count = this.nextLength;
    const lastCount = this.orderLength;
    // Entries past the new length are stale (the source shrank): release them.
    if (order.length > count) order.length = count;
    if (last.length > count) last.length = count;
    this.order = order;
    this.orderLength = count;
    this.nextOrder = last;
    this.nextLength = 0;
    // The usual steady pass saw the same entries in the same places: their positions and the live
    // byte count stand, and the entries (scattered over the heap) are not visited again.
    let live = this.liveBytes;
    if (this.reordered || count !== lastCount) {
      live = 0;
      for (let i = 0; i < count; i++) {
        const e = order[i] as E;
        e.index = i;
        live += e.keyLength;
      }
      this.liveBytes = live;
    }
    const iteration = this.iteration;
    const evicted = this.entries.length === this.seenThisPass ? 0 : this.removeWhere((e) => e.seen !== iteration);
    // Every live entry is in the order: when most of the arena is dead keys, copy them in order.
    if (this.used > 2 * live + MIN_ARENA) {
      const next = Buffer.allocUnsafe(Math.max(MIN_ARENA, Math.ceil(live * 1.25)));
      let off = 0;
      for (let i = 0; i < count; i++) {
        const e = order[i] as E;
        this.arena.copy(next, off, e.keyOffset, e.keyOffset + e.keyLength);
        e.keyOffset = off;
        off += e.keyLength;
      }
      this.setArena(next, 0);
      this.used = off;
    }
    this.viewed = null;
    if (this.passFormat !== null) this.committedFormat = this.passFormat;
    this.comments.commit();
    return evicted;
  }

  clear(): void {
    this.comments.clear();
    this.liveBytes = 0;
    this.entries = [];
    this.reindex();
    this.order = [];
    this.orderLength = 0;
    this.nextOrder = [];
    this.nextLength = 0;
    this.used = 0;
    this.passEntries = 0;
    this.passArena = 0;
    this.viewed = null;
  }
}
