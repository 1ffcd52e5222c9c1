import type { Command } from './command.js';
import { UsageError } from './command.js';

/**
 * Runs one subcommand as its own program (the `prom-scraper` and `promfetcher` bins): usage
 * errors exit 2 and anything unexpected exits 1, both with one line prefixed by the program name.
 */
export function runBin(program: string, command: Command): void {
  command({ argv: process.argv.slice(2), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${program}: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${program}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
