#!/usr/bin/env node
// The `promfetcher` bin: the same as `cf-prom fetcher`, with the original's flags (-c/--config, --version).
import { UsageError } from './command.js';
import { fetcherCommand } from './fetcher-command.js';

fetcherCommand({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`promfetcher: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`promfetcher: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
