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

export function fmt(n: number, digits = 1): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(digits);
}

export type Report = (line: string) => void;
