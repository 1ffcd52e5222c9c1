/**
 * promfetcher under load: one app with 50 instances × 1,000 series, fetched through the fetcher
 * by a load generator at fixed concurrency (p50/p99, req/s, CPU and peak RSS of the server
 * process), and, in the same run, a trivial proxy that fetches the same 50 bodies in parallel and
 * concatenates them without parsing: the floor. Instances, fetcher and floor run as separate
 * processes so the CPU numbers are the server's alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, Pool } from 'undici';
import { generateCorpus, toOpenMetrics } from './corpus.js';
import { type BenchChild, cpuSecondsOf, startBenchChild } from './harness.js';

const INSTANCES = 50;
const SERIES = 1000;
/** Bodies per instance with the same series and different values, served in turn. */
const VALUE_VARIANTS = 4;
/** Load on each server before the measured rounds. */
const WARM_UP_MS = 8000;
/** Measured slices per server and concurrency, alternating between the floor and promfetcher. */
const PAIRED_ROUNDS = 6;
/** The bench app's GUID: its merged endpoint is `/v2/apps/${BENCH_APP_GUID}/metrics`. */
export const BENCH_APP_GUID = '5a1e7c2b-0000-4000-8000-00000000be7c';
const GUID = BENCH_APP_GUID;

/** The route table (static-file source) of the bench app: one instance per address. */
export function benchRoutes(addresses: readonly string[]): Record<string, unknown[]> {
  const tags = (i: number) => ({
    app_id: GUID,
    app_name: 'bench',
    organization_id: 'org-guid',
    organization_name: 'acme',
    space_id: 'space-guid',
    space_name: 'prod',
    process_type: 'web',
    instance_id: String(i),
  });
  return {
    'bench.apps.example.com': addresses.map((address, i) => ({ address, tls: false, tags: tags(i), private_instance_index: String(i) })),
  };
}
const SELF = fileURLToPath(import.meta.url);
const PROMFETCHER = fileURLToPath(new URL('../src/cli/promfetcher.js', import.meta.url));

// ---- child process roles (selected by env, so `npm run bench` arguments never collide) ----

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

async function runInstances(): Promise<void> {
  const ports: number[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    // The corpus carries an `instance_id` label, which promfetcher replaces; rename it so every
    // instance keeps its 1,000 distinct series. A real app's values change between scrapes, so each
    // instance cycles through bodies with the same series and other values (the corpus seed only
    // drives values): a cache keyed on unchanged values or bodies would not hit here either.
    const bodies = Array.from({ length: VALUE_VARIANTS }, (_, v) =>
      Buffer.from(
        generateCorpus(SERIES, 1000 + i + v * INSTANCES)
          .body.toString('latin1')
          .replaceAll('instance_id=', 'worker_id='),
        'latin1',
      ),
    );
    // Asked for OpenMetrics (promfetcher's v1 does), they answer it, as negotiating client libraries do.
    const omBodies = bodies.map(toOpenMetrics);
    let served = 0;
    const server = createServer((req, res) => {
      const om = (req.headers.accept ?? '').includes('application/openmetrics-text');
      const body = (om ? omBodies : bodies)[served++ % bodies.length] as Buffer;
      res.writeHead(200, {
        'content-type': om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8',
        'content-length': body.length,
      });
      res.end(body);
    });
    server.keepAliveTimeout = 60_000;
    ports.push(await listen(server));
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);
}

async function runFloor(): Promise<void> {
  const targets = JSON.parse(process.env.FETCHER_BENCH_TARGETS ?? '[]') as string[];
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const server = createServer(async (_req, res) => {
    const bodies = await Promise.all(
      targets.map(async (t) => {
        const r = await agent.request({ origin: `http://${t}`, path: '/metrics', method: 'GET' });
        return Buffer.from(await r.body.arrayBuffer());
      }),
    );
    const out = Buffer.concat(bodies);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': out.length });
    res.end(out);
  });
  server.keepAliveTimeout = 60_000;
  process.stdout.write(`${JSON.stringify([await listen(server)])}\n`);
}

// ---- the benchmark ----

/** utime+stime of a process in seconds, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  return cpuSecondsOf(`/proc/${pid}/stat`);
}

/** Resident set now (VmRSS) in MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Peak resident set (VmHWM) in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function waitUp(url: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > end) throw new Error(`${url} not up`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  cpuMsPerReq: number;
  bytes: number;
  n: number;
}

/** `concurrency` loops sending GET `path` to one server back to back, in measured slices. */
class Load {
  private readonly pool: Pool;
  private seq = 0;
  private readonly lat: number[] = [];
  private bytes = 0;
  private cpuSeconds = 0;
  private seconds = 0;

