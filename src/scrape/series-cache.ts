import type { MetricType, PredictedSeries } from '../exposition/index.js';

/**
 * What the loop remembers about one exposed series between scrapes. A class, not object
 * literals: every entry then shares one hidden class, and the hot path's property loads stay
 * monomorphic (spread-built literals made them megamorphic: 7x slower per sample).
 */
export class SeriesEntry implements PredictedSeries {
  /** The series exactly as exposed, `name{labels}`, as bytes (the fast-path comparison). */
  readonly key: Buffer;
  readonly keyLength: number;
  /** Iteration of the last scrape that saw it. */
  seen: number;
  /** Position in the last good scrape's order. */
  index = -1;

  constructor(
    readonly keyString: string,
    /** The sample name as exposed (before relabeling). */
    readonly name: string,
    readonly family: string,
    readonly type: MetricType,
    /** The sink's prepared handle; null when metric relabeling dropped the series. */
    readonly prepared: unknown,
    readonly dropped: boolean,
    iteration: number,
  ) {
    this.key = Buffer.from(keyString, 'latin1');
    this.keyLength = this.key.length;
    this.seen = iteration;
  }
}

/**
 * Per-target cache keyed by the series exactly as exposed (`name{labels}`): an unchanged series
 * skips label parsing, relabeling and the sink's per-series work on every later scrape.
 *
 * Targets expose their series in the same order every time, so the cache also keeps the order
 * of the last good scrape and predicts each line: a byte comparison against the expected key
 * confirms a hit without hashing or allocating. Entries not seen in a successful scrape are
 * evicted, so the cache is bounded by the target's series.
 */
export class SeriesCache {
  private readonly map = new Map<string, SeriesEntry>();
  private order: SeriesEntry[] = [];
  private nextOrder: SeriesEntry[] = [];
  private cursor = 0;
  /** Incremented per scrape; entries carry the iteration that last saw them. */
  iteration = 0;
  /** Distinct entries seen in the current iteration. */
  seenThisScrape = 0;

  get size(): number {
    return this.map.size;
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
    const k = e.key;
    const len = k.length;
    if (start + len >= end) return null;
    const after = buf[start + len];
    if (after !== 0x20 && after !== 0x09) return null;
    // Cheap rejections first: last and first bytes, then the whole key.
    if (buf[start + len - 1] !== k[len - 1] || buf[start] !== k[0]) return null;
    if (buf.compare(k, 0, len, start, start + len) !== 0) return null;
    return e;
  }

  get(key: string): SeriesEntry | undefined {
    return this.map.get(key);
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

  add(e: SeriesEntry): void {
    this.map.set(e.keyString, e);
    this.seenThisScrape++;
    this.nextOrder.push(e);
  }

  /** After a successful scrape: drop what it did not expose. Returns how many were evicted. */
  commit(): number {
    this.order = this.nextOrder;
    this.nextOrder = [];
    for (let i = 0; i < this.order.length; i++) (this.order[i] as SeriesEntry).index = i;
    if (this.map.size === this.seenThisScrape) return 0;
    let n = 0;
    for (const [k, e] of this.map) {
      if (e.seen !== this.iteration) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.map.clear();
    this.order = [];
  }
}
