import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../src/testing/ports.js';
import { generateCorpus } from './corpus.js';
import type { Report } from './harness.js';
import { fmt, median } from './harness.js';

interface Case {
  name: string;
  targets: number;
  series: number;
  intervalMs: number;
  /** What the targets serve; both scrapers ask for OpenMetrics first. */
  format: 'text' | 'openmetrics';
}

const CASES: Case[] = [
  { name: '50 targets x 1,000 series @1s', targets: 50, series: 1000, intervalMs: 1000, format: 'text' },
  // Client libraries that negotiate OpenMetrics serve it to both scrapers (their Accept asks for it first).
  { name: '50 targets x 1,000 series @1s, OpenMetrics', targets: 50, series: 1000, intervalMs: 1000, format: 'openmetrics' },
  { name: '2 targets x 100,000 series @5s', targets: 2, series: 100_000, intervalMs: 5000, format: 'text' },
  // The RSS goal is stated for 100,000 cached series.
  { name: '1 target x 100,000 series @5s', targets: 1, series: 100_000, intervalMs: 5000, format: 'text' },
];
// A daemon runs for days. V8 optimizes code that runs once per scrape only after many scrapes:
// at 50 scrapes/s it was still compiling 40 s in (--trace-opt), and a 10 s warm-up measured
// 0.74 µs/sample where 50 s gave 0.54. Warm up for 40 scrapes per target, within [10 s, 45 s].
const warmupMs = (c: Case): number => Math.min(45_000, Math.max(10_000, 40 * c.intervalMs));
const WINDOW_MS = 10_000;
/** What the daemon's bins pass to node (their shebang): see src/daemon/README.md. */
const DAEMON_NODE_FLAGS = ['--no-memory-reducer'];
/** Prometheus 2.42's CPU per sample, 50 × 1,000, on the machine the scrape goals were written for (issue #4). */
const REFERENCE_PROM_US = 2.0;
const FIRST_SCRAPE_RUNS = 3;
/** At least four scrapes per target in the window: one major GC in two scrapes moved results ±25%. */
const windowMs = (c: Case): number => Math.max(WINDOW_MS, 4 * c.intervalMs);

async function startTargets(c: Case): Promise<{ ports: number[]; stop: () => void }> {
  const script = new URL('./targets-child.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, String(c.targets), String(c.series), c.format], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  return { ports: (JSON.parse(line) as { ports: number[] }).ports, stop: () => child.kill() };
}

/**
 * CPU time of a process in microseconds, summed over its threads' scheduler statistics
 * (nanoseconds, where /proc/<pid>/stat counts 10 ms ticks), and its RSS in bytes.
 */
function procStat(pid: number): { cpuUs: number; rss: number } {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuUs: ns / 1000, rss: rssKb * 1024 };
}

interface Meter {
  /** CPU microseconds used and samples handled so far. */
  read(): Promise<{ cpuUs: number; samples: number }>;
  rss(): number;
  stop(): Promise<void>;
}

