import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Runs `fn` repeatedly for at least `minMs` (after one warm-up) and returns seconds per call. */
export function timeIt(fn: () => void, minMs = 1500): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    n++;
    t = performance.now();
  }
  return (t - t0) / 1000 / n;
}

/** The middle value (the upper one of an even count); `xs` is left as it is. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
}

export function fmt(n: number, digits = 1): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(digits);
}

export type Report = (line: string) => void;

/** A child process of a benchmark and its first line of output (stderr is kept for the error). */
export interface BenchChild {
  child: ChildProcess;
  firstLine: Promise<string>;
  output: () => string;
}

/** Starts `node <args>` with extra environment; `firstLine` rejects with its output if it exits first. */
export function startBenchChild(args: string[], env: Record<string, string>): BenchChild {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`child exited (${code}):\n${out}`)));
  });
  firstLine.catch(() => {});
  return { child, firstLine, output: () => out };
}

/** utime+stime in seconds from a `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` file (Linux). */
export function cpuSecondsOf(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
