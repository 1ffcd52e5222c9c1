import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { createTestPki } from '../testing/certs.js';
import { buildFetcherConfig } from './config.js';
import { Fetcher } from './fetcher.js';
import { appTags, type InstanceServer, startInstance, writeRoutesFile } from './test-helpers.js';

const GUID = '9b2f4c1e-1111-4222-8333-444455556666';
const APP = { guid: GUID, name: 'shop', route: 'shop.apps.example.com', instances: [] };
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

test('route table polled from a gorouter /routes endpoint with basic auth (the polling-era config)', async () => {
  const inst: InstanceServer = await startInstance({ body: 'shop_orders 3\n' });
  cleanups.push(() => inst.close());
  const routes = { [APP.route]: [{ address: inst.address, tls: false, ttl: 120, tags: appTags(APP, 0), private_instance_index: '0' }] };
  let auth: string | undefined;
  const gorouter = createServer((req, res) => {
    auth = req.headers.authorization;
    if (req.url !== '/routes' || auth !== `Basic ${Buffer.from('router-status:pw').toString('base64')}`) {
      res.writeHead(401);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(routes));
  });
  await new Promise<void>((r) => gorouter.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => gorouter.close(r)));
  const port = (gorouter.address() as AddressInfo).port;
  const config = buildFetcherConfig(
    'poll.yml',
    {
      port: 0,
      health_check_port: 0,
      listen_host: '127.0.0.1',
      gorouters: [{ host: '127.0.0.1', port, user: 'router-status', pass: 'pw' }],
    },
    { defaultRoutesFile: '' },
  );
  assert.equal(config.routes.kind, 'gorouter');
  const f = new Fetcher({ config });
  cleanups.push(() => f.stop());
  await f.start();
  await f.source.ready;
  const r = await fetch(`http://127.0.0.1:${f.port}/v2/apps/acme/prod/shop/metrics`);
  assert.equal(r.status, 200);
  assert.match(
    await r.text(),
    new RegExp(
      `^# TYPE shop_orders untyped\nshop_orders\\{[^}]*app_name="shop",index="0",instance_id="0",instance="${inst.address}"\\} 3\n$`,
    ),
  );
});

test('enable_ssl serves the API over TLS with tls_pem; health stays plain HTTP', async () => {
  const pki = createTestPki();
  const server = pki.issue('localhost', { sans: ['localhost', '127.0.0.1'] });
  const config = buildFetcherConfig(
    'tls.yml',
    {
      port: 0,
      health_check_port: 0,
      listen_host: '127.0.0.1',
      routes_file: writeRoutesFile([]),
      enable_ssl: true,
      tls_pem: { cert_chain: server.cert, private_key: server.key },
    },
    { defaultRoutesFile: '' },
  );
  const f = new Fetcher({ config });
  cleanups.push(() => f.stop());
  await f.start();
  const body = await new Promise<string>((resolve, reject) => {
    httpsGet(`https://127.0.0.1:${f.port}/routes`, { ca: pki.ca.cert }, (res) => {
      let s = '';
      res.on('data', (d: Buffer) => (s += d.toString()));
      res.on('end', () => resolve(s));
    }).on('error', reject);
  });
  assert.equal(body, '{}');
  await f.source.ready;
  assert.equal((await fetch(`http://127.0.0.1:${f.healthPort}/`)).status, 200);
});
