import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DiscardSink, ScrapeManager } from '../src/scrape/index.js';
import { freePort } from '../src/testing/ports.js';
import { testJob } from '../src/testing/scrape-job.js';
import type { Report } from './harness.js';
import { fmt } from './harness.js';

interface Case {
  name: string;
  targets: number;
  series: number;
  intervalMs: number;
}

const CASES: Case[] = [
  { name: '50 targets x 1,000 series @1s', targets: 50, series: 1000, intervalMs: 1000 },
  { name: '2 targets x 100,000 series @5s', targets: 2, series: 100_000, intervalMs: 5000 },
];
const WARMUP_MS = 4000;
const WINDOW_MS = 10_000;

async function startTargets(c: Case): Promise<{ ports: number[]; stop: () => void }> {
  const child = spawn(process.execPath, [new URL('./targets-child.js', import.meta.url).pathname, String(c.targets), String(c.series)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  return { ports: (JSON.parse(line) as { ports: number[] }).ports, stop: () => child.kill() };
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** utime+stime of a process in microseconds, and its RSS in bytes, from /proc. */
function procStat(pid: number): { cpuUs: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuUs: (ticks * 1e6) / 100, rss: rssKb * 1024 };
}

interface Meter {
  /** CPU microseconds used and samples handled so far. */
  read(): Promise<{ cpuUs: number; samples: number }>;
  rss(): number;
  stop(): Promise<void>;
}

/** Our scraper, in this process: the first-scrape cost is measured at start (JIT warmed first). */
async function startOurs(c: Case, ports: number[]): Promise<{ meter: Meter; firstUs: number; cached: () => number }> {
  const sink = new DiscardSink();
  const job = testJob({
    jobName: 'bench',
    scrapeIntervalMs: c.intervalMs,
    scrapeTimeoutMs: c.intervalMs,
    targets: ports.map((p) => `127.0.0.1:${p}`),
  });
  const m = new ScrapeManager({ sink, defaultSourceId: 'bench', maxConcurrentScrapes: 16 });
  // Warm the code first with another job (its series are different), so the first-scrape figure
  // is the cost of new series, not of JIT compilation.
  m.sync([{ ...job, jobName: 'warmup' }], { start: false });
  await m.scrapeAll();
  const warm = sink.samples;
  m.sync([job], { start: false });
  const c0 = cpuMicros();
  await m.scrapeAll();
  const firstUs = (cpuMicros() - c0) / (sink.samples - warm);
  await m.stop();
  // Steady state: the real schedule.
  const m2 = new ScrapeManager({ sink, defaultSourceId: 'bench', maxConcurrentScrapes: 16 });
  m2.sync([job]);
  return {
    firstUs,
    cached: () => {
      m2.updateTotals();
      return m2.metrics.cachedSeries;
    },
    meter: {
      read: async () => ({ cpuUs: cpuMicros(), samples: sink.samples }),
      rss: () => process.memoryUsage().rss,
      stop: () => m2.stop(),
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
 * scrape, and RSS, against Debian's Prometheus scraping the same targets in the same run
 * (its CPU includes TSDB appends, ours a discarding sink: it is the scraper a user would
 * otherwise deploy).
 */
export async function benchScrape(report: Report): Promise<void> {
  const hasProm = existsSync('/usr/bin/prometheus') || spawnSync('which', ['prometheus']).status === 0;
  for (const c of CASES) {
    const t = await startTargets(c);
    const meters: Meter[] = [];
    try {
      const prom = hasProm ? await startPrometheus(c, t.ports) : null;
      if (prom) meters.push(prom);
      const ours = await startOurs(c, t.ports);
      meters.push(ours.meter);
      // Both scrape the same targets during the same window, so machine noise hits both alike.
      await new Promise((r) => setTimeout(r, WARMUP_MS + 2 * c.intervalMs));
      const o0 = await ours.meter.read();
      const p0 = prom ? await prom.read() : null;
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const o1 = await ours.meter.read();
      const p1 = prom ? await prom.read() : null;
      const oursUs = (o1.cpuUs - o0.cpuUs) / (o1.samples - o0.samples);
      report(
        `scrape ${c.name}: cf-prom ${fmt(oursUs, 3)} µs CPU/sample steady (${fmt((o1.samples - o0.samples) / (WINDOW_MS / 1000) / 1e3)}k samples/s), ${fmt(ours.firstUs, 2)} µs first scrape, RSS ${fmt(ours.meter.rss() / 2 ** 20)} MiB, ${ours.cached()} cached series`,
      );
      if (prom === null || p0 === null || p1 === null)
        report(`scrape ${c.name}: Prometheus not installed (apt-get install prometheus), no ratio`);
      else {
        const promUs = (p1.cpuUs - p0.cpuUs) / (p1.samples - p0.samples);
        report(
          `scrape ${c.name}: Prometheus ${fmt(promUs, 3)} µs CPU/sample in the same window, RSS ${fmt(prom.rss() / 2 ** 20)} MiB | ratio ${fmt(promUs / oursUs, 2)}x`,
        );
      }
    } finally {
      for (const m of meters) await m.stop();
      t.stop();
    }
  }
}