  constructor(
    port: number,
    private readonly pid: number,
    private readonly path: string,
    private readonly concurrency: number,
    private readonly distinct: boolean,
    private readonly extraHeaders: Record<string, string> = {},
  ) {
    this.pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, keepAliveTimeout: 60_000 });
  }

  private async one(): Promise<[number, number]> {
    const t0 = performance.now();
    const headers = this.distinct ? { ...this.extraHeaders, 'x-bench-request': String(this.seq++) } : this.extraHeaders;
    const r = await this.pool.request({ path: this.path, method: 'GET', headers });
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}: ${(await r.body.text()).slice(0, 200)}`);
    // Every byte is received, but counted rather than gathered: the load generator shares the
    // cores with both servers, and copying the merged responses (2.5× the floor's) into one
    // buffer each cost it ~30 ms per request, slowing the server it measured.
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      r.body.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      r.body.on('end', resolve);
      r.body.on('error', reject);
    });
    return [performance.now() - t0, bytes];
  }

  /** `concurrency` request loops for `ms`; each latency and response size goes to `record` if given. */
  private async run(ms: number, record: ((ms: number, bytes: number) => void) | null): Promise<void> {
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: this.concurrency }, async () => {
        while (performance.now() < end) {
          const [lat, b] = await this.one();
          record?.(lat, b);
        }
      }),
    );
  }

  /** Requests for `ms`, not measured (connections opened, server warm). */
  warm(ms: number): Promise<void> {
    return this.run(ms, null);
  }

  /** One measured slice of `ms`; latencies, CPU and time add up over slices. */
  async slice(ms: number): Promise<void> {
    const cpu0 = cpuSeconds(this.pid);
    const t0 = performance.now();
    await this.run(ms, (lat, b) => {
      this.lat.push(lat);
      this.bytes = b;
    });
    this.seconds += (performance.now() - t0) / 1000;
    this.cpuSeconds += cpuSeconds(this.pid) - cpu0;
  }

  async result(): Promise<LoadResult> {
    await this.pool.close();
    const lat = [...this.lat].sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] as number;
    const n = lat.length;
    return { p50: q(0.5), p99: q(0.99), rps: n / this.seconds, cpuMsPerReq: (this.cpuSeconds * 1000) / n, bytes: this.bytes, n };
  }
}

/** One server under load for `durationMs` (after a short warm-up). */
async function load(
  port: number,
  pid: number,
  path: string,
  concurrency: number,
  durationMs: number,
  distinct: boolean,
  extraHeaders: Record<string, string> = {},
): Promise<LoadResult> {
  const l = new Load(port, pid, path, concurrency, distinct, extraHeaders);
  await l.warm(800);
  await l.slice(durationMs);
  return l.result();
}

/**
 * The floor and promfetcher under the same load in alternating slices (each goes first in every
 * other round), so that both see the same hours of a shared machine whose speed drifts by more
 * than the ratio this compares, and each p99 is read from a few hundred requests, not from the
 * slowest two or three of one short window.
 */
async function loadPaired(a: Load, b: Load, rounds: number, sliceMs: number): Promise<[LoadResult, LoadResult]> {
  await a.warm(800);
  await b.warm(800);
  for (let r = 0; r < rounds; r++) {
    const [first, second] = r % 2 === 0 ? [a, b] : [b, a];
    await first.slice(sliceMs);
    await second.slice(sliceMs);
  }
  return [await a.result(), await b.result()];
}

const f1 = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

export async function benchFetcher(report: (line: string) => void): Promise<void> {
  const procs: BenchChild[] = [];
  try {
    const inst = startBenchChild([SELF], { FETCHER_BENCH_CHILD: 'instances' });
    procs.push(inst);
    const ports = JSON.parse(await inst.firstLine) as number[];
    const addresses = ports.map((p) => `127.0.0.1:${p}`);

    const dir = mkdtempSync(join(tmpdir(), 'cf-prom-fetcher-bench-'));
    const routes = benchRoutes(addresses);
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(routes));
    const { freePort } = await import('../src/testing/ports.js');
    const [port, healthPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'config.yml'),
      `listen_host: 127.0.0.1\nport: ${port}\nhealth_check_port: ${healthPort}\nroutes_file: ${join(dir, 'routes.json')}\ndisable_keep_alives: false\nfetch_concurrency: 50\nlogging: {level: error}\n`,
    );
    // As the promfetcher bin runs it (its shebang's node flags, src/daemon/README.md).
    const fetcher = startBenchChild(['--no-memory-reducer', PROMFETCHER, '-c', join(dir, 'config.yml')], {});
    procs.push(fetcher);
    const floor = startBenchChild([SELF], { FETCHER_BENCH_CHILD: 'floor', FETCHER_BENCH_TARGETS: JSON.stringify(addresses) });
    procs.push(floor);
    const floorPort = (JSON.parse(await floor.firstLine) as number[])[0] as number;
    await waitUp(`http://127.0.0.1:${healthPort}/`);

    const bodyKiB = generateCorpus(SERIES, 1000).body.length / 1024;
    report(
      `fetcher: 1 app, ${INSTANCES} instances × ${SERIES} series (~${f1(bodyKiB)} KiB each, values change on every scrape), text 0.0.4, no gzip; both servers warmed ${WARM_UP_MS / 1000} s at c=4; server CPU from /proc`,
    );
    const path = `/v2/apps/${GUID}/metrics`;
    // Both servers are measured warm, as a long-running promfetcher is: the first seconds of a
    // process (its JIT compiling the parser and renderer on three isolates) are not the steady
    // state this compares, and the trivial floor has next to nothing to warm up.
    await load(floorPort, floor.child.pid as number, '/', 4, WARM_UP_MS, true);
    await load(port, fetcher.child.pid as number, path, 4, WARM_UP_MS, true);
    for (const concurrency of [1, 4]) {
      const [fl, pf] = await loadPaired(
        new Load(floorPort, floor.child.pid as number, '/', concurrency, true),
        new Load(port, fetcher.child.pid as number, path, concurrency, true),
        PAIRED_ROUNDS,
        concurrency === 1 ? 1500 : 2000,
      );
      report(
        `  c=${concurrency} floor (concat proxy): p50 ${f1(fl.p50)} ms, p99 ${f1(fl.p99)} ms, ${f1(fl.rps)} req/s, ${f1(fl.cpuMsPerReq)} ms CPU/req, ${f1(fl.bytes / 1048576)} MiB/resp (${fl.n} requests)`,
      );
      report(
        `  c=${concurrency} promfetcher (merge):  p50 ${f1(pf.p50)} ms, p99 ${f1(pf.p99)} ms, ${f1(pf.rps)} req/s, ${f1(pf.cpuMsPerReq)} ms CPU/req, ${f1(pf.bytes / 1048576)} MiB/resp (${pf.n} requests); p99 ${(pf.p99 / fl.p99).toFixed(2)}× floor (goal ≤ 1.5×), CPU/req ${(pf.cpuMsPerReq / fl.cpuMsPerReq).toFixed(2)}×`,
      );
      report(
        `  c=${concurrency} peak RSS so far: promfetcher ${f1(peakRssMiB(fetcher.child.pid as number))} MiB, floor ${f1(peakRssMiB(floor.child.pid as number))} MiB`,
      );
    }
    const prom = await load(port, fetcher.child.pid as number, path, 1, 3000, true, {
      accept:
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'accept-encoding': 'gzip',
    });
    report(
      `  c=1 as Prometheus asks (OpenMetrics, gzip): p50 ${f1(prom.p50)} ms, p99 ${f1(prom.p99)} ms, ${f1(prom.cpuMsPerReq)} ms CPU/req, ${f1(prom.bytes / 1048576)} MiB/resp gzipped`,
    );
    const v1 = `/v1/apps/${GUID}/metrics`;
    await load(port, fetcher.child.pid as number, v1, 4, 3000, true);
    const omIn = await load(port, fetcher.child.pid as number, v1, 1, 3000, true);
    report(
      `  c=1 via /v1 (instances answer OpenMetrics, as negotiating client libraries do): p50 ${f1(omIn.p50)} ms, p99 ${f1(omIn.p99)} ms, ${f1(omIn.cpuMsPerReq)} ms CPU/req`,
    );
    const shared = await load(port, fetcher.child.pid as number, path, 8, 3000, false);
    report(
      `  c=8 identical scrapes (coalesced into shared fan-outs): p50 ${f1(shared.p50)} ms, p99 ${f1(shared.p99)} ms, ${f1(shared.rps)} req/s, ${f1(shared.cpuMsPerReq)} ms CPU/req`,
    );
    // Memory follows the requests in flight (each response's rendered bytes until written), not time.
    const wide = await load(port, fetcher.child.pid as number, path, 16, 3000, true);
    report(
      `  c=16 distinct requests: p50 ${f1(wide.p50)} ms, p99 ${f1(wide.p99)} ms, ${f1(wide.rps)} req/s; peak RSS promfetcher ${f1(peakRssMiB(fetcher.child.pid as number))} MiB, now ${f1(rssMiB(fetcher.child.pid as number))} MiB`,
    );
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
  }
}

const role = process.env.FETCHER_BENCH_CHILD;
if (role === 'instances') await runInstances();
else if (role === 'floor') await runFloor();
else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchFetcher((l) => process.stdout.write(`${l}\n`));
}
