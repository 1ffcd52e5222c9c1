import type { MetricType, PredictedSeries } from '../exposition/index.js';
import { keyHash } from '../exposition/index.js';

/**
 * What the loop remembers about one exposed series between scrapes. A class, not object
 * literals: every entry then shares one hidden class, and the hot path's property loads stay
 * monomorphic (spread-built literals made them megamorphic: 7x slower per sample).
 */
export class SeriesEntry implements PredictedSeries {
  /** Where the series' exposed bytes (`name{labels}`) sit in the cache's key arena. */
  keyOffset = 0;
  keyLength = 0;
  hash = 0;
  /** Next entry with the same hash. */
  next: SeriesEntry | null = null;
  /** Iteration of the last scrape that saw it. */
  seen: number;
  /** Position in the last good scrape's order. */
  index = -1;
  /** Iteration that added it: a failed scrape takes back what it added. */
  readonly born: number;

  constructor(
    /** The sample name as exposed (before relabeling). */
    readonly name: string,
    readonly family: string,
    readonly type: MetricType,
    /** The sink's prepared handle; null when metric relabeling dropped the series. */
    readonly prepared: unknown,
    readonly dropped: boolean,
    iteration: number,
  ) {
    this.seen = iteration;
    this.born = iteration;
  }
}

const MIN_ARENA = 64 << 10;

/**
 * Per-target cache keyed by the series exactly as exposed (`name{labels}`): an unchanged series
 * skips label parsing, relabeling and the sink's per-series work on every later scrape.
 *
 * Targets expose their series in the same order every time, so the cache also keeps the order
 * of the last good scrape and predicts each line: a byte comparison against the expected key
 * confirms a hit without hashing or allocating. Keys live in one byte arena (no string or
 * Buffer object per series), found by hash on the slower path. Entries not seen in a successful
 * scrape are evicted and the arena compacted, so memory is bounded by the target's series.
 */
export class SeriesCache {
  private readonly table = new Map<number, SeriesEntry>();
  private arena: Buffer = Buffer.allocUnsafe(MIN_ARENA);
  private used = 0;
  private count = 0;
  private order: SeriesEntry[] = [];
  private nextOrder: SeriesEntry[] = [];
  private cursor = 0;
  private lastKey = '';
  private lastHash = 0;
  /** Incremented per scrape; entries carry the iteration that last saw them. */
  iteration = 0;
  /** Distinct entries seen in the current iteration. */
  seenThisScrape = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held for keys (for self-metrics and tests). */
  get arenaBytes(): number {
    return this.arena.length;
  }

  begin(): number {
    this.seenThisScrape = 0;
    this.cursor = 0;
    this.nextOrder = [];
    return ++this.iteration;
  }

  /** The entry expected at this line if its key bytes are there, else null. */
  predict(buf: Buffer, start: number, end: number): SeriesEntry | null {
    const e = this.order[this.cursor];
    if (e === undefined) return null;
    const len = e.keyLength;
    if (start + len >= end) return null;
    const after = buf[start + len];
    if (after !== 0x20 && after !== 0x09) return null;
    const off = e.keyOffset;
    const arena = this.arena;
    // Cheap rejections first: last and first bytes, then the whole key.
    if (buf[start + len - 1] !== arena[off + len - 1] || buf[start] !== arena[off]) return null;
    if (buf.compare(arena, off, off + len, start, start + len) !== 0) return null;
    return e;
  }

  private keyEquals(e: SeriesEntry, key: string): boolean {
    if (e.keyLength !== key.length) return false;
    const arena = this.arena;
    const off = e.keyOffset;
    for (let i = 0; i < key.length; i++) if (arena[off + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** `hash` is `keyHash(key)` when the parser computed it already. */
  get(key: string, hash?: number): SeriesEntry | undefined {
    const h = hash ?? keyHash(key);
    this.lastKey = key;
    this.lastHash = h;
    for (let e: SeriesEntry | null = this.table.get(h) ?? null; e !== null; e = e.next) if (this.keyEquals(e, key)) return e;
    return undefined;
  }

  /** Marks an entry as seen; returns false when it was already seen this scrape (a duplicate). */
  touch(e: SeriesEntry): boolean {
    if (e.seen === this.iteration) return false;
    e.seen = this.iteration;
    this.seenThisScrape++;
    this.nextOrder.push(e);
    if (this.order[e.index] === e) this.cursor = e.index + 1;
    return true;
  }

  /** Adds a new series under `key` (latin1: one char per exposed byte). */
  add(e: SeriesEntry, key: string): void {
    const len = key.length;
    if (this.used + len > this.arena.length) this.grow(this.used + len);
    this.arena.write(key, this.used, len, 'latin1');
    e.keyOffset = this.used;
    e.keyLength = len;
    this.used += len;
    e.hash = key === this.lastKey ? this.lastHash : keyHash(key); // add() follows a missed get()
    e.next = this.table.get(e.hash) ?? null;
    this.table.set(e.hash, e);
    this.count++;
    this.seenThisScrape++;
    this.nextOrder.push(e);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need * 2, MIN_ARENA));
    this.arena.copy(next, 0, 0, this.used);
    this.arena = next;
  }

  /**
   * After a failed scrape: forget the series it added (they were never confirmed by a good
   * scrape), so a target that keeps failing with new series cannot grow the cache. The order of
   * the last good scrape stays for the next prediction.
   */
  rollback(): void {
    this.nextOrder = [];
    this.removeWhere((e) => e.born === this.iteration);
  }

  private removeWhere(drop: (e: SeriesEntry) => boolean): number {
    let removed = 0;
    for (const [h, head] of this.table) {
      let first: SeriesEntry | null = null;
      let last: SeriesEntry | null = null;
      for (let e: SeriesEntry | null = head; e !== null; e = e.next) {
        if (drop(e)) {
          removed++;
          continue;
        }
        if (last === null) first = e;
        else last.next = e;
        last = e;
      }
      if (last !== null) last.next = null;
      if (first === null) this.table.delete(h);
      else if (first !== head) this.table.set(h, first);
    }
    this.count -= removed;
    return removed;
  }

  /** After a successful scrape: drop what it did not expose. Returns how many were evicted. */
  commit(): number {
    this.order = this.nextOrder;
    this.nextOrder = [];
    let live = 0;
    for (let i = 0; i < this.order.length; i++) {
      const e = this.order[i] as SeriesEntry;
      e.index = i;
      live += e.keyLength;
    }
    const iteration = this.iteration;
    const evicted = this.count === this.seenThisScrape ? 0 : this.removeWhere((e) => e.seen !== iteration);
    // Compact when most of the arena is dead keys: live ones are copied in scrape order.
    if (this.used > 2 * live + MIN_ARENA) {
      const next = Buffer.allocUnsafe(Math.max(MIN_ARENA, Math.ceil(live * 1.25)));
      let off = 0;
      for (const e of this.order) {
        this.arena.copy(next, off, e.keyOffset, e.keyOffset + e.keyLength);
        e.keyOffset = off;
        off += e.keyLength;
      }
      this.arena = next;
      this.used = off;
    }
    return evicted;
  }

  clear(): void {
    this.table.clear();
    this.order = [];
    this.count = 0;
    this.used = 0;
  }
}
