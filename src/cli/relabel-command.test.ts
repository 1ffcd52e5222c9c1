import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const cli = new URL('./main.js', import.meta.url).pathname;
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, 'relabel', ...args], { input, encoding: 'utf8', timeout: 20_000 });
const dir = mkdtempSync(join(tmpdir(), 'cf-prom-relabel-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const rules = file(
  'rules.yml',
  `- source_labels: [__name__]
  regex: go_.*|process_.*
  action: drop
- source_labels: [path]
  regex: '/api/v(\\d+)/.*'
  target_label: api_version
- source_labels: [__name__]
  regex: 'http_(.*)'
  target_label: __name__
  replacement: web_$1
- action: labeldrop
  regex: pid
`,
);

test('cf-prom relabel: exposition in, parse NDJSON out, dropped samples left out', () => {
  const body =
    '# TYPE go_gc counter\ngo_gc 1\n# TYPE http_requests_total counter\nhttp_requests_total{pid="12",path="/api/v2/users"} 5 1700000000000\nup 1\n';
  const r = run(['--config', rules, '-'], body);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    '{"name":"web_requests_total","labels":{"api_version":"2","path":"/api/v2/users"},"value":5,"timestamp":1700000000000,"type":"counter"}\n' +
      '{"name":"up","labels":{},"value":1,"timestamp":null,"type":"untyped"}\n',
  );
  const fromFile = run(['--config', rules, file('m.prom', body)]);
  assert.equal(fromFile.stdout, r.stdout);
});

test('cf-prom relabel: a sample relabeled without __name__ is dropped', () => {
  const r = run(['--config', file('noname.yml', '- {regex: __name__, action: labeldrop}\n')], 'a 1\nb{x="y"} 2\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('cf-prom relabel --labels: one JSON object or null per input line', () => {
  const input = '{"__name__":"go_x"}\n{"path":"/api/v1/x","pid":"1","a":"","z":"last"}\n\n{"b":"c"}\n{}\n';
  const r = run(['--config', rules, '--labels'], input);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'null\n{"api_version":"1","path":"/api/v1/x","z":"last"}\n{"b":"c"}\n{}\n');
  const fromFile = run(['--config', rules, '--labels', file('labels.ndjson', input)]);
  assert.equal(fromFile.stdout, r.stdout);
});

test('cf-prom relabel --labels: a bad line exits 1 naming the line', () => {
  const r = run(['--config', rules, '--labels'], '{"a":"b"}\n{"a":1}\n');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '{"a":"b"}\n');
  assert.equal(r.stderr, 'cf-prom relabel: stdin: line 2: label "a": value must be a string\n');
  assert.equal(
    run(['--config', rules, '--labels'], '[1]\n').stderr,
    'cf-prom relabel: stdin: line 1: expected a JSON object of label names to string values\n',
  );
});

test('cf-prom relabel: an invalid rule file exits 1 with one line: rule index, field, reason', () => {
  const bad = file('bad.yml', '- action: keep\n- action: hashmod\n  source_labels: [a]\n  target_label: h\n');
  const r = run(['--config', bad, '--labels'], '');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `cf-prom relabel: ${bad}: relabel rule 1: field modulus: must be greater than 0 for action "hashmod"\n`);
  const badRegex = file('bad-regex.yml', '- {action: drop, source_labels: [a], regex: "a(?=b)"}\n');
  const r2 = run(['--config', badRegex], '');
  assert.equal(r2.status, 1);
  assert.equal(
    r2.stderr,
    `cf-prom relabel: ${badRegex}: relabel rule 0: field regex: invalid regular expression "a(?=b)": error parsing regexp: invalid or unsupported Perl syntax: \`(?=\`\n`,
  );
});

test('cf-prom relabel: YAML syntax errors name line and column', () => {
  const bad = file('syntax.yml', '- action: keep\n  regex: [a\n');
  const r = run(['--config', bad, '--labels'], '');
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^cf-prom relabel: ${bad}:3:1: invalid YAML: .+\\n$`));
});

const scrape = file(
  'prometheus.yml',
  `global: {scrape_interval: 15s}
scrape_configs:
  - job_name: apps
    static_configs: [{targets: ['a:1']}]
    metric_relabel_configs:
      - {source_labels: [__name__], regex: 'up', action: keep}
  - job_name: system
    metric_relabel_configs:
      - {action: labeldrop, regex: 'bad', separator: ','}
`,
);

test('cf-prom relabel --job picks metric_relabel_configs from a scrape_configs file', () => {
  const r = run(['--config', scrape, '--job', 'apps', '--labels'], '{"__name__":"up","x":"1"}\n{"__name__":"down"}\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{"__name__":"up","x":"1"}\nnull\n');
  const bad = run(['--config', scrape, '--job', 'system', '--labels'], '');
  assert.equal(bad.status, 1);
  assert.equal(
    bad.stderr,
    `cf-prom relabel: ${scrape}: scrape_configs[1].metric_relabel_configs[0].separator: must not be set for action "labeldrop": it uses only regex\n`,
  );
});

test('cf-prom relabel --job: missing or ambiguous job', () => {
  const missing = run(['--config', scrape, '--job', 'nope', '--labels'], '');
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `cf-prom relabel: ${scrape}: no scrape_configs entry with job_name "nope"\n`);
  const ambiguous = run(['--config', scrape, '--labels'], '');
  assert.equal(ambiguous.status, 1);
  assert.equal(ambiguous.stderr, `cf-prom relabel: ${scrape}: 2 scrape_configs ("apps", "system"); choose one with --job NAME\n`);
  const dup = file('dup.yml', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n');
  assert.equal(
    run(['--config', dup, '--job', 'a', '--labels'], '').stderr,
    `cf-prom relabel: ${dup}: job_name "a" appears 2 times in scrape_configs\n`,
  );
  assert.equal(
    run(['--config', rules, '--job', 'a', '--labels'], '').stderr,
    `cf-prom relabel: ${rules}: --job needs a file with scrape_configs\n`,
  );
});

test('cf-prom relabel: usage errors exit 2; unreadable config and bad exposition exit 1', () => {
  assert.equal(run(['--labels'], '').status, 2);
  assert.equal(run(['--config', rules, '--bogus'], '').status, 2);
  const missing = run(['--config', join(dir, 'nope.yml'), '--labels'], '');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^cf-prom relabel: .*nope\.yml: ENOENT/);
  const parse = run(['--config', rules], 'bad{ 1\n');
  assert.equal(parse.status, 1);
  assert.match(parse.stderr, /^cf-prom: parse error: line 1/);
});

test('cf-prom relabel: numbers in string fields keep their YAML source text, as in Go', () => {
  const f = file('scalars.yml', '- {source_labels: [a, b], separator: 1.0, regex: 0x1F1.0y, target_label: c, replacement: 1e3}\n');
  const r = run(['--config', f, '--labels'], '{"a":"0x1F","b":"y"}\n');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{"a":"0x1F","b":"y","c":"1e3"}\n');
});
