import type { MetricType } from '../exposition/index.js';

/** What the loop remembers about one exposed series between scrapes. */
export interface SeriesEntry {
  family: string;
  type: MetricType;
  /** The sink's prepared handle; null when metric relabeling dropped the series. */
  prepared: unknown;
  dropped: boolean;
  /** Iteration of the last scrape that saw it. */
  seen: number;
}

/**
 * Per-target cache keyed by the series exactly as exposed (`name{labels}`): an unchanged series
 * skips label parsing, relabeling and the sink's per-series work on every later scrape. Entries
 * not seen in a successful scrape are evicted, so the cache is bounded by the target's series.
 */
export class SeriesCache {
  private readonly map = new Map<string, SeriesEntry>();
  /** Incremented per scrape; entries carry the iteration that last saw them. */
  iteration = 0;
  /** Distinct entries seen in the current iteration. */
  seenThisScrape = 0;

  get size(): number {
    return this.map.size;
  }

  begin(): number {
    this.seenThisScrape = 0;
    return ++this.iteration;
  }

  get(key: string): SeriesEntry | undefined {
    return this.map.get(key);
  }

  /** Marks an entry as seen; returns false when it was already seen this scrape (a duplicate). */
  touch(e: SeriesEntry): boolean {
    if (e.seen === this.iteration) return false;
    e.seen = this.iteration;
    this.seenThisScrape++;
    return true;
  }

  add(key: string, e: SeriesEntry): void {
    this.map.set(key, e);
    this.seenThisScrape++;
  }

  /** After a successful scrape: drop what it did not expose. Returns how many were evicted. */
  evictUnseen(): number {
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
  }
}
