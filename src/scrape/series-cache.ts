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
 * allocates and, seeing that entries outlive the scrape that made them, allocates them straight
 * in the old generation, so the scavenges of a first scrape stop copying 100k entries twice.
 * The fields and their order are `CachedSeries`'s, then this type's, so every entry has one map
 * and the cache's loads stay monomorphic.
 */
export function seriesEntry(
  name: string,
  family: string,
  type: MetricType,
  prepared: unknown,
  dropped: boolean,
  pass: number,
): SeriesEntry {
  return { keyOffset: 0, keyLength: 0, hash: 0, seen: pass, index: -1, born: pass, name, family, type, prepared, dropped };
}

/**
 * Per-target series cache: an unchanged series skips label parsing, relabeling and the sink's
 * per-series work on every later scrape (mechanism: `SeriesKeyCache` in exposition/).
 */
export class SeriesCache extends SeriesKeyCache<SeriesEntry> {}
