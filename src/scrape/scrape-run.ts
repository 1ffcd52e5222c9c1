import type { CommentMemo, Labels, MetricFamily, PredictedSeries, SampleVisitor, SeriesKey, TimestampMs } from '../exposition/index.js';
import type { RelabelChain } from '../relabel/index.js';
import { relabelSample } from '../relabel/index.js';
import { ScrapeError } from './errors.js';
import { mergeTargetLabels, withTargetLabels } from './sample-labels.js';
import { type SeriesCache, type SeriesEntry, seriesEntry } from './series-cache.js';
import type { Sink, SinkAppender } from './sink.js';
import type { Target } from './target.js';

export interface ScrapeCounts {
  scraped: number;
  postRelabel: number;
  added: number;
  /** The same series twice in one body: the later ones are not sent (Prometheus rejects them). */
  duplicates: number;
}

/**
 * One scrape of one target as a parser visitor: cached series go straight to the appender;
 * new ones get the target labels, `metric_relabel_configs`, the label limits and the sink's
 * `prepare`, once. Exceeding `sample_limit` or a label limit throws, which aborts the body read
 * and fails the whole scrape, as Prometheus does.
 */
export class ScrapeRun implements SampleVisitor {
  readonly counts: ScrapeCounts = { scraped: 0, postRelabel: 0, added: 0, duplicates: 0 };
  private readonly honorTimestamps: boolean;
  private readonly honorLabels: boolean;
  private readonly sampleLimit: number;
  private readonly labelLimits: boolean;
  readonly comments: CommentMemo;

  constructor(
    private readonly target: Target,
    private readonly cache: SeriesCache,
    private readonly metricRelabel: RelabelChain,
    private readonly sink: Sink,
    private readonly appender: SinkAppender,
    private readonly scrapeTimeMs: number,
  ) {
    const job = target.job;
    this.honorTimestamps = job.honorTimestamps;
    // CF per-job targets: "series labels win on conflict" (the released prom-scraper).
    this.honorLabels = job.honorLabels || job.cfStyle;
    this.sampleLimit = job.sampleLimit;
    this.labelLimits = job.labelLimit > 0 || job.labelNameLengthLimit > 0 || job.labelValueLengthLimit > 0;
    this.comments = cache.comments;
  }

  private emit(e: SeriesEntry, value: number, ts: TimestampMs | null): void {
    if (e.dropped) return;
    const n = ++this.counts.postRelabel;
    if (this.sampleLimit > 0 && n > this.sampleLimit) {
      throw new ScrapeError('sample_limit', `exceeds sample_limit=${this.sampleLimit}; reduce the target's series or raise sample_limit`);
    }
    this.appender.append(e.prepared, value, this.honorTimestamps && ts !== null ? ts : this.scrapeTimeMs);
  }

  private pending: SeriesEntry | null = null;

  predict(buf: Buffer, start: number, end: number): SeriesEntry | null {
    const e = this.cache.predict(buf, start, end);
    this.pending = e;
    return e;
  }

  predicted(value: number, ts: TimestampMs | null): void {
    const e = this.pending as SeriesEntry;
    this.counts.scraped++;
    if (this.cache.touch(e)) this.emit(e, value, ts);
    else this.counts.duplicates++;
  }

  keyOf(series: PredictedSeries, out: SeriesKey): void {
    this.cache.keyOf(series as SeriesEntry, out);
  }

  /** Where the key `known` just missed starts: `sample` for that line then skips a second lookup. */
  private missedBuf: Buffer | null = null;
  private missedAt = -1;

  known(key: SeriesKey, family: MetricFamily, value: number, ts: TimestampMs | null): boolean {
    const e = this.cache.get(key);
    if (e === undefined || e.type !== family.type || e.family !== family.name) {
      this.missedBuf = key.buf;
      this.missedAt = key.start;
      return false;
    }
    this.counts.scraped++;
    if (this.cache.touch(e)) this.emit(e, value, ts);
    else this.counts.duplicates++;
    return true;
  }

  sample(key: SeriesKey, family: MetricFamily, name: string, labels: Labels, value: number, ts: TimestampMs | null): void {
    this.counts.scraped++;
    const cached = this.missedBuf === key.buf && this.missedAt === key.start ? undefined : this.cache.get(key);
    this.missedBuf = null;
    if (cached !== undefined && cached.type === family.type && cached.family === family.name) {
      if (this.cache.touch(cached)) this.emit(cached, value, ts);
      else this.counts.duplicates++;
      return;
    }
    const e = this.compile(family, name, labels);
    this.cache.add(e, key);
    if (!e.dropped) this.counts.added++;
    this.emit(e, value, ts);
  }

  private compile(family: MetricFamily, name: string, labels: Labels): SeriesEntry {
    const targetLabels = this.target.identity.labels;
    let finalName = name;
    let finalLabels: Labels;
    if (this.metricRelabel.isEmpty) finalLabels = withTargetLabels(labels, targetLabels, this.honorLabels);
    else {
      const r = relabelSample(this.metricRelabel, name, mergeTargetLabels(labels.slice(), targetLabels, this.honorLabels));
      if (r === null) return seriesEntry(name, family.name, family.type, null, true, this.cache.iteration);
      finalName = r.name;
      finalLabels = r.labels;
    }
    if (this.labelLimits) this.checkLabelLimits(finalName, finalLabels);
    const prepared = this.sink.prepare(this.target.identity, {
      name: finalName,
      labels: finalLabels,
      family: family.name,
      type: family.type,
    });
    return seriesEntry(name, family.name, family.type, prepared, false, this.cache.iteration);
  }

  private checkLabelLimits(name: string, labels: Labels): void {
    const job = this.target.job;
    const count = (labels.length >> 1) + 1; // __name__ counts, as in Prometheus
    if (job.labelLimit > 0 && count > job.labelLimit) {
      throw new ScrapeError('label_limit', `series ${name} has ${count} labels, more than label_limit=${job.labelLimit}`);
    }
    for (let i = 0; i < labels.length; i += 2) {
      const n = labels[i] as string;
      const v = labels[i + 1] as string;
      if (job.labelNameLengthLimit > 0 && n.length > job.labelNameLengthLimit) {
        throw new ScrapeError(
          'label_limit',
          `label name "${n}" of ${name} is longer than label_name_length_limit=${job.labelNameLengthLimit}`,
        );
      }
      if (job.labelValueLengthLimit > 0 && v.length > job.labelValueLengthLimit) {
        throw new ScrapeError(
          'label_limit',
          `value of label "${n}" of ${name} is longer than label_value_length_limit=${job.labelValueLengthLimit}`,
        );
      }
    }
  }
}
