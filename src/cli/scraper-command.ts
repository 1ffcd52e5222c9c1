import {
  createDaemonLogger,
  Daemon,
  effectiveConfig,
  readDaemonSettings,
  readSettingsFile,
  SettingsFileError,
  VARIABLES,
} from '../daemon/index.js';
import { CfPromError } from '../errors.js';
import type { Command } from './command.js';
import { parseArgs, UsageError } from './command.js';
import { tierUpSooner } from './v8-tiering.js';

const USAGE = `usage: cf-prom scraper [--config SETTINGS.yml]   (also: prom-scraper [--config SETTINGS.yml])

Runs the prom-scraper daemon, configured by environment variables; the optional YAML settings
file takes the same names (any case) and environment variables win over it. Without
LOGGREGATOR_AGENT_ADDR samples are written to stdout as NDJSON. Signals: SIGHUP reloads the
scrape configs, SIGTERM/SIGINT drain and exit. See src/daemon/README.md.

variables (default):
${Object.values(VARIABLES)
  .map((v) => `  ${v.names.join(' | ').padEnd(58)} ${v.default}`)
  .join('\n')}
`;

/** `cf-prom scraper`: the prom-scraper daemon, until SIGTERM/SIGINT. Exit 1 when it cannot start. */
export const scraperCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, { strings: ['config'], booleans: ['help'] });
  if (flags.has('help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positional.length > 0)
    throw new UsageError(`unexpected argument ${JSON.stringify(positional[0])}; settings come from the environment or --config FILE`);
  const fatal = (message: string): number => {
    io.stderr.write(`prom-scraper: ${message}\n`);
    return 1;
  };
  let fileEnv: Record<string, string | undefined> = {};
  const configFile = flags.get('config');
  if (typeof configFile === 'string') {
    try {
      fileEnv = readSettingsFile(configFile);
    } catch (err) {
      if (err instanceof SettingsFileError) return fatal(err.message);
      throw err;
    }
  }
  const env = { ...fileEnv, ...(io.env as Record<string, string | undefined>) };
  const { settings, problems } = readDaemonSettings(env, { checkFiles: true });
  if (problems.length > 0) {
    for (const p of problems) io.stderr.write(`prom-scraper: invalid configuration: ${p.message}\n`);
    return 1;
  }
  if (settings.useOtelCollector) {
    return fatal(
      `USE_OTEL_COLLECTOR=${JSON.stringify(env.USE_OTEL_COLLECTOR)}: the OTLP output is not available yet; allowed: false (unset it to send to the Loggregator agent, or to stdout without LOGGREGATOR_AGENT_ADDR)`,
    );
  }
  tierUpSooner();
  const logger = createDaemonLogger({ useRfc3339: settings.useRfc3339 });
  logger.info({ config: effectiveConfig(env), settings_file: configFile ?? null }, 'effective configuration');

  // Signals are handled from here on: one arriving while the daemon starts is acted on once it has.
  let daemon: Daemon | null = null;
  let stopRequested: NodeJS.Signals | null = null;
  let stopping = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const onHup = () => {
    if (daemon === null) {
      logger.info({ signal: 'SIGHUP' }, 'still starting: the configuration being loaded is current');
      return;
    }
    logger.info({ signal: 'SIGHUP' }, 'reloading the scrape configuration');
    daemon.reload('SIGHUP');
  };
  const unlisten = () => {
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
  };
  const stop = (running: Daemon, signal: NodeJS.Signals) => {
    stopping = true;
    const timeoutMs = settings.shutdownTimeoutMs;
    logger.info({ signal, timeout_ms: timeoutMs }, 'shutting down: stopping scrapes, flushing the output');
    // Last resort if something hangs past the deadline (the daemon itself stops within it).
    const hard = setTimeout(() => {
      logger.error({ timeout_ms: timeoutMs }, 'shutdown did not finish in time: exiting');
      logger.flush();
      process.exit(1);
    }, timeoutMs + 2000);
    hard.unref();
    void running.stop(Date.now() + timeoutMs).then(() => {
      unlisten();
      clearTimeout(hard);
      logger.info({}, 'prom-scraper stopped');
      logger.flush();
      // A library handle left open must not keep a stopped daemon alive.
      setTimeout(() => process.exit(0), 1000).unref();
      finish(0);
    });
  };
  function onStop(signal: NodeJS.Signals): void {
    if (stopping || stopRequested !== null) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      logger.flush();
      process.exit(1);
    }
    if (daemon === null) stopRequested = signal;
    else stop(daemon, signal);
  }
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);

  try {
    daemon = await Daemon.start(settings, { stdout: io.stdout, logger });
  } catch (err) {
    unlisten();
    if (err instanceof CfPromError) return fatal(`cannot start: ${err.message}`);
    throw err;
  }
  if (stopRequested !== null) stop(daemon, stopRequested);
  return finished;
};
