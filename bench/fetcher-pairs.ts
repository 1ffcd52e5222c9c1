/**
 * A/B of two promfetcher builds in paired windows: the 50-instance app of `fetcher-bench.ts`,
 * both builds and the floor proxy alive at once, loaded in turn for `windowMs` each (order
 * alternating), so that both see the same load from the rest of the box. Per pair: CPU per
 * request of the whole process and of its main thread (`/proc/<pid>/task/<pid>`); at the end the
 * median of the per-pair ratios, and p50/p99 over all windows (with the floor's).
 *
 * `node dist/bench/fetcher-pairs.js <dist A> <dist B> [concurrency=4] [pairs=10] [windowMs=2000]`
 * (a `dist` is a build's output directory: copy the base's aside, e.g. /tmp/base/dist, with a
 * `node_modules` link and `package.json` beside it).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { freePort } from '../src/testing/ports.js';
import { BENCH_APP_GUID, benchRoutes } from './fetcher-bench.js';
import { type BenchChild, cpuSecondsOf, median, startBenchChild } from './harness.js';

const BENCH = fileURLToPath(new URL('./fetcher-bench.js', import.meta.url));

interface Target {
  name: string;
  port: number;
  pid: number;
  path: string;
}

interface Window {
  n: number;
  cpu: number;
  main: number;
  lat: number[];
}

const children: ChildProcess[] = [];

function start(args: string[], env: Record<string, string>): BenchChild {
  const c = startBenchChild(args, env);
  children.push(c.child);
  return c;
}

async function fetcher(dist: string, name: string, dir: string, routes: string): Promise<Target> {
  const [port, health] = [await freePort(), await freePort()];
  const config = join(dir, `${name}.yml`);
  writeFileSync(
    config,
    `listen_host: 127.0.0.1\nport: ${port}\nhealth_check_port: ${health}\nroutes_file: ${routes}\ndisable_keep_alives: false\nfetch_concurrency: 50\nlogging: {level: error}\n`,
  );
  const p = start(['--no-memory-reducer', join(dist, 'src/cli/promfetcher.js'), '-c', config], {});
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`http://127.0.0.1:${health}/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, port, pid: p.child.pid as number, path: `/v2/apps/${BENCH_APP_GUID}/metrics` };
}

let seq = 0;

async function window(t: Target, ms: number, concurrency: number): Promise<Window> {
  const pool = new Pool(`http://127.0.0.1:${t.port}`, { connections: concurrency, keepAliveTimeout: 60_000 });
  const one = async (): Promise<number> => {
    const t0 = performance.now();
    const r = await pool.request({ path: t.path, method: 'GET', headers: { 'x-bench-request': String(seq++) } });
    if (r.statusCode !== 200) throw new Error(`${t.name}: status ${r.statusCode}`);
    await new Promise<void>((resolve, reject) => {
      r.body.on('data', () => {});
      r.body.on('end', resolve);
      r.body.on('error', reject);
    });
    return performance.now() - t0;
  };
  await Promise.all(Array.from({ length: concurrency }, () => one()));
  const lat: number[] = [];
  const [c0, m0] = [cpuSecondsOf(`/proc/${t.pid}/stat`), cpuSecondsOf(`/proc/${t.pid}/task/${t.pid}/stat`)];
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) lat.push(await one());
    }),
  );
  const [c1, m1] = [cpuSecondsOf(`/proc/${t.pid}/stat`), cpuSecondsOf(`/proc/${t.pid}/task/${t.pid}/stat`)];
  await pool.close();
  return { n: lat.length, cpu: ((c1 - c0) * 1000) / lat.length, main: ((m1 - m0) * 1000) / lat.length, lat };
}

const quantile = (a: number[], q: number): number => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

async function main(): Promise<void> {
  const [distA, distB, c = '4', p = '10', w = '2000'] = process.argv.slice(2);
  if (distA === undefined || distB === undefined)
    throw new Error('usage: fetcher-pairs.js <dist A> <dist B> [concurrency] [pairs] [windowMs]');
  const [concurrency, pairs, windowMs] = [Number(c), Number(p), Number(w)];
  const inst = start([BENCH], { FETCHER_BENCH_CHILD: 'instances' });
  const addresses = (JSON.parse(await inst.firstLine) as number[]).map((port) => `127.0.0.1:${port}`);
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-fetcher-pairs-'));
  const routes = join(dir, 'routes.json');
  writeFileSync(routes, JSON.stringify(benchRoutes(addresses)));
  const a = await fetcher(distA, 'A', dir, routes);
  const b = await fetcher(distB, 'B', dir, routes);
  const fl = start([BENCH], { FETCHER_BENCH_CHILD: 'floor', FETCHER_BENCH_TARGETS: JSON.stringify(addresses) });
  const floor: Target = {
    name: 'floor',
    port: (JSON.parse(await fl.firstLine) as number[])[0] as number,
    pid: fl.child.pid as number,
    path: '/',
  };
  for (const t of [a, b, floor]) await window(t, 6000, 4); // warm-up
  const all: Record<string, Window[]> = { A: [], B: [], floor: [] };
  const cpuRatio: number[] = [];
  const mainRatio: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const got: Record<string, Window> = {};
    for (const t of i % 2 === 0 ? [a, b, floor] : [floor, b, a]) {
      const r = await window(t, windowMs, concurrency);
      got[t.name] = r;
      all[t.name]?.push(r);
    }
    const [ra, rb, rf] = [got.A as Window, got.B as Window, got.floor as Window];
    cpuRatio.push(rb.cpu / ra.cpu);
    mainRatio.push(rb.main / ra.main);
    process.stdout.write(
      `pair ${i}: A ${ra.cpu.toFixed(1)} ms CPU/req (main ${ra.main.toFixed(2)}), B ${rb.cpu.toFixed(1)} (main ${rb.main.toFixed(2)}), floor ${rf.cpu.toFixed(1)}; B/A ${(rb.cpu / ra.cpu).toFixed(3)}, main ${(rb.main / ra.main).toFixed(3)}\n`,
    );
  }
  const p99: Record<string, number> = {};
  for (const k of ['A', 'B', 'floor']) {
    const ws = all[k] as Window[];
    const lat = ws.flatMap((x) => x.lat);
    p99[k] = quantile(lat, 0.99);
    process.stdout.write(
      `${k}: ${lat.length} requests, p50 ${quantile(lat, 0.5).toFixed(1)} ms, p99 ${quantile(lat, 0.99).toFixed(1)} ms, CPU/req median ${median(ws.map((x) => x.cpu)).toFixed(1)} ms, main ${median(ws.map((x) => x.main)).toFixed(2)} ms\n`,
    );
  }
  process.stdout.write(
    `c=${concurrency}, ${pairs} pairs of ${windowMs} ms: B/A CPU per request ${median(cpuRatio).toFixed(3)} (median of pairs), main thread ${median(mainRatio).toFixed(3)}; p99 / floor's: A ${((p99.A as number) / (p99.floor as number)).toFixed(2)}, B ${((p99.B as number) / (p99.floor as number)).toFixed(2)}\n`,
  );
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGKILL');
}
