import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './ports.js';

export const NATS_SERVER_BIN = '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /** Default: a free port. Kept across `restart()`. */
  port?: number;
  user?: string;
  pass?: string;
  /** TLS with these PEM files; `caFile` + `verifyClients` makes it mutual TLS. */
  tls?: { certFile: string; keyFile: string; caFile?: string; verifyClients?: boolean };
  /** Extra command-line arguments. */
  args?: string[];
  /** How long to wait for "Server is ready". Default 10000 ms. */
  readyTimeoutMs?: number;
}

export interface NatsServer {
  readonly port: number;
  /** `nats://127.0.0.1:<port>` (no credentials). */
  readonly url: string;
  /** Everything the server wrote to stderr so far (for failing tests). */
  log(): string;
  /** Kills the process (SIGTERM, SIGKILL after 3 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same options. */
  restart(): Promise<void>;
}

/**
 * Spawns a real `nats-server` on 127.0.0.1 and waits until it accepts clients. Tests must call
 * `stop()` (e.g. in `after`); the process is also killed when the test process exits.
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const port = opts.port ?? (await freePort());
  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (opts.user !== undefined) args.push('--user', opts.user, '--pass', opts.pass ?? '');
  if (opts.tls !== undefined) {
    args.push('--tls', '--tlscert', opts.tls.certFile, '--tlskey', opts.tls.keyFile);
    if (opts.tls.caFile !== undefined) args.push('--tlscacert', opts.tls.caFile);
    if (opts.tls.verifyClients === true) args.push('--tlsverify');
  }
  args.push(...(opts.args ?? []));
  let child: ChildProcess | undefined;
  let output = '';
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn(NATS_SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`nats-server on port ${port} not ready after ${opts.readyTimeoutMs ?? 10000} ms:\n${output}`));
      }, opts.readyTimeoutMs ?? 10000);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      c.stdout?.on('data', onData);
      c.stderr?.on('data', onData);
      c.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${output}`));
      });
    });

  const stop = async () => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const hard = setTimeout(() => c.kill('SIGKILL'), 3000);
      c.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };

  await launch();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    log: () => output,
    stop: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
    },
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
