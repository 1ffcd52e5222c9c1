/**
 * `npm run bench`: every benchmark, each printing ratios against peers measured in the same run.
 * `npm run bench -- exposition` runs only the benchmarks whose name contains the argument.
 */
import { benchExposition } from './exposition-bench.js';
import { benchFetcher } from './fetcher-bench.js';
import type { Report } from './harness.js';
import { benchLoggregator } from './loggregator-bench.js';
import { benchRelabel } from './relabel-bench.js';
import { benchRoutes } from './routes-bench.js';
import { benchScrape } from './scrape-bench.js';

const benches: Array<[string, (r: Report) => Promise<void>]> = [
  ['exposition', benchExposition],
  ['relabel', benchRelabel],
  ['routes', benchRoutes],
  ['scrape', benchScrape],
  ['loggregator', benchLoggregator],
  ['fetcher', benchFetcher],
];

const only = process.argv.slice(2);
const report: Report = (line) => process.stdout.write(`${line}\n`);
report(`cf-prom benchmarks on node ${process.version}, ${process.arch}`);
for (const [name, run] of benches) {
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  await run(report);
}
