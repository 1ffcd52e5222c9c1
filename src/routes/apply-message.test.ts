import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRegistryMessage } from './apply-message.js';
import { RouteTable } from './route-table.js';

const APP = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';

/** A registration as route-emitter sends it (one URI per message). */
function emitterMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: '10.0.16.4',
    port: 61001,
    tls_port: 61443,
    uris: ['billing.apps.example.com'],
    app: APP,
    private_instance_id: 'inst-0',
    private_instance_index: '0',
    server_cert_domain_san: 'inst-0',
    stale_threshold_in_seconds: 120,
    availability_zone: 'z1',
    protocol: 'http1',
    endpoint_updated_at_ns: 1700000000000000000,
    tags: {
      app_id: APP,
      app_name: 'billing',
      organization_id: 'o',
      organization_name: 'acme',
      space_id: 's',
      space_name: 'prod',
      process_id: APP,
      process_type: 'web',
      process_instance_id: 'inst-0',
      instance_id: '0',
      source_id: APP,
      component: 'route-emitter',
    },
    ...over,
  };
}

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

test('a route-emitter registration becomes a TLS endpoint on tls_port', () => {
  const t = new RouteTable();
  assert.deepEqual(applyRegistryMessage(t, 'register', enc(emitterMessage()), 1), { status: 'applied', changed: 1 });
  const [i] = t.lookup('acme/prod/billing');
  assert.equal(i?.address, '10.0.16.4:61443');
  assert.equal(i?.tls, true);
  assert.equal(i?.host, '10.0.16.4');
  assert.equal(i?.serverCertDomainSan, 'inst-0');
  assert.equal(i?.instanceIndex, '0');
  assert.equal(i?.appGuid, APP);
  applyRegistryMessage(t, 'register', enc(emitterMessage({ tls_port: 0, host: '10.0.16.5', uris: ['a.example.com', 'b.example.com'] })), 2);
  assert.deepEqual(
    t.lookupByRoute('a.example.com').map((x) => [x.address, x.tls]),
    [['10.0.16.5:61001', false]],
  );
  assert.deepEqual(applyRegistryMessage(t, 'unregister', enc(emitterMessage()), 3), { status: 'applied', changed: 1 });
  assert.deepEqual(
    t.lookup(APP).map((x) => x.address),
    ['10.0.16.5:61001'],
  );
  assert.equal(t.metrics.messagesReceived, 3);
});

test('malformed messages are counted by reason and never touch the table', () => {
  const t = new RouteTable();
  applyRegistryMessage(t, 'register', enc(emitterMessage()), 1);
  const before = JSON.stringify(t.snapshot());
  const cases: [string, Uint8Array | string, string][] = [
    ['truncated JSON', '{"host":"10.0.0.1","port":', 'bad_json'],
    ['empty greet body', '', 'bad_json'],
    ['array', '[1,2]', 'not_object'],
    ['port as string', JSON.stringify(emitterMessage({ port: '8080' })), 'bad_field'],
    ['port too big', JSON.stringify(emitterMessage({ tls_port: 70000 })), 'bad_field'],
    ['uris not a list', JSON.stringify(emitterMessage({ uris: 'a.example.com' })), 'bad_field'],
    ['numeric tag', JSON.stringify(emitterMessage({ tags: { app_id: 5 } })), 'bad_tags'],
    ['http route service', JSON.stringify(emitterMessage({ route_service_url: 'http://rs.example.com' })), 'route_service_url_not_https'],
    ['no host', JSON.stringify(emitterMessage({ host: '' })), 'missing_host'],
    ['no port', JSON.stringify(emitterMessage({ port: 0, tls_port: 0 })), 'missing_port'],
    ['no uri', JSON.stringify(emitterMessage({ uris: [] })), 'missing_uris'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'bad_json'],
  ];
  for (const [name, data, reason] of cases) {
    const r = applyRegistryMessage(t, 'register', data, 2);
    assert.equal(r.status, 'invalid', name);
    assert.equal(r.status === 'invalid' && r.error.reason, reason, name);
  }
  const r = applyRegistryMessage(t, 'register', enc(emitterMessage({ tags: { component: 'route-registrar' } })), 2);
  assert.deepEqual(r, { status: 'ignored', reason: 'no_app_id' });
  assert.equal(JSON.stringify(t.snapshot()), before);
  assert.deepEqual(t.metrics.messagesInvalid, {
    bad_json: 3,
    not_object: 1,
    bad_field: 3,
    bad_tags: 1,
    route_service_url_not_https: 1,
    missing_host: 1,
    missing_port: 1,
    missing_uris: 1,
  });
  assert.deepEqual(t.metrics.messagesIgnored, { no_app_id: 1 });
});

test('error messages name the field', () => {
  const t = new RouteTable();
  const r = applyRegistryMessage(t, 'register', JSON.stringify(emitterMessage({ tags: { app_id: 5 } })), 0);
  assert.equal(r.status === 'invalid' && r.error.message, 'tags.app_id: expected a string, got 5');
  const r2 = applyRegistryMessage(t, 'register', JSON.stringify(emitterMessage({ port: -1 })), 0);
  assert.equal(r2.status === 'invalid' && r2.error.message, 'port: expected an integer in 0..65535, got -1');
});
