import { CachedSeries, type MetricType, SeriesKeyCache } from '../exposition/index.js';

/**
 * What the scrape loop remembers about one exposed series between scrapes: the sink's prepared
 * handle (null when metric relabeling dropped the series).
 */
export class SeriesEntry extends CachedSeries {
  constructor(
    name: string,
    family: string,
    type: MetricType,
    readonly prepared: unknown,
    readonly dropped: boolean,
    iteration: number,
  ) {
    super(name, family, type, iteration);
  }
}

/**
 * Per-target series cache: an unchanged series skips label parsing, relabeling and the sink's
 * per-series work on every later scrape (mechanism: `SeriesKeyCache` in exposition/).
 */
export class SeriesCache extends SeriesKeyCache<SeriesEntry> {}
