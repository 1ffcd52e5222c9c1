import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const cli = new URL('./main.js', import.meta.url).pathname;
const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', timeout: 20_000 });

test('cf-prom parse prints one JSON sample per line', () => {
  const r = run(['parse', '-'], '# TYPE h histogram\nh_bucket{le="+Inf"} 3 1700000000000\nu NaN\nbig 1 99999999999999999\n');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [
      { name: 'h_bucket', labels: { le: '+Inf' }, value: 3, timestamp: 1700000000000, type: 'histogram' },
      { name: 'u', labels: {}, value: 'NaN', timestamp: null, type: 'untyped' },
      { name: 'big', labels: {}, value: 1, timestamp: '99999999999999999', type: 'untyped' },
    ],
  );
});

test('cf-prom parse: invalid input exits 1 with one agreed error line', () => {
  const r = run(['parse'], 'ok 1\nbad{l="x\\q"} 1\n');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "cf-prom: parse error: line 2, col 9: invalid escape sequence '\\q' in label value\n");
});

test('cf-prom parse: format chosen by --content-type or --format', () => {
  const om = '# TYPE c counter\nc_total 1 # {a="b"} 1\n# EOF\n';
  assert.equal(run(['parse', '--content-type', 'application/openmetrics-text; version=1.0.0'], om).status, 0);
  assert.equal(run(['parse', '--format', 'openmetrics'], om).status, 0);
  assert.equal(run(['parse'], om).status, 1); // text 0.0.4 has no exemplars
  assert.equal(run(['parse', '--format', 'bogus'], om).status, 2);
});

test('cf-prom parse --stats --repeat counts totals over N parses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf-prom-cli-'));
  const f = join(dir, 'm.prom');
  const body = '# TYPE a counter\na 1\nb{x="y"} 2\n';
  writeFileSync(f, body);
  const r = run(['parse', '--stats', '--repeat', '3', f]);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { bytes: number; samples: number; families: number; seconds: number };
  assert.equal(s.bytes, 3 * Buffer.byteLength(body));
  assert.equal(s.samples, 6);
  assert.equal(s.families, 6);
  assert.ok(s.seconds >= 0);
});

test('cf-prom format converts between formats', () => {
  const r = run(['format', '--to', 'openmetrics'], '# TYPE c_total counter\nc_total 1\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '# TYPE c counter\nc_total 1\n# EOF\n');
});
