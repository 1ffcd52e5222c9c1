export { parseByteSize } from './byte-size.js';
export type { CfTargetResult } from './cf-target-file.js';
export { cfTargetFromText, loadCfTargetFile, looksLikeCfTargetFile } from './cf-target-file.js';
export type { ScrapeDefaults } from './defaults.js';
export {
  baseJob,
  CF_DEFAULT_SCRAPE_INTERVAL_MS,
  DEFAULT_FILE_SD_REFRESH_MS,
  DEFAULT_METRICS_PATH,
  PROMETHEUS_DEFAULTS,
} from './defaults.js';
export type { Env, EnvSettings } from './env.js';
export { cfDefaultIntervalMs, ENV_ORIGIN, readEnvSettings, scrapeDefaultsFromEnv } from './env.js';
/** Problems collected by `loadAllSources` are ConfigErrors: `{ file, path, reason, line, message }`. */
export type { ConfigError as ConfigProblem } from './errors.js';
export { ConfigError, formatConfigMessage } from './errors.js';
export type { FileSdListener } from './file-sd.js';
export { FileSdWatcher, parseFileSd, readFileSdFile } from './file-sd.js';
export { expandGlob } from './globs.js';
export { parseGoDuration, parseGoDurationNs } from './go-duration.js';
export type { ScrapeConfigResult } from './scrape-config.js';
export {
  collectScrapeConfigFile,
  collectScrapeConfigText,
  loadScrapeConfigFile,
  loadScrapeConfigText,
} from './scrape-config.js';
export type { LoadedSources, LoadOptions } from './sources.js';
export { collectCfFile, collectSourceFiles, JobSet, loadAllSources, loadAllSourcesStrict, METRICS_SERVERS_PORTS_JOB } from './sources.js';
export { targetAddressProblem } from './target-address.js';
export type { ScrapeJobConfig, TargetGroup, TlsSettings } from './types.js';
