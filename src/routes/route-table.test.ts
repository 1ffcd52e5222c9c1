import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RouteTable } from './route-table.js';
import { parseRoutesDocument } from './routes-json.js';
import type { EndpointInput, RouteTags } from './types.js';

const APP = '11111111-2222-3333-4444-555555555555';
const OTHER = '99999999-2222-3333-4444-555555555555';

function tags(over: Partial<Record<string, string>> = {}): RouteTags {
  return {
    app_id: APP,
    app_name: 'billing',
    organization_id: 'org-guid',
    organization_name: 'acme',
    space_id: 'space-guid',
    space_name: 'prod',
    process_type: 'web',
    instance_id: '0',
    ...over,
  } as RouteTags;
}

function ep(address: string, over: Partial<EndpointInput> = {}): EndpointInput {
  const [host = '', port = '0'] = address.split(':');
  return {
    address,
    host,
    port: Number(port),
    tls: false,
    serverCertDomainSan: '',
    privateInstanceId: `pid-${address}`,
    instanceIndex: '0',
    appGuid: APP,
    tags: tags(),
    staleThresholdSec: 0,
    availabilityZone: 'z1',
    protocol: 'http1',
    routeServiceUrl: '',
    isolationSegment: '',
    ...over,
  };
}

test('register, refresh and replace keep one endpoint per address and route key', () => {
  const t = new RouteTable();
  assert.equal(t.register('Billing.example.com/?a=b', ep('10.0.0.1:61001'), 1000), 'added');
  assert.equal(t.register('billing.example.com', ep('10.0.0.1:61001'), 2000), 'refreshed');
  assert.equal(t.register('billing.example.com', ep('10.0.0.1:61001', { tags: tags({ app_name: 'billing2' }) }), 3000), 'updated');
  assert.equal(t.register('', ep('10.0.0.1:61001'), 3000), 'ignored');
  assert.deepEqual(t.size(), { routes: 1, endpoints: 1, instances: 1 });
  const [i] = t.lookupByRoute('billing.example.com');
  assert.equal(i?.lastRegisteredMs, 3000);
  assert.equal(i?.staleThresholdSec, 120);
  // The name index followed the rename.
  assert.deepEqual(t.lookupByName('acme', 'prod', 'billing'), []);
  assert.equal(t.lookupByName('acme', 'prod', 'billing2').length, 1);
  assert.equal(t.metrics.routesKnown, 1);
  assert.equal(t.metrics.instancesKnown, 1);
  assert.equal(t.metrics.registrations, 3);
  assert.equal(t.metrics.lastUpdateMs, 3000);
});

test('name and GUID lookups: web only, deduped by address, with all route keys; route lookup: everything', () => {
  const t = new RouteTable();
  t.register('billing.example.com', ep('10.0.0.1:61001'), 1);
  t.register('billing.internal', ep('10.0.0.1:61001'), 1);
  t.register('billing.example.com', ep('10.0.0.2:61001', { instanceIndex: '1', tags: tags({ instance_id: '1' }) }), 1);
  t.register('billing.example.com', ep('10.0.0.3:61001', { tags: tags({ process_type: 'worker' }) }), 1);
  t.register('other.example.com', ep('10.0.0.9:61001', { appGuid: OTHER, tags: tags({ app_id: OTHER, app_name: 'other' }) }), 1);

  const byName = t.lookupByName('acme', 'prod', 'billing');
  assert.deepEqual(
    byName.map((i) => i.address),
    ['10.0.0.1:61001', '10.0.0.2:61001'],
  );
  assert.deepEqual(byName[0]?.routes, ['billing.example.com', 'billing.internal']);
  assert.deepEqual(
    t.lookupByAppGuid(APP.toUpperCase()).map((i) => i.address),
    ['10.0.0.1:61001', '10.0.0.2:61001'],
  );
  assert.deepEqual(
    t.lookupByRoute('BILLING.example.com').map((i) => i.address),
    ['10.0.0.1:61001', '10.0.0.3:61001', '10.0.0.2:61001'],
  );
  assert.deepEqual(t.lookup('acme/prod/billing').length, 2);
  assert.deepEqual(t.lookup(APP).length, 2);
  assert.deepEqual(t.lookup(`{${APP}}`).length, 2);
  assert.deepEqual(
    t.lookup('other.example.com').map((i) => i.appGuid),
    [OTHER],
  );
  assert.deepEqual(t.lookup('nope.example.com'), []);
  assert.deepEqual(t.size(), { routes: 3, endpoints: 5, instances: 4 });
});

