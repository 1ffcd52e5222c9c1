import { ExpositionStreamParser } from '../exposition/index.js';
import type { Logger } from '../logger.js';
import type { RelabelChain } from '../relabel/index.js';
import { type ScrapeError, toScrapeError } from './errors.js';
import { HttpScraper } from './http-scraper.js';
import type { ConcurrencyLimiter } from './limiter.js';
import { observeDuration, type ScrapeMetrics } from './metrics.js';
import { nextScrapeAt, scrapeOffsetMs } from './offset.js';
import { ScrapeRun } from './scrape-run.js';
import { SeriesCache } from './series-cache.js';
import type { Sink } from './sink.js';
import { SyntheticSeries } from './synthetic.js';
import type { Target } from './target.js';

export interface LoopDeps {
  sink: Sink;
  limiter: ConcurrencyLimiter;
  metrics: ScrapeMetrics;
  logger: Logger;
  metricRelabel: RelabelChain;
  now?: () => number;
  /** Seed of the offset hash (default: the host name). */
  offsetSeed?: string;
}

/** What `GET /v1/scrape_targets` and `scrape-once` show about a target. */
export interface TargetHealth {
  url: string;
  job: string;
  labels: Record<string, string>;
  up: boolean | null;
  lastScrapeMs: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  lastErrorReason: string | null;
  samples: number;
  cachedSeries: number;
  skippedTicks: number;
}

export interface ScrapeResult {
  ok: boolean;
  error: ScrapeError | null;
  durationMs: number;
  samples: number;
}

/**
 * One target: scraped at its interval from a stable offset, never overlapping itself (a tick
 * that finds the previous scrape still running is skipped and counted), within the global
 * concurrency limit. A failure is recorded, reported as `up 0`, and logged once per change of
 * state; it never affects other targets.
 */
export class ScrapeLoop {
  private readonly cache = new SeriesCache();
  private readonly scraper: HttpScraper;
  private readonly synthetic: SyntheticSeries;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ScrapeResult> | null = null;
  private stopped = false;
  private failingReason: string | null = null;
  readonly health: TargetHealth;

  constructor(
    readonly target: Target,
    private readonly deps: LoopDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.scraper = new HttpScraper(target.url, target.job);
    this.synthetic = new SyntheticSeries(target, deps.sink);
    const labels: Record<string, string> = {};
    const l = target.identity.labels;
    for (let i = 0; i < l.length; i += 2) labels[l[i] as string] = l[i + 1] as string;
    this.health = {
      url: target.url,
      job: target.job.jobName,
      labels,
      up: null,
      lastScrapeMs: null,
      lastDurationMs: null,
      lastError: null,
      lastErrorReason: null,
      samples: 0,
      cachedSeries: 0,
      skippedTicks: 0,
    };
  }

  get offsetMs(): number {
    return scrapeOffsetMs(this.target.key, this.target.intervalMs, this.deps.offsetSeed);
  }

  /** Schedules scrapes; an interval of 0 or less means "never scraped" (CF per-job files). */
  start(): void {
    if (this.target.intervalMs <= 0 || this.stopped) return;
    const interval = this.target.intervalMs;
    const offset = this.offsetMs;
    const tick = () => {
      if (this.stopped) return;
      const at = nextScrapeAt(this.now() + 1, interval, offset);
      this.timer = setTimeout(() => {
        if (this.running !== null) {
          this.health.skippedTicks++;
          this.deps.metrics.skippedTicks++;
        } else void this.scrapeOnce();
        tick();
      }, at - this.now());
      this.timer.unref?.();
    };
    tick();
  }

  /** Scrapes now (unless already scraping: then waits for that one). */
  scrapeOnce(): Promise<ScrapeResult> {
    if (this.running !== null) return this.running;
    const p = this.deps.limiter
      .run(() => this.doScrape())
      .finally(() => {
        this.running = null;
      });
    this.running = p;
    return p;
  }

  private async doScrape(): Promise<ScrapeResult> {
    const { sink, metrics, logger } = this.deps;
    const target = this.target;
    const started = this.now();
    const t0 = performance.now();
    this.cache.begin();
    metrics.scrapesStarted++;
    const app = sink.appender(target.identity, started);
    const run = new ScrapeRun(target, this.cache, this.deps.metricRelabel, sink, app, started);
    let error: ScrapeError | null = null;
    try {
      let parser: ExpositionStreamParser | null = null;
      const timeoutMs = Math.min(target.timeoutMs, target.intervalMs > 0 ? target.intervalMs : target.timeoutMs);
      await this.scraper.scrape(timeoutMs, (contentType) => {
        const p = new ExpositionStreamParser({ contentType, visitor: run, keepHelp: false });
        this.cache.setFormat(p.format);
        parser = p;
        return (chunk) => p.push(chunk);
      });
      (parser as ExpositionStreamParser | null)?.end();
    } catch (err) {
      error = toScrapeError(err);
    }
    const durationMs = performance.now() - t0;
    const seconds = durationMs / 1000;
    if (error === null) {
      this.synthetic.append(app, started, true, seconds, run.counts);
      app.commit();
      this.cache.commit();
      metrics.scrapesCompleted++;
      metrics.samplesEmitted += run.counts.postRelabel;
      metrics.duplicateSamples += run.counts.duplicates;
    } else {
      app.rollback();
      this.cache.rollback();
      const fail = sink.appender(target.identity, started);
      this.synthetic.append(fail, started, false, seconds, { scraped: 0, postRelabel: 0, added: 0, duplicates: 0 });
      fail.commit();
      metrics.scrapesFailed.set(error.reason, (metrics.scrapesFailed.get(error.reason) ?? 0) + 1);
      const sid = target.job.sourceId ?? '';
      metrics.failedBySourceId.set(sid, (metrics.failedBySourceId.get(sid) ?? 0) + 1);
    }
    observeDuration(metrics, seconds);
    const h = this.health;
    h.up = error === null;
    h.lastScrapeMs = started;
    h.lastDurationMs = durationMs;
    h.lastError = error?.message ?? null;
    h.lastErrorReason = error?.reason ?? null;
    h.samples = error === null ? run.counts.postRelabel : 0;
    h.cachedSeries = this.cache.size;
    // Log once per change of state, not once per scrape.
    const reason = error === null ? null : `${error.reason}: ${error.message}`;
    if (reason !== this.failingReason) {
      const ctx = {
        job: target.job.jobName,
        url: target.url,
        source_id: target.identity.sourceId,
        instance_id: target.identity.instanceId,
      };
      if (error !== null) logger.warn({ ...ctx, reason: error.reason, err: error.message }, 'scrape failed');
      else logger.info(ctx, 'target has recovered');
      this.failingReason = reason;
    }
    return { ok: error === null, error, durationMs, samples: h.samples };
  }

  get cachedSeries(): number {
    return this.cache.size;
  }

  /**
   * Frees the series cache (METRICS_EXPIRATION_INTERVAL: a target without a good scrape for that
   * long). Refused, returning false, while a scrape is using it.
   */
  clearCache(): boolean {
    if (this.running !== null) return false;
    this.cache.clear();
    this.health.cachedSeries = 0;
    return true;
  }

  /** Stops scheduling, waits for an in-flight scrape, closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.running !== null) await this.running.catch(() => undefined);
    await this.scraper.close();
  }
}