/** A bench child process (JSON argument) that prints `{}` once running and answers stdin lines with a JSON line. */
function startChild(
  script: string,
  arg: string,
  nodeFlags: string[] = [],
): { ask: () => Promise<Record<string, number>>; pid: number; stop: () => Promise<void>; ready: Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [...nodeFlags, new URL(script, import.meta.url).pathname, arg], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`${script} exited`);
    return JSON.parse(r.value as string) as Record<string, number>;
  };
  return {
    ready: next(),
    pid: child.pid as number,
    ask: async () => {
      child.stdin?.write('\n');
      return next();
    },
    stop: async () => {
      child.stdin?.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Raw keep-alive fetches of the same targets on the same schedule, discarding the bytes (bench/fetch-floor-child.ts). */
async function startFloor(c: Case, ports: number[], offsets: number[], samplesPerScrape: number): Promise<Meter> {
  const child = startChild('./fetch-floor-child.js', JSON.stringify({ ports, offsets, intervalMs: c.intervalMs }));
  await child.ready;
  return {
    read: async () => ({ cpuUs: procStat(child.pid).cpuUs, samples: ((await child.ask()).scrapes as number) * samplesPerScrape }),
    rss: () => procStat(child.pid).rss,
    stop: child.stop,
  };
}

/**
 * Our first-scrape cost: the median over a few fresh processes of each one's median of several
 * first scrapes with warm code (bench/scraper-child.ts `first`), and the median of their cold
 * very first scrapes. One first scrape is 0.1-0.2 s of CPU; whether a GC cycle or a background
 * compile lands in it moved a single round by 1.5-3.7 us/sample. Measured before any other
 * scraper runs: Prometheus starting up and scraping the same targets at the same time made it up
 * to 1.7x higher (3.1-3.3 against 1.7-2.2 alone).
 */
function measureFirstScrape(c: Case, ports: number[]): { firstUs: number; firsts: number[]; coldUs: number } {
  const script = new URL('./scraper-child.js', import.meta.url).pathname;
  const arg = JSON.stringify({ ports, intervalMs: c.intervalMs, mode: 'first' });
  const firsts: number[] = [];
  const colds: number[] = [];
  for (let i = 0; i < FIRST_SCRAPE_RUNS; i++) {
    const once = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, script, arg], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const r = JSON.parse(once.stdout) as { firstUs: number; coldUs: number };
    firsts.push(r.firstUs);
    colds.push(r.coldUs);
  }
  return { firstUs: median(firsts), firsts, coldUs: median(colds) };
}

/** Our scraper in its own process (bench/scraper-child.ts), measured through /proc as Prometheus is. */
async function startOurs(c: Case, ports: number[]): Promise<{ meter: Meter; offsets: number[]; cached: () => Promise<number> }> {
  const arg = (mode: string): string => JSON.stringify({ ports, intervalMs: c.intervalMs, mode });
  // The node flags the daemon's bins run with (src/cli/*.ts shebangs, `npm start`).
  const child = startChild('./scraper-child.js', arg('steady'), DAEMON_NODE_FLAGS);
  const { offsets } = (await child.ready) as { offsets: number[] };
  return {
    offsets,
    cached: async () => (await child.ask()).cachedSeries as number,
    meter: {
      read: async () => {
        const { samples } = await child.ask();
        return { cpuUs: procStat(child.pid).cpuUs, samples: samples as number };
      },
      rss: () => procStat(child.pid).rss,
      stop: child.stop,
    },
  };
}

/** Debian's Prometheus scraping the same targets, as a child process measured through /proc. */
async function startPrometheus(c: Case, ports: number[]): Promise<Meter> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-bench-prom-'));
  const port = await freePort();
  const interval = `${c.intervalMs / 1000}s`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${interval}\n  scrape_timeout: ${interval}\nscrape_configs:\n- job_name: bench\n  static_configs:\n  - targets: [${ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}]\n`,
  );
  const proc = spawn(
    '/usr/bin/prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const appended = async (): Promise<number> => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await res.text();
      return Number(/^prometheus_tsdb_head_samples_appended_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    } catch {
      return Number.NaN;
    }
  };
  return {
    read: async () => ({ cpuUs: procStat(proc.pid as number).cpuUs, samples: await appended() }),
    rss: () => procStat(proc.pid as number).rss,
    stop: async () => {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * End-to-end scrape cost: CPU µs per sample in steady state (series-cache hits) and on a first
 * scrape (warm code, median over three fresh processes), and RSS, against Debian's Prometheus scraping the same targets in the same run
 * (its CPU includes TSDB appends, ours a discarding sink: it is the scraper a user would
 * otherwise deploy).
 */
export async function benchScrape(report: Report): Promise<void> {
  const hasProm = existsSync('/usr/bin/prometheus') || spawnSync('which', ['prometheus']).status === 0;
  /** The goals' machine speed over this one's, from the first case's Prometheus (null: no Prometheus). */
  let speed: number | null = null;
  for (const c of CASES) {
    const t = await startTargets(c);
    // Samples per scrape as our sink counts them: the exposed series and 5 synthetic ones.
    const samplesPerScrape = generateCorpus(c.series, 1).series + 5;
    const meters: Meter[] = [];
    try {
      const first = measureFirstScrape(c, t.ports);
      const prom = hasProm ? await startPrometheus(c, t.ports) : null;
      if (prom) meters.push(prom);
      const ours = await startOurs(c, t.ports);
      meters.push(ours.meter);
      const floor = await startFloor(c, t.ports, ours.offsets, samplesPerScrape);
      meters.push(floor);
      // All scrape the same targets during the same window, so machine noise hits them alike.
      await new Promise((r) => setTimeout(r, warmupMs(c) + 2 * c.intervalMs));
      const before = await Promise.all(meters.map((m) => m.read()));
      await new Promise((r) => setTimeout(r, windowMs(c)));
      const after = await Promise.all(meters.map((m) => m.read()));
      const perSample = (m: Meter): number => {
        const k = meters.indexOf(m);
        const a = after[k] as { cpuUs: number; samples: number };
        const b = before[k] as { cpuUs: number; samples: number };
        return (a.cpuUs - b.cpuUs) / (a.samples - b.samples);
      };
      const oursUs = perSample(ours.meter);
      const rate =
        ((after[meters.indexOf(ours.meter)]?.samples ?? 0) - (before[meters.indexOf(ours.meter)]?.samples ?? 0)) / (windowMs(c) / 1000);
      report(
        `scrape ${c.name}: cf-prom ${fmt(oursUs, 3)} µs CPU/sample steady (${fmt(rate / 1e3)}k samples/s), ${fmt(first.firstUs, 2)} µs first scrape (warm code; processes: ${first.firsts.map((f) => fmt(f, 2)).join(', ')}; a cold process's very first: ${fmt(first.coldUs, 1)}), RSS ${fmt(ours.meter.rss() / 2 ** 20)} MiB, ${await ours.cached()} cached series`,
      );
      const floorUs = perSample(floor);
      report(
        `scrape ${c.name}: floor (raw keep-alive fetch, bytes discarded, no parsing) ${fmt(floorUs, 3)} µs CPU/sample | cf-prom above the floor ${fmt(oursUs - floorUs, 3)} µs/sample`,
      );
      if (prom === null) report(`scrape ${c.name}: Prometheus not installed (apt-get install prometheus), no ratio`);
      else {
        const promUs = perSample(prom);
        report(
          `scrape ${c.name}: Prometheus ${fmt(promUs, 3)} µs CPU/sample in the same window, RSS ${fmt(prom.rss() / 2 ** 20)} MiB | ratio ${fmt(promUs / oursUs, 2)}x`,
        );
        // The goals were written against a machine where Prometheus 2.42 costs ~2.0 µs/sample on
        // the 50 × 1,000 text case (the reference is stated for it alone); this machine's speed
        // moves by up to 1.6× between hours. That case runs first, and its factor scales the
        // other cases of the same run.
        if (c.targets === 50 && c.series === 1000 && c.format === 'text') speed = REFERENCE_PROM_US / promUs;
      }
      if (speed !== null) {
        report(
          `scrape ${c.name}: at the goals' machine speed (Prometheus = ${REFERENCE_PROM_US} µs/sample on 50 × 1,000 in this run): cf-prom steady state ${fmt(oursUs * speed, 3)} µs CPU/sample, first scrape ${fmt(first.firstUs * speed, 2)} (measured a minute before this window)`,
        );
      }
    } finally {
      for (const m of meters) await m.stop();
      t.stop();
    }
  }
}