test('unregister removes by address, keeps a successor with another instance id, drops empty keys', () => {
  const t = new RouteTable();
  t.register('a.example.com', ep('10.0.0.1:1'), 1);
  t.register('b.example.com', ep('10.0.0.1:1'), 1);
  assert.equal(t.unregister('a.example.com', { address: '10.0.0.1:1', privateInstanceId: 'someone-else' }, 2), false);
  assert.equal(t.unregister('a.example.com', { address: '10.0.0.1:1', privateInstanceId: 'pid-10.0.0.1:1' }, 2), true);
  assert.equal(t.unregister('a.example.com', { address: '10.0.0.1:1' }, 2), false);
  assert.deepEqual(Object.keys(t.snapshot()), ['b.example.com']);
  assert.equal(t.metrics.instancesKnown, 1);
  assert.equal(t.unregister('B.example.com/', { address: '10.0.0.1:1' }, 3), true);
  assert.deepEqual(t.size(), { routes: 0, endpoints: 0, instances: 0 });
  assert.deepEqual(t.lookupByAppGuid(APP), []);
  assert.equal(t.metrics.unregistrations, 2);
});

test('prune removes endpoints older than their threshold; TLS per option; pinned never', () => {
  for (const pruneTlsEndpoints of [true, false]) {
    const t = new RouteTable({ pruneTlsEndpoints, defaultStaleThresholdSec: 120 });
    t.register('a.example.com', ep('10.0.0.1:1', { staleThresholdSec: 10 }), 0);
    t.register('a.example.com', ep('10.0.0.2:1'), 0);
    t.register('a.example.com', ep('10.0.0.3:1', { staleThresholdSec: 500 }), 0);
    t.register('a.example.com', ep('10.0.0.4:1', { tls: true, staleThresholdSec: 10 }), 0);
    t.register('a.example.com', ep('10.0.0.5:1', { staleThresholdSec: 10 }), 0, { pinned: true });
    assert.equal(t.prune(10_000), 0, 'exactly at the threshold stays');
    assert.equal(t.prune(10_001), pruneTlsEndpoints ? 2 : 1);
    t.register('a.example.com', ep('10.0.0.2:1'), 100_000);
    assert.equal(t.prune(120_001), 1, '500 s is capped to the default 120 s');
    assert.deepEqual(
      t.lookupByRoute('a.example.com').map((i) => i.address),
      pruneTlsEndpoints ? ['10.0.0.2:1', '10.0.0.5:1'] : ['10.0.0.2:1', '10.0.0.4:1', '10.0.0.5:1'],
    );
    t.touchAll(1_000_000);
    assert.equal(t.prune(1_000_000), 0);
    assert.equal(t.metrics.pruned, pruneTlsEndpoints ? 3 : 2);
  }
});

test('snapshot has gorouter /routes shape and round-trips through the /routes parser', () => {
  const t = new RouteTable();
  t.register('a.example.com', ep('10.0.0.1:61443', { tls: true, serverCertDomainSan: 'pid', staleThresholdSec: 30 }), 5);
  t.register('a.example.com', ep('10.0.0.2:61001', { protocol: '', privateInstanceId: '' }), 5);
  const snap = t.snapshot();
  assert.deepEqual(snap['a.example.com']?.[0], {
    address: '10.0.0.1:61443',
    availability_zone: 'z1',
    protocol: 'http1',
    tls: true,
    ttl: 30,
    tags: tags(),
    host: '10.0.0.1',
    private_instance_id: 'pid-10.0.0.1:61443',
    private_instance_index: '0',
    server_cert_domain_san: 'pid',
  });
  assert.equal('private_instance_id' in (snap['a.example.com']?.[1] ?? {}), false);
  const back = parseRoutesDocument(JSON.parse(JSON.stringify(snap)), 'snap');
  assert.equal(back.invalid.length, 0);
  const t2 = new RouteTable();
  t2.replaceAll(back.entries, 5);
  assert.deepEqual(t2.snapshot(), snap);
});

test('replaceAll swaps the content and pins it', () => {
  const t = new RouteTable();
  t.register('old.example.com', ep('10.0.0.1:1'), 0);
  t.replaceAll([{ routeKey: 'new.example.com', endpoint: ep('10.0.0.2:1') }], 0);
  assert.deepEqual(Object.keys(t.snapshot()), ['new.example.com']);
  assert.equal(t.prune(1e12), 0);
  assert.equal(t.lookupByAppGuid(APP).length, 1);
});
