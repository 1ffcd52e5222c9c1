import type { ScrapeCounts } from './scrape-run.js';
import type { Sink, SinkAppender } from './sink.js';
import type { Target } from './target.js';

const NAMES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;

/** The series Prometheus reports per target about its own scrape, prepared once per target. */
export class SyntheticSeries {
  private prepared: unknown[] | null = null;

  constructor(
    private readonly target: Target,
    private readonly sink: Sink,
  ) {}

  append(app: SinkAppender, scrapeTimeMs: number, up: boolean, durationSeconds: number, counts: ScrapeCounts): void {
    if (this.prepared === null) {
      const labels = this.target.identity.labels;
      this.prepared = NAMES.map((name) => this.sink.prepare(this.target.identity, { name, labels, family: name, type: 'gauge' }));
    }
    const p = this.prepared;
    app.append(p[0], up ? 1 : 0, scrapeTimeMs);
    app.append(p[1], durationSeconds, scrapeTimeMs);
    app.append(p[2], counts.scraped, scrapeTimeMs);
    app.append(p[3], counts.postRelabel, scrapeTimeMs);
    app.append(p[4], counts.added, scrapeTimeMs);
  }
}
