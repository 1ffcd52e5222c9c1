// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are Prometheus replacement templates, not JS.
// A table per action: Prometheus documentation examples, the cases of Prometheus's
// relabel_test.go (re-derived, not copied) and edge cases: empty source values, missing labels,
// regexes that do not match, labelmap with groups.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRelabelConfigs, relabelSample } from './index.js';

type LabelObject = Record<string, string>;
interface Case {
  name: string;
  rules: unknown[];
  input: LabelObject;
  /** Expected label set (order checked: sorted by name), or null for dropped. */
  want: LabelObject | null;
}

const flat = (o: LabelObject) => Object.entries(o).flat();
const obj = (l: string[]) => Object.fromEntries(Array.from({ length: l.length / 2 }, (_, i) => [l[2 * i], l[2 * i + 1]]));

function table(action: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${action}: ${c.name}`, () => {
      const chain = compileRelabelConfigs(c.rules);
      const input = flat(c.input);
      const copy = input.slice();
      const out = chain.process(input);
      assert.deepEqual(input, copy, 'input must not be mutated');
      if (c.want === null) return assert.equal(out, null);
      assert.notEqual(out, null, 'dropped');
      assert.deepEqual(out, flat(sortedObject(c.want)));
    });
  }
}

function sortedObject(o: LabelObject): LabelObject {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

table('replace', [
  {
    name: 'capture group into a new label',
    rules: [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }],
    input: { a: 'foo', b: 'bar', c: 'baz' },
    want: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'several sources joined by the separator, chained rules',
    rules: [
      { source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', replacement: 'b${1}${2}m' },
      { source_labels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', target_label: 'd', replacement: '$1$2$2$3' },
    ],
    input: { a: 'foo', b: 'bar', c: 'baz' },
    want: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'docs: address and port annotation into __address__',
    rules: [
      {
        source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
        action: 'replace',
        regex: '([^:]+)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
      },
    ],
    input: { __address__: '10.1.2.3:8080', __meta_kubernetes_pod_annotation_prometheus_io_port: '9102' },
    want: { __address__: '10.1.2.3:9102', __meta_kubernetes_pod_annotation_prometheus_io_port: '9102' },
  },
  {
    name: 'regex that does not match: nothing changes',
    rules: [{ source_labels: ['a'], regex: 'x(.*)', target_label: 'a', replacement: 'y' }],
    input: { a: 'foo' },
    want: { a: 'foo' },
  },
  {
    name: 'regex must match the whole value (anchored)',
    rules: [{ source_labels: ['a'], regex: 'o', target_label: 'b', replacement: 'hit' }],
    input: { a: 'foo' },
    want: { a: 'foo' },
  },
  {
    name: 'default regex and replacement copy the value ($1 of (.*))',
    rules: [{ source_labels: ['a'], target_label: 'b' }],
    input: { a: 'foo' },
    want: { a: 'foo', b: 'foo' },
  },
  {
    name: 'static label: no source labels, replacement only',
    rules: [{ target_label: 'cluster', replacement: 'dev-us-central-0' }],
    input: { job: 'j' },
    want: { cluster: 'dev-us-central-0', job: 'j' },
  },
  {
    name: 'missing source label reads as empty: default rule deletes the target',
    rules: [{ source_labels: ['missing'], target_label: 'a' }],
    input: { a: 'foo', b: 'bar' },
    want: { b: 'bar' },
  },
  {
    name: 'empty replacement deletes the target label',
    rules: [{ source_labels: ['a'], regex: '(f).*', target_label: 'a', replacement: '$2' }],
    input: { a: 'foo', b: 'x' },
    want: { b: 'x' },
  },
  {
    name: 'target label from the match; an invalid resulting name is skipped',
    rules: [
      { source_labels: ['a'], regex: '(.*)', target_label: 'x_$1', replacement: 'v' },
      { source_labels: ['b'], regex: '(.*)', target_label: '${1}', replacement: 'v' },
    ],
    input: { a: 'foo', b: '' },
    want: { a: 'foo', x_foo: 'v' },
  },
  {
    name: 'named groups and $$ in the replacement',
    rules: [{ source_labels: ['a'], regex: '(?P<host>[^:]+):(?P<port>\\d+)', target_label: 'b', replacement: '$$${port}@$host' }],
    input: { a: 'h:80' },
    want: { a: 'h:80', b: '$80@h' },
  },
  {
    name: '$1x is the (absent) group named 1x: empty, so the target is deleted',
    rules: [{ source_labels: ['a'], regex: '(.*)', target_label: 'b', replacement: '$1x' }],
    input: { a: 'foo', b: 'old' },
    want: { a: 'foo' },
  },
  {
    name: 'empty source value with a non-default regex that matches it',
    rules: [{ source_labels: ['a'], regex: '(x?)', target_label: 'b', replacement: 'empty[$1]' }],
    input: {},
    want: { b: 'empty[]' },
  },
  {
    name: 'value with a newline matches . (Prometheus 3 (?s))',
    rules: [{ source_labels: ['a'], regex: 'foo.(.*)', target_label: 'b' }],
    input: { a: 'foo\nbar' },
    want: { a: 'foo\nbar', b: 'bar' },
  },
]);

table('keep', [
  {
    name: 'matching value is kept',
    rules: [{ source_labels: ['a'], regex: 'f.*', action: 'keep' }],
    input: { a: 'foo' },
    want: { a: 'foo' },
  },
  {
    name: 'non-matching value is dropped',
    rules: [{ source_labels: ['a'], regex: 'no-match', action: 'keep' }],
    input: { a: 'foo' },
    want: null,
  },
  {
    name: 'docs: keep targets annotated prometheus.io/scrape=true',
    rules: [{ source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' }],
    input: { __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'false' },
    want: null,
  },
  {
    name: 'missing label is the empty string: (.*) keeps',
    rules: [{ source_labels: ['x'], action: 'keep' }],
    input: { a: 'b' },
    want: { a: 'b' },
  },
  {
    name: 'missing label does not match .+',
    rules: [{ source_labels: ['x'], regex: '.+', action: 'keep' }],
    input: { a: 'b' },
    want: null,
  },
  {
    name: 'literal alternation on __name__',
    rules: [{ source_labels: ['__name__'], regex: 'up|http_requests_total', action: 'keep' }],
    input: { __name__: 'http_requests_total', code: '200' },
    want: { __name__: 'http_requests_total', code: '200' },
  },
  {
    name: 'separator joins source values',
    rules: [{ source_labels: ['a', 'b'], separator: '-', regex: 'x-y', action: 'keep' }],
    input: { b: 'y', a: 'x' },
    want: { a: 'x', b: 'y' },
  },
]);

table('drop', [
  {
    name: 'matching value is dropped',
    rules: [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }],
    input: { a: 'foo', b: 'bar' },
    want: null,
  },
  {
    name: 'partial match does not drop (anchored)',
    rules: [{ source_labels: ['a'], regex: 'f|o', action: 'drop' }],
    input: { a: 'foo' },
    want: { a: 'foo' },
  },
  { name: 'no match keeps', rules: [{ source_labels: ['a'], regex: 'no-match', action: 'drop' }], input: { a: 'foo' }, want: { a: 'foo' } },
  {
    name: 'a later rule never runs after a drop',
    rules: [
      { source_labels: ['a'], regex: '.*o.*', action: 'drop' },
      { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch$1' },
    ],
    input: { a: 'foo' },
    want: null,
  },
  {
    name: 'docs: drop by metric name',
    rules: [{ source_labels: ['__name__'], regex: 'go_.*|process_.*', action: 'drop' }],
    input: { __name__: 'go_goroutines' },
    want: null,
  },
  { name: 'missing label: default regex (.*) drops everything', rules: [{ action: 'drop' }], input: { a: 'b' }, want: null },
]);

table('keepequal', [
  {
    name: 'equal values keep',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }],
    input: { a: 'x', b: 'x' },
    want: { a: 'x', b: 'x' },
  },
  {
    name: 'different values drop',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }],
    input: { a: 'x', b: 'y' },
    want: null,
  },
  {
    name: 'both missing are equal (empty)',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }],
    input: { c: 'z' },
    want: { c: 'z' },
  },
  {
    name: 'docs: keep targets whose port equals the annotated port',
    rules: [
      {
        source_labels: ['__meta_kubernetes_pod_container_port_number'],
        target_label: '__meta_kubernetes_pod_annotation_prometheus_io_port',
        action: 'keepequal',
      },
    ],
    input: { __meta_kubernetes_pod_container_port_number: '8080', __meta_kubernetes_pod_annotation_prometheus_io_port: '9090' },
    want: null,
  },
]);

table('dropequal', [
  {
    name: 'equal values drop',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }],
    input: { a: 'x', b: 'x' },
    want: null,
  },
  {
    name: 'different values keep',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }],
    input: { a: 'x', b: 'y' },
    want: { a: 'x', b: 'y' },
  },
  {
    name: 'joined sources compared with the target',
    rules: [{ source_labels: ['a', 'b'], target_label: 'c', action: 'dropequal' }],
    input: { a: 'x', b: 'y', c: 'x;y' },
    want: null,
  },
]);

table('hashmod', [
  {
    name: 'md5 bucket (Prometheus test vector)',
    rules: [{ source_labels: ['c'], target_label: 'd', modulus: 1000, action: 'hashmod' }],
    input: { a: 'foo', b: 'bar', c: 'baz' },
    want: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'value with a newline',
    rules: [{ source_labels: ['a'], target_label: 'b', modulus: 1000, action: 'hashmod' }],
    input: { a: 'foo\nbar' },
    want: { a: 'foo\nbar', b: '734' },
  },
  {
    name: 'docs: shard targets across scrapers, keep bucket 0',
    rules: [
      { source_labels: ['__address__'], modulus: 3, target_label: '__tmp_hash', action: 'hashmod' },
      { source_labels: ['__tmp_hash'], regex: '^0$', action: 'keep' },
      { regex: '__tmp_hash', action: 'labeldrop' },
    ],
    input: { __address__: 'baz' }, // md5 bucket of "baz" mod 3 is 2 (see go-vectors.json)
    want: null,
  },
  {
    name: 'missing source hashes the empty string; modulus up to 2^64-1',
    rules: [{ source_labels: ['x'], target_label: 'h', modulus: 18446744073709551615n, action: 'hashmod' }],
    input: {},
    want: { h: '16825458760271544958' }, // go-vectors.json and Python hashlib agree
  },
]);

table('labelmap', [
  {
    name: 'copy labels under a new name with the group',
    rules: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    want: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
  },
  {
    name: 'two groups, name rebuilt',
    rules: [{ regex: '__meta_(\\w+)_(\\w+)', replacement: '${2}_${1}', action: 'labelmap' }],
    input: { __meta_my_baz: 'aaa', __meta_my_bar: 'aaa', a: 'foo' },
    want: { __meta_my_bar: 'aaa', __meta_my_baz: 'aaa', a: 'foo', bar_my: 'aaa', baz_my: 'aaa' },
  },
  {
    name: 'docs: kubernetes pod labels',
    rules: [{ action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' }],
    input: { __meta_kubernetes_pod_label_app: 'web', __meta_kubernetes_pod_label_tier: '', job: 'k' },
    want: { __meta_kubernetes_pod_label_app: 'web', app: 'web', job: 'k' },
  },
  {
    name: 'two sources onto one name: the later one in label order wins',
    rules: [{ regex: '__meta_(?:x|y)_foo', replacement: 'foo', action: 'labelmap' }],
    input: { __meta_y_foo: 'from-y', __meta_x_foo: 'from-x' },
    want: { __meta_x_foo: 'from-x', __meta_y_foo: 'from-y', foo: 'from-y' },
  },
  {
    name: 'an existing label is overwritten',
    rules: [{ regex: '__tmp_(.+)', action: 'labelmap' }],
    input: { __tmp_job: 'new', job: 'old' },
    want: { __tmp_job: 'new', job: 'new' },
  },
  {
    name: 'labels added by earlier rules are visited after the input ones',
    rules: [
      { target_label: '__a_z', replacement: 'added' },
      { regex: '__a_(.)', replacement: 'r', action: 'labelmap' },
    ],
    input: { __a_b: 'input' },
    want: { __a_b: 'input', __a_z: 'added', r: 'added' },
  },
  {
    name: 'no label matches: unchanged',
    rules: [{ regex: 'zzz(.*)', action: 'labelmap' }],
    input: { a: 'b' },
    want: { a: 'b' },
  },
]);

table('labeldrop', [
  {
    name: 'drops matching names',
    rules: [{ regex: 'b.*', action: 'labeldrop' }],
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    want: { a: 'foo' },
  },
  {
    name: 'docs: drop all __meta_ labels',
    rules: [{ regex: '__meta_.*', action: 'labeldrop' }],
    input: { __meta_a: '1', __address__: 'h:1', job: 'j' },
    want: { __address__: 'h:1', job: 'j' },
  },
  {
    name: 'can drop __name__ (the caller then drops the sample)',
    rules: [{ regex: '__name__', action: 'labeldrop' }],
    input: { __name__: 'm', a: 'b' },
    want: { a: 'b' },
  },
  {
    name: 'anchored: partial name match does not drop',
    rules: [{ regex: 'b', action: 'labeldrop' }],
    input: { b1: 'x' },
    want: { b1: 'x' },
  },
]);

table('labelkeep', [
  {
    name: 'keeps only matching names',
    rules: [{ regex: '(b.*)', action: 'labelkeep' }],
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    want: { b1: 'bar', b2: 'baz' },
  },
  {
    name: 'labels set by earlier rules are subject too',
    rules: [
      { target_label: 'new', replacement: 'v' },
      { regex: '__name__|instance|job', action: 'labelkeep' },
    ],
    input: { __name__: 'up', job: 'j', pod: 'p' },
    want: { __name__: 'up', job: 'j' },
  },
]);

table('lowercase', [
  {
    name: 'lowercases into the target',
    rules: [{ source_labels: ['a'], target_label: 'a_lower', action: 'lowercase' }],
    input: { a: 'AbCd' },
    want: { a: 'AbCd', a_lower: 'abcd' },
  },
  {
    name: 'joined sources, in place',
    rules: [{ source_labels: ['a', 'b'], target_label: 'a', action: 'lowercase' }],
    input: { a: 'FOO', b: 'Bar' },
    want: { a: 'foo;bar', b: 'Bar' },
  },
  {
    name: 'empty source deletes the target',
    rules: [{ source_labels: ['x'], target_label: 'a', action: 'lowercase' }],
    input: { a: 'A' },
    want: {},
  },
  {
    name: 'Go simple case mapping (İ → i, final Σ → σ)',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'lowercase' }],
    input: { a: 'İΣ' },
    want: { a: 'İΣ', b: 'iσ' },
  },
]);

table('uppercase', [
  {
    name: 'uppercases into the target',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'uppercase' }],
    input: { a: 'AbCd' },
    want: { a: 'AbCd', b: 'ABCD' },
  },
  {
    name: 'ß stays ß as in Go',
    rules: [{ source_labels: ['a'], target_label: 'b', action: 'uppercase' }],
    input: { a: 'straße' },
    want: { a: 'straße', b: 'STRAßE' },
  },
]);

table('chain', [
  {
    name: 'empty chain only sorts and removes empty values',
    rules: [],
    input: { z: '1', a: '', m: '2' },
    want: { m: '2', z: '1' },
  },
  {
    name: 'filters only: empty values removed, sorted',
    rules: [{ source_labels: ['__name__'], regex: 'up', action: 'keep' }],
    input: { z: 'last', __name__: 'up', e: '', a: 'first' },
    want: { __name__: 'up', a: 'first', z: 'last' },
  },
  {
    name: 'a typical metric_relabel_configs chain',
    rules: [
      { source_labels: ['__name__'], regex: 'go_.*|process_.*', action: 'drop' },
      { regex: 'pod_template_hash|controller_revision_hash', action: 'labeldrop' },
      { source_labels: ['path'], regex: '/api/v(\\d+)/.*', target_label: 'api_version' },
      { regex: 'label_(.+)', action: 'labelmap' },
      { source_labels: ['__name__'], regex: 'http_.*', action: 'keep' },
    ],
    input: { __name__: 'http_requests_total', path: '/api/v2/users', pod_template_hash: 'abc', label_team: 'core' },
    want: { __name__: 'http_requests_total', api_version: '2', label_team: 'core', path: '/api/v2/users', team: 'core' },
  },
]);

test('the output is sorted in UTF-8 byte order, even for astral vs BMP names', () => {
  // UTF-16 order would put U+1F600 (a surrogate pair) before U+FF5E; UTF-8 (Go) puts it after.
  const out = compileRelabelConfigs([{ target_label: '\uff5e', replacement: 'x' }]).process(['\u{1f600}', 'y', 'a', 'b']);
  assert.deepEqual(out, ['a', 'b', '\uff5e', 'x', '\u{1f600}', 'y']);
  const filtered = compileRelabelConfigs([{ action: 'keep' }]).process(['\u{1f600}', 'y', '\uff5e', 'x', 'e', '']);
  assert.deepEqual(filtered, ['\uff5e', 'x', '\u{1f600}', 'y']);
});

test('chain facts for callers: isEmpty, onlyFilters, readsLabels', () => {
  assert.equal(compileRelabelConfigs(null).isEmpty, true);
  assert.equal(compileRelabelConfigs([]).isEmpty, true);
  const filters = compileRelabelConfigs([
    { source_labels: ['__name__'], regex: 'a|b', action: 'keep' },
    { source_labels: ['job', 'x'], regex: 'j;.*', action: 'drop' },
  ]);
  assert.equal(filters.onlyFilters, true);
  assert.deepEqual(filters.readsLabels, ['__name__', 'job', 'x']);
  const all = compileRelabelConfigs([{ regex: 'a', action: 'labeldrop' }]);
  assert.equal(all.onlyFilters, false);
  assert.equal(all.readsLabels, null);
});

test('relabelSample: __name__ is seen and can be renamed; without __name__ the sample is dropped', () => {
  const chain = compileRelabelConfigs([
    { source_labels: ['__name__'], regex: 'old_(.*)', target_label: '__name__', replacement: 'new_$1' },
    { source_labels: ['kill'], regex: 'yes', target_label: '__name__', replacement: '' },
  ]);
  assert.deepEqual(relabelSample(chain, 'old_metric', ['b', '2', 'a', '1']), { name: 'new_metric', labels: ['a', '1', 'b', '2'] });
  assert.equal(relabelSample(chain, 'm', ['kill', 'yes']), null);
});

test('process is repeatable and does not share state between calls', () => {
  const chain = compileRelabelConfigs([{ source_labels: ['a'], target_label: 'b' }]);
  const first = chain.process(['a', '1']);
  const second = chain.process(['a', '2']);
  assert.deepEqual(obj(first ?? []), { a: '1', b: '1' });
  assert.deepEqual(obj(second ?? []), { a: '2', b: '2' });
});

test('large label sets (hundreds of __meta_ labels) sort and relabel correctly', () => {
  const names = Array.from({ length: 300 }, (_, i) => `__meta_${((i * 7919) % 300).toString().padStart(3, '0')}`);
  const input = names.flatMap((n) => [n, `v${n}`]);
  const out = compileRelabelConfigs([{ action: 'labelmap', regex: '__meta_(00.)' }]).process(input);
  assert.ok(out !== null);
  const outNames = out.filter((_, i) => i % 2 === 0);
  assert.deepEqual(outNames, [...outNames].sort());
  assert.equal(outNames.length, 310);
  assert.equal(out[out.indexOf('009') + 1], 'v__meta_009');
});

test('a dangling name without a value is ignored', () => {
  assert.deepEqual(compileRelabelConfigs([]).process(['b', '1', 'a']), ['b', '1']);
});
