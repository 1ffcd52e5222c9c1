import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Tests only: the real daemon process (the `prom-scraper` bin) with a clean environment. */
export interface DaemonProcess {
  proc: ChildProcess;
  /** Parsed JSON log lines (stderr) so far; plain lines as `{ raw }`. */
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  stdout(): string;
  /** Resolves with the first log line matching, rejects after `timeoutMs`. */
  waitForLog(match: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  waitForStdout(match: (text: string) => boolean, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const BIN = fileURLToPath(new URL('../../cli/prom-scraper.js', import.meta.url));

export function spawnDaemon(env: Record<string, string>, args: string[] = []): DaemonProcess {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const logs: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    notify();
  });
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
    partial += c;
    let nl = partial.indexOf('\n');
    while (nl !== -1) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
      nl = partial.indexOf('\n');
    }
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      notify();
      resolve({ code, signal });
    });
  });
  const waitUntil = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const done = (): boolean => {
        const v = check();
        if (v === undefined) return false;
        listeners.delete(onEvent);
        clearTimeout(t);
        resolve(v);
        return true;
      };
      const onEvent = () => {
        if (!done() && proc.exitCode !== null) {
          listeners.delete(onEvent);
          clearTimeout(t);
          reject(new Error(`daemon exited (${proc.exitCode}) before ${what}; stderr:\n${err}`));
        }
      };
      const t = setTimeout(() => {
        listeners.delete(onEvent);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr:\n${err}`));
      }, timeoutMs);
      listeners.add(onEvent);
      onEvent();
    });
  return {
    proc,
    logs,
    stderr: () => err,
    stdout: () => out,
    waitForLog: (match, timeoutMs = 5000) => waitUntil(() => logs.find(match), 'a log line', timeoutMs),
    waitForStdout: (match, timeoutMs = 5000) =>
      waitUntil(() => (match(out) ? true : undefined), 'stdout output', timeoutMs).then(() => undefined),
    exited,
    kill: (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}
