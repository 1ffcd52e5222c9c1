import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoutesDocument } from './routes-json.js';

test('every known endpoint shape is read leniently', () => {
  const doc = {
    // 2024 gorouter
    'App.Example.com/': [
      {
        address: '10.0.16.4:61443',
        availability_zone: 'z1',
        protocol: 'http2',
        tls: true,
        ttl: 120,
        tags: { app_id: 'a', process_type: 'web', instance_id: '3' },
        private_instance_id: 'p',
        server_cert_domain_san: 'p',
        load_balancing_algorithm: 'round-robin',
      },
    ],
    // 2020 gorouter: no protocol, tags null
    'old.example.com': [{ address: '10.0.0.1:8080', tls: false, ttl: 120, tags: null }],
    // promfetcher's own /routes dump, hand-edited YAML-ish values
    'hand.example.com': { host: '10.0.0.2', port: '8081', tls: 'true', ttl: '30', tags: { instance_id: 1 } },
  };
  const r = parseRoutesDocument(doc, 'f');
  assert.deepEqual(r.invalid, []);
  assert.deepEqual(
    r.entries.map((e) => [
      e.routeKey,
      e.endpoint.address,
      e.endpoint.tls,
      e.endpoint.staleThresholdSec,
      e.endpoint.protocol,
      e.endpoint.instanceIndex,
    ]),
    [
      ['app.example.com', '10.0.16.4:61443', true, 120, 'http2', '3'],
      ['old.example.com', '10.0.0.1:8080', false, 120, '', ''],
      ['hand.example.com', '10.0.0.2:8081', true, 30, '', '1'],
    ],
  );
  assert.deepEqual(r.entries[0]?.endpoint.tags, { app_id: 'a', process_type: 'web', instance_id: '3' });
  assert.equal(r.entries[0]?.endpoint.appGuid, 'a');
});

test('bad entries are skipped with a reason and a path; good neighbours stay', () => {
  const r = parseRoutesDocument(
    {
      'a.example.com': [{ address: '10.0.0.1:1' }, { address: 'no-port' }, 7, { address: '10.0.0.1:2', tls: 'maybe' }],
      'b.example.com': 'nope',
      '': [{ address: '10.0.0.1:3' }],
      'c.example.com': [{ address: '10.0.0.1:4', ttl: -5 }, { port: 80 }],
    },
    'routes.yml',
  );
  assert.deepEqual(
    r.entries.map((e) => e.endpoint.address),
    ['10.0.0.1:1'],
  );
  assert.deepEqual(
    r.invalid.map((e) => [e.reason, e.message]),
    [
      ['bad_address', 'routes.yml: "a.example.com"[1].address: expected "host:port", got "no-port"'],
      ['not_object', 'routes.yml: "a.example.com"[2]: expected an endpoint object, got 7'],
      ['bad_field', 'routes.yml: "a.example.com"[3].tls: expected true or false, got "maybe"'],
      ['not_list', 'routes.yml: "b.example.com": expected a list of endpoints, got "nope"'],
      ['bad_route_key', 'routes.yml: "": empty route key'],
      ['bad_field', 'routes.yml: "c.example.com"[0].ttl: expected seconds as an integer, got -5'],
      ['bad_address', 'routes.yml: "c.example.com"[1]: needs "address" ("host:port") or "host" and "port"'],
    ],
  );
  assert.throws(() => parseRoutesDocument([1], 'x.json'), { code: 'ROUTES_ENTRY', reason: 'not_object' });
  assert.deepEqual(parseRoutesDocument(null, 'empty.yml'), { entries: [], invalid: [] });
});
