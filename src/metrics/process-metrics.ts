import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from './registry.js';

/**
 * Registers the usual process metrics on `registry` (names as prom-client and client_golang use):
 * `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_start_time_seconds`,
 * `nodejs_heap_used_bytes`, `nodejs_heap_total_bytes`, `nodejs_external_memory_bytes`,
 * `nodejs_eventloop_lag_seconds` (p99 of the loop delay since the previous render),
 * `nodejs_active_handles`. Returns a `stop()` that ends the event-loop monitor.
 */
export function registerProcessMetrics(registry: Registry): { stop(): void } {
  const startSec = Math.floor(Date.now() / 1000 - process.uptime());
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    collect: (set) => {
      const u = process.cpuUsage();
      set((u.user + u.system) / 1e6);
    },
  });
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: (g) => g.set(process.memoryUsage.rss()),
  });
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    collect: (g) => g.set(startSec),
  });
  registry.gauge({ name: 'nodejs_heap_used_bytes', help: 'V8 heap used in bytes.', collect: (g) => g.set(process.memoryUsage().heapUsed) });
  registry.gauge({
    name: 'nodejs_heap_total_bytes',
    help: 'V8 heap size in bytes.',
    collect: (g) => g.set(process.memoryUsage().heapTotal),
  });
  registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Memory of C++ objects bound to JavaScript (Buffers) in bytes.',
    collect: (g) => g.set(process.memoryUsage().external),
  });
  registry.gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'p99 event loop delay since the previous scrape, in seconds.',
    collect: (g) => {
      const p99 = loop.percentile(99);
      g.set(Number.isFinite(p99) ? p99 / 1e9 : 0);
      loop.reset();
    },
  });
  registry.gauge({
    name: 'nodejs_active_handles',
    help: 'Number of active libuv handles (sockets, timers, servers).',
    collect: (g) => {
      const f = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
      g.set(f ? f.call(process).length : 0);
    },
  });
  return { stop: () => loop.disable() };
}
