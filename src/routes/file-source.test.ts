import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileRouteSource } from './file-source.js';
import { RouteTable } from './route-table.js';
import type { Logger } from './types.js';

// Tests run from dist/src/routes; the sample files stay in the source tree.
const testdata = fileURLToPath(new URL('../../../src/routes/testdata/', import.meta.url));
const BILLING = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';
const FRONTEND = 'b0d51d2b-a0ff-58ac-a120-136eb03229b0';

function capture(): Logger & { warns: string[]; errors: string[] } {
  const warns: string[] = [];
  const errors: string[] = [];
  return {
    warns,
    errors,
    info() {},
    warn(obj, msg) {
      warns.push(`${msg} ${JSON.stringify(obj)}`);
    },
    error(_obj, msg) {
      errors.push(msg);
    },
  };
}

async function waitFor(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

test('the sample table loads and answers the original lookups', async () => {
  const table = new RouteTable();
  const src = new FileRouteSource({ path: join(testdata, 'routes.json'), table });
  assert.equal(src.isReady(), false);
  await src.start();
  await src.ready;
  try {
    assert.equal(src.isReady(), true);
    const billing = table.lookup('acme/prod/billing');
    assert.deepEqual(
      billing.map((i) => i.address),
      ['10.0.16.4:61001', '10.0.16.5:61007', '10.0.16.6:61012'],
    );
    assert.deepEqual(billing[0]?.routes, ['billing.apps.example.com', 'billing.apps.internal']);
    assert.equal(table.lookup(BILLING).length, 3, 'admin process excluded');
    assert.equal(table.lookup('billing-admin.apps.example.com')[0]?.tags.process_type, 'admin');
    const fe = table.lookup(FRONTEND);
    assert.deepEqual(
      fe.map((i) => [i.address, i.tls, i.serverCertDomainSan !== '']),
      [
        ['10.0.16.4:61020', false, false],
        ['10.0.16.7:61443', true, true],
      ],
    );
    assert.equal(table.lookup('apps.example.com/catalog').length, 2);
    assert.equal(table.lookup('api.sys.example.com').length, 1);
    assert.equal(table.lookup('beta/staging/nothing').length, 0);
    assert.equal(table.metrics.routesKnown, 7);
    assert.equal(table.metrics.instancesKnown, 9);
    assert.equal(table.metrics.fileLoadsOk, 1);
    assert.equal(table.metrics.ready, 1);
  } finally {
    await src.stop();
  }
});

test('YAML files load too', async () => {
  const table = new RouteTable();
  const src = new FileRouteSource({ path: join(testdata, 'routes.yaml'), table });
  await src.start();
  await src.stop();
  assert.equal(table.lookup('beta/staging/catalog').length, 2);
  assert.equal(table.lookup('frontend.apps.example.com').length, 2);
});

test('the file is re-read on change; a bad version keeps the table; bad entries are logged once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-routes-'));
  const path = join(dir, 'routes.json');
  const one = { 'a.example.com': [{ address: '10.0.0.1:1', tags: { app_id: 'x', process_type: 'web' } }] };
  writeFileSync(path, JSON.stringify(one));
  const table = new RouteTable();
  const log = capture();
  const src = new FileRouteSource({ path, table, logger: log, statIntervalMs: 50 });
  await src.start();
  try {
    assert.equal(table.lookup('x').length, 0, 'not a UUID: read as a route');
    assert.equal(table.lookup('a.example.com').length, 1);

    const two = { 'b.example.com': [{ address: '10.0.0.2:1' }, { address: 'broken' }] };
    writeAtomically(path, JSON.stringify(two));
    await waitFor('reload', () => table.lookup('b.example.com').length === 1);
    assert.equal(table.lookup('a.example.com').length, 0);

    writeAtomically(path, '{"b.example.com": [');
    await waitFor('failed reload', () => table.metrics.fileLoadsFailed >= 1);
    assert.equal(table.lookup('b.example.com').length, 1, 'previous table kept');
    assert.ok(log.errors.length >= 1);

    writeFileSync(path, JSON.stringify({ ...two, 'c.example.com': [{ address: '10.0.0.3:1' }] }));
    await waitFor('in-place rewrite', () => table.lookup('c.example.com').length === 1);
    assert.ok((table.metrics.messagesInvalid.bad_address ?? 0) >= 2, 'counted on every load');
    assert.equal(log.warns.filter((w) => w.includes('broken')).length, 1, 'logged once');
    assert.ok(table.metrics.fileLoadsOk >= 3);
  } finally {
    await src.stop();
  }
});

test('unreadable or malformed files fail start with file, line and column', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-routes-'));
  const cases: [string, string | undefined, RegExp][] = [
    ['missing.json', undefined, /missing\.json: cannot read routes file: ENOENT/],
    ['bad.json', '{\n  "a.example.com": [\n    {"address": "10.0.0.1:1",}\n  ]\n}\n', /bad\.json:3:30: invalid JSON/],
    ['bad.yml', 'a.example.com:\n  - address: "10.0.0.1:1\n', /bad\.yml:3:1: invalid YAML: Missing closing "quote/],
    ['list.yaml', '- a\n- b\n', /list\.yaml: expected an object of route key/],
  ];
  for (const [name, text, want] of cases) {
    const path = join(dir, name);
    if (text !== undefined) writeFileSync(path, text);
    const table = new RouteTable();
    const src = new FileRouteSource({ path, table });
    await assert.rejects(src.start(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ROUTES_FILE');
      assert.match(err.message, want);
      return true;
    });
    await src.stop();
    assert.equal(src.isReady(), false);
    assert.equal(table.metrics.fileLoadsFailed, 1);
  }
});
