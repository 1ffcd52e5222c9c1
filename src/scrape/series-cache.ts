import { type CachedSeries, type MetricType, SeriesKeyCache } from '../exposition/index.js';

/**
 * What the scrape loop remembers about one exposed series between scrapes: the sink's prepared
 * handle (null when metric relabeling dropped the series).
 */
export interface SeriesEntry extends CachedSeries {
  readonly prepared: unknown;
  readonly dropped: boolean;
}

/**
 * A new entry. One object literal, not a class: V8 tracks the survival of what a literal
 * allocates and may then allocate entries straight in the old generation, so the scavenges of a
 * large first scrape stop copying them twice. It decides from what it sees while the code is not
 * yet optimized (a daemon's first scrapes), so this is likely, not certain; when it happens, a
 * 100k-series first scrape in-process drops from ~2.0 to ~1.7 us/sample, and when it does not, the
 * literal costs what the class did. The fields and their order are `CachedSeries`'s, then this
 * type's, so every entry has one map and the cache's loads stay monomorphic.
 */
export function seriesEntry(
  name: string,
  family: string,
  type: MetricType,
  prepared: unknown,
  dropped: boolean,
  pass: number,
): SeriesEntry {
  return { keyOffset: 0, keyLength: 0, seen: pass, index: -1, name, family, type, prepared, dropped };
}

/**
 * Per-target series cache: an unchanged series skips label parsing, relabeling and the sink's
 * per-series work on every later scrape (mechanism: `SeriesKeyCache` in exposition/).
 */
export class SeriesCache extends SeriesKeyCache<SeriesEntry> {}
