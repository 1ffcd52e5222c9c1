import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cfTargetFromText, looksLikeCfTargetFile } from './cf-target-file.js';
import { baseJob, CF_DEFAULT_SCRAPE_INTERVAL_MS, PROMETHEUS_DEFAULTS } from './defaults.js';
import { ENV_ORIGIN, type Env, type EnvSettings, readEnvSettings, scrapeDefaultsFromEnv } from './env.js';
import { ConfigError } from './errors.js';
import { expandGlob, isDynamicPattern } from './globs.js';
import { collectScrapeConfigFile, collectScrapeConfigText } from './scrape-config.js';
import type { ScrapeJobConfig } from './types.js';

/** Everything the environment points at. */
export interface LoadedSources {
  jobs: ScrapeJobConfig[];
  /** Every problem, in source order. The daemon refuses to start (or to reload) when not empty. */
  problems: ConfigError[];
  /** CF per-job files left out as the released prom-scraper does (invalid port): log each. */
  skipped: Array<{ file: string; reason: string }>;
}

export interface LoadOptions {
  /** Also check that referenced TLS, password and credentials files are readable. */
  checkFiles?: boolean;
}

export const METRICS_SERVERS_PORTS_JOB = 'metrics_servers_ports';

/**
 * Reads every source, in this order: `PATHS_TO_SCRAPE_CONFIGS` files, `ADDITIONAL_SCRAPE_CONFIGS`,
 * `CONFIG_GLOBS` CF per-job files, `METRICS_SERVERS_PORTS`. Collects all problems (job names must
 * be unique across every source). Never throws for bad input.
 */
export function loadAllSources(env: Env, options: LoadOptions = {}): LoadedSources {
  const { settings, problems } = readEnvSettings(env);
  const out: LoadedSources = { jobs: [], problems, skipped: [] };
  const defaults = { ...scrapeDefaultsFromEnv(settings), checkFiles: options.checkFiles ?? false };
  const set = new JobSet();
  const add = (jobs: ScrapeJobConfig[], file: string) => set.add(jobs, file, out.problems);
  for (const file of expandSourceList(settings.pathsToScrapeConfigs, 'PATHS_TO_SCRAPE_CONFIGS', out.problems, true)) {
    const r = collectScrapeConfigFile(file, defaults);
    out.problems.push(...r.problems);
    add(r.jobs, file);
  }
  if (settings.additionalScrapeConfigs !== null) {
    const r = collectScrapeConfigText(settings.additionalScrapeConfigs, 'ADDITIONAL_SCRAPE_CONFIGS', defaults);
    out.problems.push(...r.problems);
    add(r.jobs, 'ADDITIONAL_SCRAPE_CONFIGS');
  }
  for (const file of expandSourceList(settings.configGlobs, 'CONFIG_GLOBS', out.problems, false)) {
    const r = collectCfFile(file, settings);
    if (r.problem !== null) out.problems.push(r.problem);
    else if (r.skipped !== null) out.skipped.push({ file, reason: r.skipped });
    else if (r.job !== null) add([r.job], file);
  }
  const ports = metricsServersPortsJob(settings);
  if (ports !== null) add([ports], ENV_ORIGIN);
  out.jobs = set.jobs;
  return out;
}

/** Jobs from several sources; a job name used twice is a problem naming where it was first. */
export class JobSet {
  readonly jobs: ScrapeJobConfig[] = [];
  private readonly seen = new Map<string, string>();

  add(jobs: readonly ScrapeJobConfig[], file: string, problems: ConfigError[]): void {
    for (const job of jobs) {
      const first = this.seen.get(job.jobName);
      if (first !== undefined) {
        const path = job.origin.startsWith(`${file}: `) ? `${job.origin.slice(file.length + 2)}.job_name` : 'job_name';
        problems.push(new ConfigError(file, path, `duplicate job name ${JSON.stringify(job.jobName)} (first defined at ${first})`));
        continue;
      }
      this.seen.set(job.jobName, job.origin);
      this.jobs.push(job);
    }
  }
}

/**
 * {@link loadAllSources} for daemon start and reload: the jobs, or the first problem thrown.
 * @throws ConfigError
 */
export function loadAllSourcesStrict(env: Env, options: LoadOptions = {}): Omit<LoadedSources, 'problems'> {
  const r = loadAllSources(env, options);
  if (r.problems[0] !== undefined) throw r.problems[0];
  return { jobs: r.jobs, skipped: r.skipped };
}

