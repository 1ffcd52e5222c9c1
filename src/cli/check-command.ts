import {
  ConfigError,
  collectSourceFiles,
  expandGlob,
  loadAllSources,
  readEnvSettings,
  readFileSdFile,
  type ScrapeJobConfig,
} from '../config/index.js';
import type { CliIo, Command } from './command.js';
import { UsageError } from './command.js';

const USAGE = 'usage: cf-prom check config [FILES...]';

/**
 * `cf-prom check config [FILES...]`: validates scrape-target sources offline, like
 * `promtool check config`. With files: each is a Prometheus-style YAML file, or a CF per-job file
 * when its top level has `port:`. Without: everything the environment points at. Prints every
 * problem as `file: path: reason`; exit 1 if any.
 */
export const checkCommand: Command = async (io: CliIo) => {
  const [what, ...files] = io.argv;
  if (what === '-h' || what === '--help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (what !== 'config')
    throw new UsageError(`${what === undefined ? 'missing what to check' : `cannot check ${JSON.stringify(what)}`}; ${USAGE}`);
  const unknownFlag = files.find((f) => f.startsWith('-') && f !== '-');
  if (unknownFlag !== undefined) throw new UsageError(`unknown option ${unknownFlag}; ${USAGE}`);

  const env = io.env as Record<string, string | undefined>;
  let jobs: ScrapeJobConfig[];
  let problems: ConfigError[];
  let skipped: Array<{ file: string; reason: string }>;
  if (files.length === 0) {
    ({ jobs, problems, skipped } = loadAllSources(env, { checkFiles: true }));
    const { settings } = readEnvSettings(env);
    const none =
      settings.pathsToScrapeConfigs.length + settings.configGlobs.length + settings.metricsServersPorts.length === 0 &&
      settings.additionalScrapeConfigs === null;
    if (none)
      io.stderr.write(
        'note: no sources configured (PATHS_TO_SCRAPE_CONFIGS, ADDITIONAL_SCRAPE_CONFIGS, CONFIG_GLOBS, METRICS_SERVERS_PORTS)\n',
      );
  } else ({ jobs, problems, skipped } = collectSourceFiles(files, env));

  let targets = 0;
  for (const job of jobs) {
    for (const g of job.staticConfigs) targets += g.targets.length;
    for (const c of job.fileSdConfigs) {
      for (const pattern of c.files) {
        for (const f of expandGlob(pattern)) {
          try {
            for (const g of readFileSdFile(f)) targets += g.targets.length;
          } catch (err) {
            if (err instanceof ConfigError) problems.push(err);
            else throw err;
          }
        }
      }
    }
  }
  for (const s of skipped) io.stderr.write(`WARNING: ${s.file}: skipped: ${s.reason}\n`);
  if (problems.length > 0) {
    for (const p of problems) io.stderr.write(`${p.message}\n`);
    io.stderr.write(`FAILED: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  io.stdout.write(`SUCCESS: ${jobs.length} job${jobs.length === 1 ? '' : 's'}, ${targets} target${targets === 1 ? '' : 's'}\n`);
  return 0;
};
