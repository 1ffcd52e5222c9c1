import type { Labels, TimestampMs } from '../exposition/index.js';
import type { ScrapeTarget, SeriesDescriptor, Sink, SinkAppender } from '../scrape/sink.js';

export interface CapturedSample {
  name: string;
  labels: Record<string, string>;
  type: string;
  value: number;
  ts: TimestampMs;
  target: string;
}

function toObject(l: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < l.length; i += 2) o[l[i] as string] = l[i + 1] as string;
  return o;
}

/** Records what a scrape commits, and how often `prepare` ran (the cache's effect). */
export class CaptureSink implements Sink<{ d: SeriesDescriptor; t: ScrapeTarget }> {
  readonly name = 'capture';
  prepared = 0;
  commits: CapturedSample[][] = [];
  rollbacks = 0;

  prepare(t: ScrapeTarget, d: SeriesDescriptor): { d: SeriesDescriptor; t: ScrapeTarget } {
    this.prepared++;
    return { d, t };
  }

  appender(): SinkAppender<{ d: SeriesDescriptor; t: ScrapeTarget }> {
    let batch: CapturedSample[] = [];
    return {
      append: (p, value, ts) => {
        batch.push({ name: p.d.name, labels: toObject(p.d.labels), type: p.d.type, value, ts, target: p.t.url });
      },
      commit: () => {
        this.commits.push(batch);
        batch = [];
      },
      rollback: () => {
        this.rollbacks++;
        batch = [];
      },
    };
  }

  /** Samples of the last commit for a target URL, synthetic ones included. */
  last(url?: string): CapturedSample[] {
    for (let i = this.commits.length - 1; i >= 0; i--) {
      const c = this.commits[i] as CapturedSample[];
      if (url === undefined || c.some((s) => s.target === url)) return c.filter((s) => url === undefined || s.target === url);
    }
    return [];
  }

  async flush(): Promise<void> {}
  async stop(): Promise<void> {}
}
