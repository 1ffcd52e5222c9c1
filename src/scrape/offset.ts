import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Targets whose offsets fall in the same window of this width are scraped together. Each scrape
 * started alone wakes the process from idle, and on a VM that wake-up (timer, epoll, scheduler,
 * cold caches) cost more CPU than parsing a 1,000-series body: starting the targets of one
 * 100 ms window together cut the CPU of 50 targets × 1,000 series @1s by about a third. Each
 * target keeps a fixed phase, so its interval stays exact.
 */
export const OFFSET_GRID_MS = 100;

/**
 * Where in its interval a target is scraped: a hash of the target (and of this host, so several
 * scrapers of the same targets do not all hit at once) modulo the interval, rounded down to the
 * offset grid (`OFFSET_GRID_MS`, or a tenth of an interval shorter than a second). Stable across
 * restarts, spreads thousands of targets evenly over the grid's windows.
 */
export function scrapeOffsetMs(targetKey: string, intervalMs: number, seed: string = hostname()): number {
  if (intervalMs <= 0) return 0;
  const h = createHash('sha256').update(seed).update('\u0000').update(targetKey).digest();
  const n = h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11); // 53 bits
  const grid = Math.max(1, Math.min(OFFSET_GRID_MS, Math.floor(intervalMs / 10)));
  const offset = n % intervalMs;
  return offset - (offset % grid);
}

/** The next time ≥ now that is `offset` past a multiple of the interval. */
export function nextScrapeAt(nowMs: number, intervalMs: number, offsetMs: number): number {
  const base = nowMs - (nowMs % intervalMs) + offsetMs;
  return base >= nowMs ? base : base + intervalMs;
}
