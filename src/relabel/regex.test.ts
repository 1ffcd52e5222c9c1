import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRelabelRegex } from './regex.js';

test('fast paths are chosen for the common shapes', () => {
  const cases: [string, string][] = [
    ['.*', 'any'],
    ['(.*)', 'any'],
    ['go_gc|go_memstats|up', 'literals'],
    ['(?:a|b)', 'literals'],
    ['(a|b)', 'literals'],
    ['', 'literals'],
    ['a\\.b\\|c', 'literals'],
    ['__meta_kubernetes_pod_label_(.+)', 'prefix'],
    ['go_.*', 'prefix'],
    ['go_.*|process_.*', 're2'],
    ['(?i)up', 're2'],
    ['a\\d', 're2'],
    ['(a)|(b)', 're2'],
  ];
  for (const [pattern, kind] of cases) assert.equal(compileRelabelRegex(pattern).kind, kind, pattern);
});

test('literal alternation: set membership, with a capture when wrapped in ( )', () => {
  const re = compileRelabelRegex('(up|scrape_duration_seconds)');
  assert.deepEqual(re.match('up'), ['up', 'up']);
  assert.equal(re.match('upx'), null);
  assert.deepEqual([...(re.literals ?? [])], ['up', 'scrape_duration_seconds']);
  assert.deepEqual(compileRelabelRegex('a\\.b').literals, new Set(['a.b']));
});

test('prefix capture gives the same groups as RE2', () => {
  const fast = compileRelabelRegex('__meta_(.+)');
  const slow = compileRelabelRegex('__meta_(.+)|x\\by'); // forces the engine, same groups for these inputs
  assert.equal(fast.kind, 'prefix');
  for (const s of ['__meta_a', '__meta_', '__meta_\nb', '__metax', '__meta_😀']) {
    assert.deepEqual(fast.match(s), slow.match(s), s);
  }
});

test('anchoring: the whole value must match, newlines included', () => {
  const re = compileRelabelRegex('a.c');
  assert.equal(re.test('abc'), true);
  assert.equal(re.test('a\nc'), true); // (?s): Prometheus 3
  assert.equal(re.test('xabc'), false);
  assert.equal(re.test('abc\n'), false);
  assert.equal(compileRelabelRegex('a|b').test('ab'), false);
});

test('a pattern breaking out of the anchor group behaves as in Prometheus', () => {
  // ^(?s:a)|(b)$ — Go compiles it, and so must we; the fast paths must not take it.
  const re = compileRelabelRegex('a)|(b');
  assert.equal(re.kind, 're2');
  assert.equal(re.test('ax'), true);
  assert.equal(re.test('xb'), true);
});

test('invalid patterns throw Go-style messages', () => {
  assert.throws(() => compileRelabelRegex('('), /missing closing \)/);
  assert.throws(() => compileRelabelRegex('a(?=b)'), /invalid or unsupported Perl syntax/);
  assert.throws(() => compileRelabelRegex('x**'), /invalid nested repetition operator/);
  assert.throws(() => compileRelabelRegex('\\C'), /invalid escape sequence/);
});

test('catastrophic-backtracking patterns run in linear time', () => {
  const re = compileRelabelRegex('(a+)+$b|(x|x)*y');
  const input = `${'a'.repeat(5000)}!`;
  const t0 = performance.now();
  assert.equal(re.test(input), false);
  assert.equal(re.match(`${'x'.repeat(5000)}`), null);
  assert.ok(performance.now() - t0 < 2000);
});
