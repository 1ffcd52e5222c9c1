import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { type NatsServer, startNatsServer } from '../testing/nats-server.js';
import { buildFetcherConfig } from './config.js';
import { Fetcher } from './fetcher.js';
import { appTags, type InstanceServer, promtoolCheck, startInstance } from './test-helpers.js';

const GUID = '0c5e4a8e-9a4b-4c43-8f0c-5b2a3c9d1e77';
const APP = { guid: GUID, name: 'orders', route: 'orders.apps.example.com', instances: [] };
let nats: NatsServer;
let nc: NatsConnection;
const servers: InstanceServer[] = [];
before(async () => {
  nats = await startNatsServer({ user: 'nats', pass: 'p@ss' });
  nc = await connect({ servers: nats.url, user: 'nats', pass: 'p@ss' });
});
after(async () => {
  await nc?.close();
  for (const s of servers) await s.close();
  await nats?.stop();
});

function register(subject: 'router.register' | 'router.unregister', s: InstanceServer, index: number): void {
  const body = {
    host: '127.0.0.1',
    port: s.port,
    uris: [APP.route],
    app: GUID,
    private_instance_id: `inst-${index}`,
    private_instance_index: String(index),
    tags: appTags(APP, index),
  };
  nc.publish(subject, new TextEncoder().encode(JSON.stringify(body)));
}

async function waitFor(what: string, pred: () => boolean): Promise<void> {
  const end = Date.now() + 8000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('route table from a real nats-server: registered instances are fetched and merged, unregistered ones go', async () => {
  for (const body of ['requests_total 1\n', 'requests_total 2\n']) {
    const s = await startInstance({ body: `# TYPE requests_total counter\n${body}` });
    servers.push(s);
  }
  const config = buildFetcherConfig(
    'nats.yml',
    {
      port: 0,
      health_check_port: 0,
      listen_host: '127.0.0.1',
      nats: { user: 'nats', pass: 'p@ss', hosts: [{ hostname: '127.0.0.1', port: nats.port }] },
    },
    { defaultRoutesFile: '' },
  );
  assert.equal(config.routes.kind, 'nats');
  const f = new Fetcher({ config });
  await f.start();
  try {
    const base = `http://127.0.0.1:${f.port}`;
    for (const [i, s] of servers.entries()) register('router.register', s, i);
    await waitFor('two instances', () => f.table.lookupByAppGuid(GUID).length === 2);
    const r = await fetch(`${base}/v2/apps/acme/prod/orders/metrics`);
    const body = await r.text();
    assert.equal(r.status, 200);
    const labels = (i: number) =>
      `organization_id="org-acme",space_id="space-prod",app_id="${GUID}",organization_name="acme",space_name="prod",app_name="orders",index="${i}",instance_id="${i}",instance="${servers[i]?.address}"`;
    assert.equal(body, `# TYPE requests_total counter\nrequests_total{${labels(0)}} 1\nrequests_total{${labels(1)}} 2\n`);
    assert.ok((await promtoolCheck(body)).parses);

    register('router.unregister', servers[0] as InstanceServer, 0);
    await waitFor('one instance', () => f.table.lookupByAppGuid(GUID).length === 1);
    assert.equal(
      await (await fetch(`${base}/v2/apps/${GUID}/metrics`)).text(),
      `# TYPE requests_total counter\nrequests_total{${labels(1)}} 2\n`,
    );
    await waitFor('healthy', () => f.health.isHealthy());
    assert.equal((await fetch(`http://127.0.0.1:${f.healthPort}/`)).status, 200);
  } finally {
    await f.stop();
  }
});
