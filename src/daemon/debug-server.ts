import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { type Handler, sendJson } from './http-server.js';

/** What `GET /debug/vars` answers. */
export interface DebugVars {
  uptime_seconds: number;
  event_loop_delay_ms: { min: number; mean: number; p50: number; p99: number; max: number };
  heap: ReturnType<typeof getHeapStatistics>;
  memory: NodeJS.MemoryUsage;
  active_handles: number;
  active_resources: Record<string, number>;
}

/**
 * Diagnostics for `DEBUG_PORT` (always bound to 127.0.0.1): `/debug/vars` (event-loop delay since
 * the previous call, heap, active handles) and `/debug/heapsnapshot` (a V8 heap snapshot, written
 * to a temporary file, streamed, then removed; it pauses the process while it is taken).
 */
export function createDebugHandler(): { handler: Handler; stop(): void } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const ms = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
  let snapshotting = false;
  const handler: Handler = async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://debug').pathname;
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET' }, { Allow: 'GET' });
    if (path === '/debug/vars' || path === '/debug' || path === '/') {
      const resources: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
      const vars: DebugVars = {
        uptime_seconds: process.uptime(),
        event_loop_delay_ms: {
          min: ms(loop.min),
          mean: ms(loop.mean),
          p50: ms(loop.percentile(50)),
          p99: ms(loop.percentile(99)),
          max: ms(loop.max),
        },
        heap: getHeapStatistics(),
        memory: process.memoryUsage(),
        active_handles: process.getActiveResourcesInfo().length,
        active_resources: resources,
      };
      loop.reset();
      return sendJson(res, 200, vars);
    }
    if (path === '/debug/heapsnapshot') {
      if (snapshotting) return sendJson(res, 409, { error: 'a heap snapshot is already being taken' });
      snapshotting = true;
      const dir = await mkdtemp(join(tmpdir(), 'prom-scraper-heap-'));
      try {
        const file = writeHeapSnapshot(join(dir, `prom-scraper-${process.pid}.heapsnapshot`));
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="prom-scraper-${process.pid}-${Date.now()}.heapsnapshot"`,
        });
        await new Promise<void>((resolve) => {
          const s = createReadStream(file);
          s.on('error', () => {
            res.destroy();
            resolve();
          });
          res.on('close', resolve);
          s.pipe(res);
        });
      } finally {
        snapshotting = false;
        await rm(dir, { recursive: true, force: true });
      }
      return;
    }
    sendJson(res, 404, { error: `no such endpoint ${path}; allowed: /debug/vars, /debug/heapsnapshot` });
  };
  return { handler, stop: () => loop.disable() };
}
