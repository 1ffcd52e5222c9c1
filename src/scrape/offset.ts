import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Where in its interval a target is scraped: a hash of the target (and of this host, so several
 * scrapers of the same targets do not all hit at once) modulo the interval. Stable across
 * restarts, spreads thousands of targets evenly.
 */
export function scrapeOffsetMs(targetKey: string, intervalMs: number, seed: string = hostname()): number {
  if (intervalMs <= 0) return 0;
  const h = createHash('sha256').update(seed).update('\u0000').update(targetKey).digest();
  const n = h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11); // 53 bits
  return n % intervalMs;
}

/** The next time ≥ now that is `offset` past a multiple of the interval. */
export function nextScrapeAt(nowMs: number, intervalMs: number, offsetMs: number): number {
  const base = nowMs - (nowMs % intervalMs) + offsetMs;
  return base >= nowMs ? base : base + intervalMs;
}
