import { realpathSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { applyRegistryMessage, RouteTable } from '../src/routes/index.js';

const INSTANCES = 100_000;
const PER_APP = 10;

function guid(n: number, salt: number): string {
  const h = (n * 2654435761 + salt * 40503) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-${(n & 0xffff).toString(16).padStart(4, '0')}-4${salt.toString(16).padStart(3, '0')}-8000-${n.toString(16).padStart(12, '0')}`;
}

/** route-emitter shaped `router.register` payloads: one URI each, 10 instances per app. */
function buildMessages(): { messages: Uint8Array[]; appGuids: string[]; names: [string, string, string][]; routes: string[] } {
  const enc = new TextEncoder();
  const messages: Uint8Array[] = [];
  const appGuids: string[] = [];
  const names: [string, string, string][] = [];
  const routes: string[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const app = Math.floor(i / PER_APP);
    const idx = i % PER_APP;
    const appGuid = guid(app, 1);
    const route = `app-${app}.apps.example.com`;
    if (idx === 0) {
      appGuids.push(appGuid);
      names.push([`org-${app % 50}`, `space-${app % 200}`, `app-${app}`]);
      routes.push(route);
    }
    const inst = guid(i, 2);
    messages.push(
      enc.encode(
        JSON.stringify({
          host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          port: 61001,
          tls_port: 61443,
          uris: [route],
          app: appGuid,
          private_instance_id: inst,
          private_instance_index: String(idx),
          server_cert_domain_san: inst,
          stale_threshold_in_seconds: 120,
          availability_zone: `z${(i % 3) + 1}`,
          protocol: 'http1',
          endpoint_updated_at_ns: 1_700_000_000_000_000_000,
          tags: {
            app_id: appGuid,
            app_name: `app-${app}`,
            component: 'route-emitter',
            instance_id: String(idx),
            organization_id: guid(app % 50, 3),
            organization_name: `org-${app % 50}`,
            process_id: appGuid,
            process_instance_id: inst,
            process_type: 'web',
            source_id: appGuid,
            space_id: guid(app % 200, 4),
            space_name: `space-${app % 200}`,
          },
        }),
      ),
    );
  }
  return { messages, appGuids, names, routes };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc;

/** Register/unregister throughput through the NATS source's decode + apply path, memory, lookups. */
export async function benchRoutes(report: (line: string) => void): Promise<void> {
  const { messages, appGuids, names, routes } = buildMessages();
  const bytes = messages.reduce((s, m) => s + m.byteLength, 0);
  gc?.();
  const before = process.memoryUsage();
  const table = new RouteTable();
  let now = 1;

  const pass = (label: string, op: 'register' | 'unregister') => {
    const t0 = performance.now();
    for (const m of messages) applyRegistryMessage(table, op, m, now);
    const s = (performance.now() - t0) / 1000;
    report(
      `routes: ${label}: ${INSTANCES} messages in ${(s * 1000).toFixed(0)} ms = ` +
        `${Math.round(INSTANCES / s).toLocaleString('en-US')} msg/s (${Math.round(bytes / INSTANCES)} B/msg)`,
    );
  };

  pass('register (new endpoints)', 'register');
  now = 2;
  pass('register (refresh, unchanged)', 'register');
  gc?.();
  const after = process.memoryUsage();
  const size = table.size();
  report(
    `routes: memory for ${size.instances} instances on ${size.routes} routes: heap +${mb(after.heapUsed - before.heapUsed)}, ` +
      `rss +${mb(after.rss - before.rss)} (rss ${mb(after.rss)})${gc ? '' : ' [node --expose-gc for exact numbers]'}`,
  );

  const lookups = 100_000;
  const time = (label: string, f: (i: number) => number) => {
    let found = 0;
    const t0 = performance.now();
    for (let i = 0; i < lookups; i++) found += f(i);
    const us = ((performance.now() - t0) * 1000) / lookups;
    report(`routes: ${label}: ${us.toFixed(2)} µs/lookup (${(found / lookups).toFixed(0)} instances each)`);
  };
  const pick = (i: number) => (i * 7919) % appGuids.length;
  time('lookupByAppGuid', (i) => table.lookupByAppGuid(appGuids[pick(i)] as string).length);
  time('lookupByName', (i) => {
    const [o, s, a] = names[pick(i)] as [string, string, string];
    return table.lookupByName(o, s, a).length;
  });
  time('lookupByRoute', (i) => table.lookupByRoute(routes[pick(i)] as string).length);
  time('lookup(id) with org/space/app', (i) => table.lookup((names[pick(i)] as string[]).join('/')).length);

  const t0 = performance.now();
  const snap = table.snapshot();
  report(`routes: snapshot() of ${Object.keys(snap).length} routes: ${(performance.now() - t0).toFixed(0)} ms`);
  now = 3;
  pass('unregister', 'unregister');
  if (table.size().instances !== 0) throw new Error('benchmark: table not empty after unregistering everything');
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  await benchRoutes((line) => console.log(line));
}
