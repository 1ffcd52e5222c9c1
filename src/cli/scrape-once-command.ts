import type { ScrapeJobConfig, TargetGroup } from '../config/index.js';
import { collectSourceFiles, expandGlob, readEnvSettings, readFileSdFile } from '../config/index.js';
import { ScrapeManager, StdoutSink } from '../scrape/index.js';
import type { Command } from './command.js';
import { parseArgs, UsageError } from './command.js';

function fileSdGroups(job: ScrapeJobConfig, problems: string[]): TargetGroup[] {
  const out: TargetGroup[] = [];
  for (const c of job.fileSdConfigs) {
    for (const pattern of c.files) {
      for (const f of expandGlob(pattern)) {
        try {
          out.push(...readFileSdFile(f));
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
    }
  }
  return out;
}

/**
 * `cf-prom scrape-once --config FILE [--config FILE…] [--job NAME]`: scrapes every target once
 * and prints what the sink would get (NDJSON on stdout) and one summary line per target on
 * stderr. Exit 0 when every target was scraped, 1 when any failed or the config is invalid.
 */
export const scrapeOnceCommand: Command = async (io) => {
  const { multi, flags, positional } = parseArgs(io.argv, { multi: ['config'], strings: ['job'] });
  const files = [...(multi.get('config') ?? []), ...positional];
  if (files.length === 0) throw new UsageError('--config FILE is required (a scrape_configs file or a CF prom_scraper_config.yml)');
  const env = io.env as Record<string, string | undefined>;
  const { jobs, problems, skipped } = collectSourceFiles(files, env);
  for (const s of skipped) io.stderr.write(`WARNING: ${s.file}: skipped: ${s.reason}\n`);
  if (problems.length > 0) {
    for (const p of problems) io.stderr.write(`${p.message}\n`);
    return 1;
  }
  const only = flags.get('job');
  const selected = typeof only === 'string' ? jobs.filter((j) => j.jobName === only) : jobs;
  if (selected.length === 0) {
    io.stderr.write(
      typeof only === 'string'
        ? `no job named "${only}"; jobs: ${jobs.map((j) => j.jobName).join(', ')}\n`
        : 'no jobs in the configuration\n',
    );
    return 1;
  }
  const sdProblems: string[] = [];
  const groups = new Map(selected.map((j) => [j, fileSdGroups(j, sdProblems)]));
  for (const p of sdProblems) io.stderr.write(`WARNING: ${p}\n`);
  const { settings } = readEnvSettings(env);
  const sink = new StdoutSink({ out: io.stdout });
  const manager = new ScrapeManager({
    sink,
    defaultSourceId: settings.defaultSourceId ?? '',
    discoveredGroups: (job) => groups.get(job) ?? [],
  });
  const { dropped } = manager.sync(selected, { start: false });
  for (const d of dropped) io.stderr.write(`dropped ${d.job} ${d.address}: ${d.reason}\n`);
  const results = await manager.scrapeAll();
  await manager.stop();
  await sink.flush(Date.now() + 5000);
  let failed = 0;
  for (const { loop, result } of results) {
    if (!result.ok) failed++;
    const status = result.ok ? 'up  ' : 'DOWN';
    io.stderr.write(
      `${status} ${loop.target.job.jobName} ${loop.target.url} samples=${result.samples} duration=${result.durationMs.toFixed(1)}ms${result.error ? ` error=${result.error.reason}: ${result.error.message}` : ''}\n`,
    );
  }
  io.stderr.write(`${results.length - failed} of ${results.length} targets up\n`);
  return failed === 0 ? 0 : 1;
};
