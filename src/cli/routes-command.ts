import type { Writable } from 'node:stream';
import {
  type AppInstance,
  FileRouteSource,
  GorouterRoutesPoller,
  type Logger,
  NatsRouteSource,
  parseLookupId,
  type RouteSource,
  RouteTable,
} from '../routes/index.js';
import { type Command, parseArgs, UsageError } from './command.js';

const USAGE = `usage: cf-prom routes (--file F | --nats nats://host:port[,..] [--nats-user U --nats-pass P]
                      [--nats-ca F --nats-cert F --nats-key F] | --gorouter http://host:port[,..] [--user U --pass P])
                     [--lookup ID] [--wait-ms N] [--timeout-ms N] [--settle-ms N] [--verbose]
Loads the route table, waits until it is ready (then N more ms), and prints it as gorouter /routes JSON,
or with --lookup the instances matching ID (org/space/app, app GUID or route) as JSON lines.`;

function stderrLogger(out: Writable, verbose: boolean): Logger {
  const line = (level: string, obj: object, msg: string) => {
    const o: Record<string, unknown> = { ...obj };
    if (o.err instanceof Error) o.err = o.err.message;
    out.write(`${level} ${msg} ${JSON.stringify(o)}\n`);
  };
  return {
    info: (obj, msg) => {
      if (verbose) line('info', obj, msg);
    },
    warn: (obj, msg) => line('warn', obj, msg),
    error: (obj, msg) => line('error', obj, msg),
  };
}

function nonNegativeInt(flags: Map<string, string | true>, name: string, dflt: number): number {
  const v = flags.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw new UsageError(`--${name} must be a whole number of milliseconds, got "${String(v)}"`);
  return n;
}

function str(flags: Map<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

function describe(id: string): string {
  const q = parseLookupId(id);
  if (q.kind === 'names') return `org "${q.org}" / space "${q.space}" / app "${q.app}" (web processes)`;
  if (q.kind === 'guid') return `app GUID ${q.guid} (web processes)`;
  return `route "${q.routeKey}"`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const routesCommand: Command = async (io) => {
  const { flags, positional } = parseArgs(io.argv, {
    strings: [
      'file',
      'nats',
      'nats-user',
      'nats-pass',
      'nats-ca',
      'nats-cert',
      'nats-key',
      'gorouter',
      'user',
      'pass',
      'lookup',
      'wait-ms',
      'timeout-ms',
      'settle-ms',
    ],
    booleans: ['verbose', 'help'],
  });
  if (flags.has('help')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"\n${USAGE}`);
  const chosen = ['file', 'nats', 'gorouter'].filter((k) => flags.has(k));
  if (chosen.length !== 1) throw new UsageError(`give exactly one of --file, --nats, --gorouter\n${USAGE}`);
  const waitMs = nonNegativeInt(flags, 'wait-ms', 0);
  const timeoutMs = nonNegativeInt(flags, 'timeout-ms', 15_000);
  const settleMs = nonNegativeInt(flags, 'settle-ms', 2000);
  const logger = stderrLogger(io.stderr, flags.has('verbose'));
  const table = new RouteTable();
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');

  let source: RouteSource;
  const file = str(flags, 'file');
  if (file !== undefined) {
    source = new FileRouteSource({ path: file, table, logger });
  } else if (flags.has('nats')) {
    const tlsFiles = { caFile: str(flags, 'nats-ca'), certFile: str(flags, 'nats-cert'), keyFile: str(flags, 'nats-key') };
    if ((tlsFiles.certFile === undefined) !== (tlsFiles.keyFile === undefined))
      throw new UsageError('--nats-cert and --nats-key go together');
    const useTls = Object.values(tlsFiles).some((v) => v !== undefined);
    source = new NatsRouteSource({
      servers: list(str(flags, 'nats')),
      user: str(flags, 'nats-user'),
      pass: str(flags, 'nats-pass'),
      ...(useTls ? { tls: Object.fromEntries(Object.entries(tlsFiles).filter(([, v]) => v !== undefined)) as Record<string, string> } : {}),
      table,
      logger,
      settleMs,
    });
  } else {
    source = new GorouterRoutesPoller({
      urls: list(str(flags, 'gorouter')),
      user: str(flags, 'user'),
      pass: str(flags, 'pass'),
      table,
      logger,
    });
  }

  try {
    await source.start();
    if (source instanceof GorouterRoutesPoller && !source.isReady()) {
      io.stderr.write(`cf-prom routes: ${source.lastError?.message ?? 'gorouter poll failed'}\n`);
      return 1;
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      source.ready.then(() => 'ready' as const),
      source.failed.then((err) => err),
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome instanceof Error) {
      io.stderr.write(`cf-prom routes: ${outcome.message}\n`);
      return 1;
    }
    if (outcome === 'timeout') {
      io.stderr.write(`cf-prom routes: source not ready after ${timeoutMs} ms\n`);
      return 1;
    }
    if (waitMs > 0) await sleep(waitMs);
    const id = str(flags, 'lookup');
    if (id === undefined) {
      io.stdout.write(`${JSON.stringify(table.snapshot(), null, 2)}\n`);
      return 0;
    }
    const found: AppInstance[] = table.lookup(id);
    if (found.length === 0) {
      const { routes, instances } = table.size();
      io.stderr.write(`cf-prom routes: no instance matches ${describe(id)} among ${instances} instances on ${routes} routes\n`);
      return 1;
    }
    for (const i of found) io.stdout.write(`${JSON.stringify(i)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    io.stderr.write(`cf-prom routes: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await source.stop();
  }
};
