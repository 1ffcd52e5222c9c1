import { setFlagsFromString } from 'node:v8';

/**
 * V8's interrupt budget for the long-running commands (scraper, fetcher): a quarter of the
 * default (67,584). V8 optimizes a function once it has used up its budget a few times, counted
 * in bytecode executed. Code that runs once per scrape (parser setup, the HTTP exchange, commit)
 * ran 50 times a second on 50 targets and still reached TurboFan 40-70 s after start (--trace-opt),
 * so for the first minute each scrape cost ~0.2 ms more CPU. A quarter of the budget gets there
 * in about 30 s; smaller budgets compiled more in the first seconds and ended no faster.
 */
export const DAEMON_INTERRUPT_BUDGET = 16_384;

/**
 * Applies `DAEMON_INTERRUPT_BUDGET` unless the operator chose a budget (`node --interrupt-budget=N`
 * or NODE_OPTIONS). V8 reads the flag each time it resets a function's budget, so setting it at
 * run time applies to everything that runs afterwards, however the process was started.
 */
export function tierUpSooner(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const chosen = (s: string): boolean => /--interrupt[-_]budget\b/.test(s);
  if (execArgv.some(chosen) || chosen(nodeOptions)) return false;
  setFlagsFromString(`--interrupt-budget=${DAEMON_INTERRUPT_BUDGET}`);
  return true;
}
