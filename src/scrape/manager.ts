import type { ScrapeJobConfig, TargetGroup } from '../config/types.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { compileRelabelConfigs } from '../relabel/index.js';
import { ConcurrencyLimiter } from './limiter.js';
import { createScrapeMetrics, type ScrapeMetrics } from './metrics.js';
import { ScrapeLoop, type ScrapeResult } from './scrape-loop.js';
import type { Sink } from './sink.js';
import { buildTargets, type DroppedTarget } from './target.js';

export interface ManagerOptions {
  sink: Sink;
  defaultSourceId: string;
  logger?: Logger;
  metrics?: ScrapeMetrics;
  /** Scrapes running at once across all targets (0: unbounded). */
  maxConcurrentScrapes?: number;
  now?: () => number;
  offsetSeed?: string;
  /** Target groups found by service discovery (file_sd) for a job, besides its static ones. */
  discoveredGroups?: (job: ScrapeJobConfig) => readonly TargetGroup[];
}

/** What changes the way a target is scraped, besides its key: a change restarts its loop. */
function jobFingerprint(job: ScrapeJobConfig): string {
  const { staticConfigs: _s, fileSdConfigs: _f, origin: _o, ...rest } = job;
  return JSON.stringify(rest);
}

/**
 * Keeps one loop per target of the current configuration. `sync` (start and every reload)
 * leaves unchanged targets running with their caches, stops removed ones and starts new ones.
 */
export class ScrapeManager {
  readonly metrics: ScrapeMetrics;
  private readonly logger: Logger;
  private readonly limiter: ConcurrencyLimiter;
  private loopsByKey = new Map<string, { loop: ScrapeLoop; fingerprint: string }>();
  private lastDropped: DroppedTarget[] = [];
  private stopped = false;

  constructor(private readonly opts: ManagerOptions) {
    this.metrics = opts.metrics ?? createScrapeMetrics();
    this.logger = opts.logger ?? silentLogger;
    this.limiter = new ConcurrencyLimiter(opts.maxConcurrentScrapes ?? 64);
  }

  /**
   * Applies a configuration. Relabel rules are compiled here; the config loader has already
   * validated them, so an error here is a bug in the caller and is thrown.
   */
  sync(
    jobs: readonly ScrapeJobConfig[],
    opts: { start?: boolean } = {},
  ): { targets: number; started: number; stopped: number; dropped: DroppedTarget[] } {
    if (this.stopped) throw new Error('scrape manager is stopped');
    const next = new Map<string, { loop: ScrapeLoop; fingerprint: string }>();
    const dropped: DroppedTarget[] = [];
    let started = 0;
    for (const job of jobs) {
      const relabel = compileRelabelConfigs(job.relabelConfigs, `${job.origin}.relabel_configs`);
      const metricRelabel = compileRelabelConfigs(job.metricRelabelConfigs, `${job.origin}.metric_relabel_configs`);
      const groups = [...job.staticConfigs, ...(this.opts.discoveredGroups?.(job) ?? [])];
      const built = buildTargets(job, groups, relabel, this.opts.defaultSourceId);
      dropped.push(...built.dropped);
      const fingerprint = jobFingerprint(job);
      for (const t of built.targets) {
        if (next.has(t.key)) continue;
        const old = this.loopsByKey.get(t.key);
        if (old !== undefined && old.fingerprint === fingerprint) {
          next.set(t.key, old);
          continue;
        }
        const loop = new ScrapeLoop(t, {
          sink: this.opts.sink,
          limiter: this.limiter,
          metrics: this.metrics,
          logger: this.logger,
          metricRelabel,
          ...(this.opts.now ? { now: this.opts.now } : {}),
          ...(this.opts.offsetSeed !== undefined ? { offsetSeed: this.opts.offsetSeed } : {}),
        });
        next.set(t.key, { loop, fingerprint });
        if (opts.start !== false) loop.start();
        started++;
      }
    }
    let stopped = 0;
    for (const [key, { loop }] of this.loopsByKey) {
      if (next.get(key)?.loop !== loop) {
        void loop.stop();
        stopped++;
      }
    }
    this.loopsByKey = next;
    this.lastDropped = dropped;
    this.metrics.targets = next.size;
    for (const d of dropped) this.logger.info({ job: d.job, address: d.address, reason: d.reason }, 'target dropped');
    return { targets: next.size, started, stopped, dropped };
  }

  loops(): ScrapeLoop[] {
    return [...this.loopsByKey.values()].map((v) => v.loop);
  }

  get droppedTargets(): readonly DroppedTarget[] {
    return this.lastDropped;
  }

  /** Every target once, now (within the concurrency limit): `scrape-once` and tests. */
  async scrapeAll(): Promise<Array<{ loop: ScrapeLoop; result: ScrapeResult }>> {
    const loops = this.loops();
    const results = await Promise.all(loops.map((l) => l.scrapeOnce()));
    this.updateTotals();
    return loops.map((loop, i) => ({ loop, result: results[i] as ScrapeResult }));
  }

  /** Refreshes the gauges summarising the last round of scrapes. */
  updateTotals(): void {
    let attempted = 0;
    let failed = 0;
    let duration = 0;
    let cached = 0;
    for (const l of this.loops()) {
      cached += l.cachedSeries;
      if (l.health.lastScrapeMs === null) continue;
      attempted++;
      if (l.health.up === false) failed++;
      duration += (l.health.lastDurationMs ?? 0) / 1000;
    }
    const m = this.metrics;
    m.lastTotalAttempted = attempted;
    m.lastTotalFailed = failed;
    m.lastTotalDurationSeconds = duration;
    m.cachedSeries = cached;
  }

  /** Stops scheduling and waits for in-flight scrapes; the caller then flushes the sink. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops().map((l) => l.stop()));
    this.loopsByKey.clear();
  }
}
