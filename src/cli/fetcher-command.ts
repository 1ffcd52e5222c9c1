import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DestinationStream, pino } from 'pino';
import { Fetcher, type FetcherConfig, FetcherConfigError, loadFetcherConfig } from '../fetcher/index.js';
import type { Logger } from '../routes/index.js';
import { type CliIo, type Command, UsageError } from './command.js';
import { tierUpSooner } from './v8-tiering.js';

const USAGE = `usage: cf-prom fetcher [-c|--config FILE] [--version]
promfetcher: serves every instance's metrics of a Cloud Foundry app, merged, at
/v{1,2}/apps/{org}/{space}/{app}/metrics (and by app GUID or route), with /v1/targets for
Prometheus HTTP service discovery. Without a config file the route table comes from the
embedded src/fetcher/default-routes.json (backends on 127.0.0.1). Environment overrides: PORT, HEALTH_CHECK_PORT, LISTEN_HOST, BASE_URL, LOG_LEVEL.
Signals: SIGINT/SIGTERM/SIGQUIT stop gracefully; SIGUSR1 turns health to 503 first, then stops.`;

/**
 * The route table used without a config: `src/fetcher/default-routes.json` of this package, the
 * sample table with every backend on 127.0.0.1 (so the embedded default never sends traffic
 * off the machine; a real table comes from NATS, gorouter or `routes_file`).
 */
export function defaultRoutesFile(): string {
  // dist/src/cli/*.js → package root; also works when run from src via a loader.
  for (const rel of ['../../../src/fetcher/default-routes.json', '../fetcher/default-routes.json']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL('../../../src/fetcher/default-routes.json', import.meta.url));
}

function makeLogger(cfg: FetcherConfig, io: CliIo): Logger {
  const level = cfg.logging.level === 'panic' ? 'fatal' : cfg.logging.level;
  return pino({ level, base: { component: 'promfetcher' } }, io.stdout as unknown as DestinationStream) as unknown as Logger;
}

function parse(argv: string[]): { config: string | null; version: boolean } {
  let config: string | null = null;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c' || a === '--config') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a file`);
      config = v;
    } else if (a.startsWith('--config=')) config = a.slice(9);
    else if (a === '--version') version = true;
    else if (a === '-h' || a === '--help') throw new UsageError(USAGE);
    else throw new UsageError(`unexpected argument "${a}"\n${USAGE}`);
  }
  return { config, version };
}

/** Runs promfetcher until a signal (or a fatal route-source failure); returns the exit code. */
export const fetcherCommand: Command = async (io) => {
  const args = parse(io.argv);
  if (args.version) {
    const { version } = await import('../version.js');
    io.stdout.write(`promfetcher (cf-prom) ${version}\n`);
    return 0;
  }
  let cfg: FetcherConfig;
  try {
    cfg = loadFetcherConfig(args.config, { defaultRoutesFile: defaultRoutesFile(), env: io.env });
  } catch (err) {
    if (err instanceof FetcherConfigError) {
      io.stderr.write(`promfetcher: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  tierUpSooner();
  const logger = makeLogger(cfg, io);
  const fetcher = new Fetcher({ config: cfg, logger });
  try {
    await fetcher.start();
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'cannot start');
    io.stderr.write(`promfetcher: cannot start: ${(err as Error).message}\n`);
    await fetcher.stop().catch(() => {});
    return 1;
  }
  let exitCode = 0;
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      logger.info({ signal: sig }, 'signal received: stopping');
      if (sig === 'SIGUSR1') fetcher.degrade();
      for (const s of signals) process.off(s, onSignal);
      resolve();
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR1'];
    for (const s of signals) process.on(s, onSignal);
    void fetcher.source.failed.then((err) => {
      logger.error({ err: err.message }, 'route source failed for good: stopping');
      exitCode = 1;
      for (const s of signals) process.off(s, onSignal);
      resolve();
    });
  });
  await fetcher.stop();
  return exitCode;
};
