/**
 * cf-prom's scrape engine in its own process for the scrape benchmark, so its CPU and RSS are
 * read from /proc exactly as Prometheus's are: `node scraper-child.js <json>` with
 * `{"ports":[…],"intervalMs":N,"mode":"first"|"steady"}`. `first` measures one first scrape of
 * every target (code warmed on another job, so the figure is the cost of new series, not of JIT
 * compilation), prints `{"firstUs":…}` and exits. `steady` scrapes on the real schedule into a
 * discarding sink, prints `{"offsets":[…]}` (each target's phase, in `ports` order) and answers each line on stdin with `{"samples":…,"cachedSeries":…}`; it runs
 * in a process of its own so that its RSS is not the high-water mark of the first-scrape run.
 */
import { createInterface } from 'node:readline';
import { tierUpSooner } from '../src/cli/v8-tiering.js';
import { DiscardSink, ScrapeManager } from '../src/scrape/index.js';
import { testJob } from '../src/testing/scrape-job.js';

const { ports, intervalMs, mode } = JSON.parse(process.argv[2] ?? '{}') as { ports: number[]; intervalMs: number; mode: string };
// As the scraper daemon does (src/cli/v8-tiering.ts): this process stands for it.
tierUpSooner();
const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const sink = new DiscardSink();
const job = testJob({
  jobName: 'bench',
  scrapeIntervalMs: intervalMs,
  scrapeTimeoutMs: intervalMs,
  targets: ports.map((p) => `127.0.0.1:${p}`),
});
if (mode === 'first') {
  const first = new ScrapeManager({ sink, defaultSourceId: 'bench', maxConcurrentScrapes: 16 });
  // Several rounds, each a first scrape of other series (a new job name makes new series):
  // a daemon that meets a new target has run this code many times before.
  for (let round = 0; round < 5; round++) {
    first.sync([{ ...job, jobName: `warmup${round}` }], { start: false });
    await first.scrapeAll();
  }
  const warm = sink.samples;
  first.sync([job], { start: false });
  const c0 = cpuMicros();
  await first.scrapeAll();
  process.stdout.write(`${JSON.stringify({ firstUs: (cpuMicros() - c0) / (sink.samples - warm) })}\n`);
  await first.stop();
  process.exit(0);
}

const steady = new ScrapeManager({ sink, defaultSourceId: 'bench', maxConcurrentScrapes: 16 });
steady.sync([job]);
// Each target's phase in its interval, so the floor can fetch on exactly this schedule.
const offsets = ports.map((p) => steady.loops().find((l) => l.target.url.includes(`:${p}/`))?.offsetMs ?? 0);
process.stdout.write(`${JSON.stringify({ offsets })}\n`);
createInterface({ input: process.stdin }).on('line', () => {
  steady.updateTotals();
  process.stdout.write(`${JSON.stringify({ samples: sink.samples, cachedSeries: steady.metrics.cachedSeries })}\n`);
});
process.stdin.on('end', () => {
  void steady.stop().then(() => process.exit(0));
});
