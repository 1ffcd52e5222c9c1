import type { Writable } from 'node:stream';
import type { Labels, TimestampMs } from '../exposition/index.js';
import { labelsToJson } from '../exposition/index.js';
import type { ScrapeTarget, SeriesDescriptor, Sink, SinkAppender } from './sink.js';

interface Prepared {
  head: string;
  tail: string;
}

function jsonValue(v: number): string {
  if (v !== v) return '"NaN"';
  if (v === Number.POSITIVE_INFINITY) return '"+Inf"';
  if (v === Number.NEGATIVE_INFINITY) return '"-Inf"';
  return JSON.stringify(v);
}

function labelValue(labels: Labels, name: string): string | undefined {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1];
  return undefined;
}

export interface StdoutSinkOptions {
  out: Writable;
  /** Output buffered beyond this is dropped (and counted) instead of growing without bound. */
  maxBufferedBytes?: number;
}

/**
 * NDJSON, one sample per line, in the shape of `cf-prom parse` plus `source_id` and
 * `instance_id` (a series' own `source_id` label wins over the target's, as for Loggregator).
 * The embedded default output: what `npm start` and `scrape-once` print.
 */
export class StdoutSink implements Sink<Prepared> {
  readonly name = 'stdout';
  dropped = 0;
  private readonly maxBuffered: number;

  constructor(private readonly opts: StdoutSinkOptions) {
    this.maxBuffered = opts.maxBufferedBytes ?? 64 << 20;
  }

  prepare(target: ScrapeTarget, series: SeriesDescriptor): Prepared {
    const sourceId = labelValue(series.labels, 'source_id') ?? target.sourceId;
    return {
      head: `{"name":${JSON.stringify(series.name)},"labels":${labelsToJson(series.labels)},"value":`,
      tail: `,"type":"${series.type}","source_id":${JSON.stringify(sourceId)},"instance_id":${JSON.stringify(target.instanceId)}}\n`,
    };
  }

  appender(): SinkAppender<Prepared> {
    let buf = '';
    return {
      append: (p: Prepared, value: number, ts: TimestampMs) => {
        buf += `${p.head}${jsonValue(value)},"timestamp":${typeof ts === 'bigint' ? `"${ts}"` : Math.round(ts)}${p.tail}`;
      },
      commit: () => {
        if (buf.length === 0) return;
        if (this.opts.out.writableLength > this.maxBuffered) this.dropped++;
        else this.opts.out.write(buf);
        buf = '';
      },
      rollback: () => {
        buf = '';
      },
    };
  }

  async flush(deadline: number): Promise<void> {
    const out = this.opts.out;
    if (out.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      out.once('drain', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  stop(deadline: number): Promise<void> {
    return this.flush(deadline);
  }
}

/** Several outputs at once: each series is prepared by every sink; appends fan out. */
export class FanoutSink implements Sink<unknown[]> {
  readonly name: string;

  constructor(private readonly sinks: readonly Sink[]) {
    this.name = sinks.map((s) => s.name).join('+');
  }

  prepare(target: ScrapeTarget, series: SeriesDescriptor): unknown[] {
    return this.sinks.map((s) => s.prepare(target, series));
  }

  appender(target: ScrapeTarget, scrapeTimeMs: number): SinkAppender<unknown[]> {
    const apps = this.sinks.map((s) => s.appender(target, scrapeTimeMs));
    return {
      append: (p, value, ts) => {
        for (let i = 0; i < apps.length; i++) (apps[i] as SinkAppender).append(p[i], value, ts);
      },
      commit: () => {
        for (const a of apps) a.commit();
      },
      rollback: () => {
        for (const a of apps) a.rollback();
      },
    };
  }

  async flush(deadline: number): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush(deadline)));
  }

  async stop(deadline: number): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.stop(deadline)));
  }
}

/** Throws samples away; for benchmarks that measure the scrape path alone. */
export class DiscardSink implements Sink<null> {
  readonly name = 'discard';
  samples = 0;
  prepare(): null {
    return null;
  }
  appender(): SinkAppender<null> {
    return {
      append: () => {
        this.samples++;
      },
      commit: () => {},
      rollback: () => {},
    };
  }
  async flush(): Promise<void> {}
  async stop(): Promise<void> {}
}
