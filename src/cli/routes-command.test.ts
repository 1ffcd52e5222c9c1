import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import { type NatsServer, startNatsServer } from '../testing/nats-server.js';
import { main } from './main.js';

const sample = fileURLToPath(new URL('../../../src/routes/testdata/routes.json', import.meta.url));
const APP = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        f(String(chunk));
        cb();
      },
    });
  const code = await main(['routes', ...argv], {
    stdin: new PassThrough(),
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env: {},
  });
  return { code, out, err };
}

let nats: NatsServer;
let emitter: NatsConnection;
before(async () => {
  nats = await startNatsServer();
  emitter = await connect({ servers: nats.url });
  // Plays route-emitter: the whole table on every router.start.
  emitter.subscribe('router.start', {
    callback: () => {
      for (const i of [0, 1]) {
        const tags = {
          app_id: APP,
          app_name: 'billing',
          organization_name: 'acme',
          space_name: 'prod',
          process_type: 'web',
          instance_id: String(i),
        };
        emitter.publish(
          'router.register',
          new TextEncoder().encode(JSON.stringify({ host: `10.0.0.${i}`, port: 8080, uris: ['billing.example.com'], tags })),
        );
      }
    },
  });
  await emitter.flush();
});
after(async () => {
  await emitter.close();
  await nats.stop();
});

test('routes --file prints the table; --lookup prints matching instances as JSON lines', async () => {
  const all = await run('--file', sample);
  assert.equal(all.code, 0, all.err);
  assert.equal(Object.keys(JSON.parse(all.out)).length, 7);
  const one = await run('--file', sample, '--lookup', 'acme/prod/billing');
  assert.equal(one.code, 0);
  const lines = one.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { address: string });
  assert.deepEqual(
    lines.map((l) => l.address),
    ['10.0.16.4:61001', '10.0.16.5:61007', '10.0.16.6:61012'],
  );
});

test('routes: no match, bad file and bad usage give clear errors and exit codes', async () => {
  const none = await run('--file', sample, '--lookup', 'nobody.example.com');
  assert.equal(none.code, 1);
  assert.match(none.err, /no instance matches route "nobody\.example\.com" among 9 instances on 7 routes/);
  const missing = await run('--file', '/nonexistent/routes.json');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /\/nonexistent\/routes\.json: cannot read routes file/);
  assert.equal((await run()).code, 2);
  assert.equal((await run('--file', sample, '--nats', nats.url)).code, 2);
  assert.equal((await run('--file', sample, '--wait-ms', 'soon')).code, 2);
});

test('routes --nats announces router.start and prints what the emitter sends', async () => {
  const r = await run('--nats', nats.url, '--settle-ms', '200', '--lookup', APP);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(
    r.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { address: string }).address),
    ['10.0.0.0:8080', '10.0.0.1:8080'],
  );
});
