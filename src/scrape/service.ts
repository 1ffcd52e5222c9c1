import type { ScrapeJobConfig, TargetGroup } from '../config/index.js';
import { FileSdWatcher } from '../config/index.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { ScrapeManager } from './manager.js';
import type { ScrapeMetrics } from './metrics.js';
import type { Sink } from './sink.js';

export interface ScrapeServiceOptions {
  /** Reads every configured source; throws (a `ConfigError`) when anything is invalid. */
  load: () => ScrapeJobConfig[];
  /** A cheap fingerprint of the config files (paths, sizes, mtimes): a change triggers a reload. */
  fingerprint?: () => string;
  /** How often `fingerprint` is checked (default 5 s; 0 = never). */
  watchIntervalMs?: number;
  sink: Sink;
  defaultSourceId: string;
  logger?: Logger;
  metrics?: ScrapeMetrics;
  maxConcurrentScrapes?: number;
  offsetSeed?: string;
}

/**
 * The scrape engine with its configuration kept live: file_sd files watched per job, config
 * files re-read when they change or on `reload()` (SIGHUP). A reload that fails validation is
 * rejected with a log line naming the problem and the running configuration stays. Jobs added
 * at run time (the API) live beside the file-based ones and survive reloads.
 */
export class ScrapeService {
  readonly manager: ScrapeManager;
  private readonly logger: Logger;
  private fileJobs: ScrapeJobConfig[] = [];
  private readonly extraJobs = new Map<string, ScrapeJobConfig>();
  private readonly sd = new Map<string, { key: string; watcher: FileSdWatcher; groups: TargetGroup[] }>();
  private lastFingerprint = '';
  private watchTimer: NodeJS.Timeout | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private started = false;
  reloads = { ok: 0, failed: 0 };

  constructor(private readonly opts: ScrapeServiceOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.manager = new ScrapeManager({
      sink: opts.sink,
      defaultSourceId: opts.defaultSourceId,
      logger: this.logger,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.maxConcurrentScrapes !== undefined ? { maxConcurrentScrapes: opts.maxConcurrentScrapes } : {}),
      ...(opts.offsetSeed !== undefined ? { offsetSeed: opts.offsetSeed } : {}),
      discoveredGroups: (job) => this.sd.get(job.jobName)?.groups ?? [],
    });
  }

  /** Loads the configuration (throwing when invalid: the daemon then refuses to start) and starts scraping. */
  start(): void {
    this.fileJobs = this.opts.load();
    this.lastFingerprint = this.opts.fingerprint?.() ?? '';
    this.started = true;
    this.apply();
    const every = this.opts.watchIntervalMs ?? 5000;
    if (this.opts.fingerprint && every > 0) {
      this.watchTimer = setInterval(() => {
        const fp = this.opts.fingerprint?.() ?? '';
        if (fp !== this.lastFingerprint) this.reload('config files changed');
      }, every);
      this.watchTimer.unref();
    }
  }

  /** Re-reads every source. Returns false (and keeps the running config) when it is invalid. */
  reload(why = 'reload requested'): boolean {
    let jobs: ScrapeJobConfig[];
    try {
      jobs = this.opts.load();
    } catch (err) {
      this.reloads.failed++;
      this.lastFingerprint = this.opts.fingerprint?.() ?? '';
      this.logger.error({ reason: why, err: (err as Error).message }, 'reload rejected: the running configuration stays');
      return false;
    }
    this.fileJobs = jobs;
    this.lastFingerprint = this.opts.fingerprint?.() ?? '';
    this.reloads.ok++;
    const r = this.apply();
    this.logger.info(
      { reason: why, jobs: jobs.length, targets: r.targets, started: r.started, stopped: r.stopped },
      'configuration reloaded',
    );
    return true;
  }

  /** Adds or replaces a job defined at run time (by the API); takes effect at once. */
  putJob(job: ScrapeJobConfig): void {
    this.extraJobs.set(job.jobName, job);
    if (this.started) this.apply();
  }

  deleteJob(name: string): boolean {
    const had = this.extraJobs.delete(name);
    if (had && this.started) this.apply();
    return had;
  }

  get jobs(): ScrapeJobConfig[] {
    return [...this.fileJobs, ...this.extraJobs.values()];
  }

  private apply(): ReturnType<ScrapeManager['sync']> {
    const jobs = this.jobs;
    this.syncFileSd(jobs);
    return this.manager.sync(jobs);
  }

  /** One watcher per job with file_sd_configs; unchanged ones keep running across reloads. */
  private syncFileSd(jobs: readonly ScrapeJobConfig[]): void {
    const wanted = new Set<string>();
    for (const job of jobs) {
      if (job.fileSdConfigs.length === 0) continue;
      wanted.add(job.jobName);
      const key = JSON.stringify(job.fileSdConfigs);
      const cur = this.sd.get(job.jobName);
      if (cur !== undefined && cur.key === key) continue;
      cur?.watcher.stop();
      const entry = { key, watcher: null as unknown as FileSdWatcher, groups: [] as TargetGroup[] };
      entry.watcher = new FileSdWatcher(job.fileSdConfigs, {
        onGroups: (_file, _groups, all) => {
          entry.groups = all;
          this.scheduleSync();
        },
        onError: (err) => this.logger.warn({ job: job.jobName, err: err.message }, 'file_sd: keeping the previous targets'),
      });
      this.sd.set(job.jobName, entry);
      entry.watcher.start(); // reports synchronously: groups are in before the sync that follows
    }
    for (const [name, e] of this.sd) {
      if (!wanted.has(name)) {
        e.watcher.stop();
        this.sd.delete(name);
      }
    }
  }

  private scheduleSync(): void {
    if (!this.started || this.syncTimer !== null) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.manager.sync(this.jobs);
    }, 50);
    this.syncTimer.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.watchTimer !== null) clearInterval(this.watchTimer);
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    for (const e of this.sd.values()) e.watcher.stop();
    this.sd.clear();
    await this.manager.stop();
  }
}
