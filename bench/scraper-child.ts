/**
 * cf-prom's scrape engine in its own process for the scrape benchmark, so its CPU and RSS are
 * read from /proc exactly as Prometheus's are: `node scraper-child.js <json>` with
 * `{"ports":[…],"intervalMs":N,"mode":"first"|"steady"}`. `first` measures first scrapes of
 * every target (code warmed on other jobs, so the figure is the cost of new series, not of JIT
 * compilation: the median of several rounds), and the cold process's very first scrape, prints
 * `{"firstUs":…,"coldUs":…,"measured":[…]}` and exits. `steady` scrapes on the real schedule into a
 * discarding sink, prints `{"offsets":[…]}` (each target's phase, in `ports` order) and answers each line on stdin with `{"samples":…,"cachedSeries":…}`; it runs
 * in a process of its own so that its RSS is not the high-water mark of the first-scrape run.
 */
import { createInterface } from 'node:readline';
import { tierUpSooner } from '../src/cli/v8-tiering.js';
import { DiscardSink, ScrapeManager } from '../src/scrape/index.js';
import { testJob } from '../src/testing/scrape-job.js';
import { median } from './harness.js';

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
  // Each round is a first scrape of every target under a new job name (so every series is new).
  const round = async (name: string): Promise<number> => {
    const before = sink.samples;
    first.sync([{ ...job, jobName: name }], { start: false });
    const c0 = cpuMicros();
    await first.scrapeAll();
    return (cpuMicros() - c0) / (sink.samples - before);
  };
  // The very first scrape of a fresh process: everything still interpreted and compiled on the way.
  const coldUs = await round('cold');
  const perRound = sink.samples;
  // Then warm-up rounds until ~3M new series have been scraped: a daemon that meets a new target
  // has run this code many times before. Each round also makes new loops and connections, code a
  // daemon runs once per target, and V8 kept compiling it long after: `--trace-opt` still showed
  // 1-5 compiles per 50-target round after 30 rounds, each adding up to 0.8 us/sample of
  // background-thread CPU to its round. After ~600k series (the warm-up until session 9) three
  // processes measured 1.67, 1.95, 1.93 us/sample; after ~3M, alternating with them, 1.27, 1.21,
  // 1.07. The cold process's first scrape (above) keeps the cost a new process pays.
  const warmRounds = Math.max(3, Math.ceil(3_000_000 / perRound));
  for (let r = 0; r < warmRounds; r++) await round(`warmup${r}`);
  // The figure: the median of several measured rounds, each a first scrape of new series.
  const measured: number[] = [];
  // Seven for every case: one 100k-series round moved by up to 1.6x from the next (machine noise).
  const measuredRounds = 7;
  for (let r = 0; r < measuredRounds; r++) measured.push(await round(`measured${r}`));
  process.stdout.write(`${JSON.stringify({ firstUs: median(measured), coldUs, measured })}\n`);
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
