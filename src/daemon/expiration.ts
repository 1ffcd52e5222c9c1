import type { ScrapeLoop } from '../scrape/index.js';

/**
 * `METRICS_EXPIRATION_INTERVAL` for the per-target series caches. A successful scrape already
 * evicts every series it did not see (stricter than the interval). What the interval adds: a
 * target that keeps failing keeps its cache (so it resumes cheaply after a short outage) until it
 * has had no successful scrape for the interval; then the cache is cleared and its memory freed.
 */
export class CacheExpiry {
  /** Last successful scrape per loop (or when it was first seen, before any success). */
  private readonly lastGood = new WeakMap<ScrapeLoop, number>();
  private readonly cleared = new WeakSet<ScrapeLoop>();
  expired = 0;

  constructor(private readonly intervalMs: number) {}

  /** Checks every loop; returns those whose cache was cleared now. */
  sweep(loops: readonly ScrapeLoop[], now: number): ScrapeLoop[] {
    const out: ScrapeLoop[] = [];
    if (this.intervalMs <= 0) return out;
    for (const loop of loops) {
      const h = loop.health;
      if (h.up === true && h.lastScrapeMs !== null) {
        this.lastGood.set(loop, h.lastScrapeMs);
        this.cleared.delete(loop);
        continue;
      }
      const since = this.lastGood.get(loop);
      if (since === undefined) {
        this.lastGood.set(loop, now);
        continue;
      }
      if (now - since < this.intervalMs || this.cleared.has(loop) || loop.cachedSeries === 0) continue;
      if (loop.clearCache()) {
        this.cleared.add(loop);
        this.expired++;
        out.push(loop);
      }
    }
    return out;
  }
}