/** Reads one CF per-job file, turning thrown errors into a problem. */
export function collectCfFile(
  file: string,
  settings: EnvSettings,
): { job: ScrapeJobConfig | null; skipped: string | null; problem: ConfigError | null } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      job: null,
      skipped: null,
      problem: new ConfigError(file, '', `cannot read file: ${(err as Error).message}`, null, { cause: err }),
    };
  }
  try {
    const r = cfTargetFromText(text, file, settings);
    return { job: r.job, skipped: r.skipped, problem: null };
  } catch (err) {
    if (err instanceof ConfigError) return { job: null, skipped: null, problem: err };
    throw err;
  }
}

/**
 * Expands comma-separated paths/globs, without duplicates (by real path). A literal path that
 * does not exist is a problem when `literalMustExist`; a glob matching nothing is not.
 */
function expandSourceList(patterns: string[], variable: string, problems: ConfigError[], literalMustExist: boolean): string[] {
  const files: string[] = [];
  const real = new Set<string>();
  for (const p of patterns) {
    let matches: string[];
    try {
      matches = expandGlob(p);
    } catch (err) {
      problems.push(new ConfigError(ENV_ORIGIN, variable, `invalid pattern ${JSON.stringify(p)}: ${(err as Error).message}`));
      continue;
    }
    if (matches.length === 0 && literalMustExist && !isDynamicPattern(p)) {
      problems.push(new ConfigError(ENV_ORIGIN, variable, `${JSON.stringify(p)} does not exist`));
    }
    for (const m of matches) {
      let key = m;
      try {
        key = realpathSync(m);
      } catch {}
      if (real.has(key)) continue;
      real.add(key);
      files.push(m);
    }
  }
  return files;
}

/** `METRICS_SERVERS_PORTS` → one CF-style job scraping `127.0.0.1:<port>/metrics` for each port. */
function metricsServersPortsJob(s: EnvSettings): ScrapeJobConfig | null {
  if (s.metricsServersPorts.length === 0) return null;
  const d = scrapeDefaultsFromEnv(s);
  const intervalMs = s.scrapeIntervalMs ?? CF_DEFAULT_SCRAPE_INTERVAL_MS;
  return {
    ...baseJob(METRICS_SERVERS_PORTS_JOB, `${ENV_ORIGIN}: METRICS_SERVERS_PORTS`),
    scrapeIntervalMs: intervalMs,
    scrapeTimeoutMs: Math.min(PROMETHEUS_DEFAULTS.scrapeTimeoutMs, intervalMs),
    honorLabels: true,
    staticConfigs: [{ targets: s.metricsServersPorts.map((p) => `127.0.0.1:${p}`), labels: [], source: 'METRICS_SERVERS_PORTS' }],
    tls: {
      caFile: d.caFile,
      certFile: d.certFile,
      keyFile: d.keyFile,
      serverName: null,
      insecureSkipVerify: d.insecureSkipVerify,
      minVersion: 'TLSv1.2',
    },
    sourceId: s.defaultSourceId,
    declaredSourceId: '',
    cfStyle: true,
  };
}

/**
 * Named files instead of what the environment points at (`check config FILES`, `scrape-once`):
 * each is Prometheus-style YAML, or a CF per-job file when its top level has `port:`. Every
 * problem is collected; the environment still supplies defaults (SCRAPE_INTERVAL, TLS…).
 */
export function collectSourceFiles(
  files: readonly string[],
  env: Record<string, string | undefined>,
): { jobs: ScrapeJobConfig[]; problems: ConfigError[]; skipped: Array<{ file: string; reason: string }> } {
  const { settings, problems } = readEnvSettings(env);
  const set = new JobSet();
  const skipped: Array<{ file: string; reason: string }> = [];
  const defaults = { ...scrapeDefaultsFromEnv(settings), checkFiles: true };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push(new ConfigError(file, '', `cannot read file: ${(err as Error).message}`));
      continue;
    }
    let found: ScrapeJobConfig[] = [];
    if (looksLikeCfTargetFile(text)) {
      const r = collectCfFile(file, settings);
      if (r.problem !== null) problems.push(r.problem);
      if (r.skipped !== null) skipped.push({ file, reason: r.skipped });
      if (r.job !== null) found = [r.job];
    } else {
      const r = collectScrapeConfigText(text, file, { ...defaults, baseDir: dirname(resolve(file)) });
      problems.push(...r.problems);
      found = r.jobs;
    }
    set.add(found, file, problems);
  }
  return { jobs: set.jobs, problems, skipped };
}
