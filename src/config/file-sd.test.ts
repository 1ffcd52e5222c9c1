import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConfigError } from './errors.js';
import { FileSdWatcher, parseFileSd, readFileSdFile } from './file-sd.js';
import type { TargetGroup } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'cfprom-sd-'));
const watchers: FileSdWatcher[] = [];
after(() => {
  for (const w of watchers) w.stop();
});

test('readFileSdFile reads JSON and YAML lists of groups', () => {
  const json = join(dir, 'a.json');
  writeFileSync(json, JSON.stringify([{ targets: ['10.0.0.1:9100', '10.0.0.2:9100'], labels: { env: 'prod' } }, { targets: ['h:1'] }]));
  assert.deepEqual(readFileSdFile(json), [
    { targets: ['10.0.0.1:9100', '10.0.0.2:9100'], labels: ['env', 'prod'], source: json },
    { targets: ['h:1'], labels: [], source: json },
  ]);
  const yml = join(dir, 'b.yml');
  writeFileSync(yml, '- targets: [h:2]\n  labels:\n    team: a\n');
  assert.deepEqual(readFileSdFile(yml), [{ targets: ['h:2'], labels: ['team', 'a'], source: yml }]);
  writeFileSync(yml, '');
  assert.deepEqual(readFileSdFile(yml), []);
});

test('readFileSdFile errors name the file, group and field', () => {
  const cases: Array<[string, string, string]> = [
    ['x.json', '{"targets": []}', 'x.json: must be a list of target groups ({targets: [...], labels: {...}}), got a mapping (line 1)'],
    ['x.json', '[{"targets": ["a:1"],}]', 'x.json: invalid JSON: '],
    ['x.yml', '- targets: [a:1]\n  label: {a: b}\n', 'x.yml: [0].label: unknown field; allowed: targets, labels (line 2)'],
    [
      'x.yml',
      '- targets: [a:1]\n- targets: ["http://a/b"]\n',
      'x.yml: [1].targets[0]: "http://a/b" is not a valid target address: write host:port (the scheme goes in scheme, the path in metrics_path) (line 2)',
    ],
    ['x.yml', '- targets: a:1\n', 'x.yml: [0].targets: must be a list of target addresses, got "a:1" (line 1)'],
    ['x.json', '[{"targets": ["a:1"], "labels": {"n": 1}}]', 'x.json: [0].labels.n: label value must be a string, got 1 (line 1)'],
    ['x.json', '[{"targets": ["a:1"], "labels": {"": "v"}}]', 'x.json: [0].labels.: invalid label name "" (line 1)'],
  ];
  for (const [name, text, message] of cases) {
    assert.throws(
      () => parseFileSd(text, name),
      (err: ConfigError) => {
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.ok(err.message.startsWith(message), `${err.message}\n  should start with\n${message}`);
        return true;
      },
      text,
    );
  }
  assert.throws(() => readFileSdFile(join(dir, 'missing.json')), { message: /missing\.json: cannot read file: ENOENT/ });
});

interface Event {
  file: string;
  groups: TargetGroup[];
  all: TargetGroup[];
}

function record(configs: Array<{ files: string[]; refreshIntervalMs: number }>) {
  const events: Event[] = [];
  const errors: ConfigError[] = [];
  const w = new FileSdWatcher(
    configs,
    { onGroups: (file, groups, all) => events.push({ file, groups, all }), onError: (e) => errors.push(e) },
    { debounceMs: 10 },
  );
  watchers.push(w);
  return { w, events, errors };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('FileSdWatcher: initial read, change, broken file keeps groups, new and removed files', async () => {
  const sd = join(dir, 'watch');
  mkdirSync(sd);
  const a = join(sd, 'a.json');
  writeFileSync(a, JSON.stringify([{ targets: ['h:1'] }]));
  // fs.watch sees the changes at once; the 1 s refresh is only a fallback.
  const { w, events, errors } = record([{ files: [join(sd, '*.json')], refreshIntervalMs: 1000 }]);
  w.start();
  assert.deepEqual(
    events.map((e) => [e.file, e.groups.flatMap((g) => g.targets)]),
    [[a, ['h:1']]],
  );

  // An edit (written atomically, as tools do) is seen through fs.watch.
  writeFileSync(`${a}.tmp`, JSON.stringify([{ targets: ['h:1', 'h:2'] }]));
  renameSync(`${a}.tmp`, a);
  await waitFor('the edit', () => events.length === 2);
  assert.deepEqual(events[1]?.groups[0]?.targets, ['h:1', 'h:2']);

  // A broken file reports an error and its previous groups stay.
  writeFileSync(a, '[{"targets": ');
  await waitFor('the error', () => errors.length > 0);
  assert.equal(errors[0]?.file, a);
  assert.match(errors[0]?.message ?? '', /invalid JSON/);
  assert.deepEqual(
    w.groups().flatMap((g) => g.targets),
    ['h:1', 'h:2'],
  );
  assert.equal(events.length, 2);
  const reported = errors.length;
  w.refresh();
  assert.equal(errors.length, reported, 'the same error is reported once');

  // A new file is added; `all` has both files' groups.
  const b = join(sd, 'b.json');
  writeFileSync(b, JSON.stringify([{ targets: ['h:3'] }]));
  await waitFor('the new file', () => events.some((e) => e.file === b));
  assert.deepEqual(
    events.at(-1)?.all.flatMap((g) => g.targets),
    ['h:1', 'h:2', 'h:3'],
  );

  // Removing a file reports it with no groups.
  rmSync(b);
  await waitFor('the removal', () => events.some((e) => e.file === b && e.groups.length === 0));
  assert.deepEqual(
    w.groups().flatMap((g) => g.targets),
    ['h:1', 'h:2'],
  );
  w.stop();
});

test('FileSdWatcher: refresh_interval re-reads even where nothing can be watched', async () => {
  const missingDir = join(dir, 'later');
  const { w, events } = record([{ files: [join(missingDir, 't.yml')], refreshIntervalMs: 50 }]);
  w.start();
  assert.equal(events.length, 0);
  mkdirSync(missingDir);
  writeFileSync(join(missingDir, 't.yml'), '- targets: [h:9]\n');
  await waitFor('the refresh', () => events.length === 1);
  assert.deepEqual(events[0]?.groups[0]?.targets, ['h:9']);
  w.stop();
});

test('FileSdWatcher: unchanged content is not reported again', () => {
  const f = join(dir, 'same.yml');
  writeFileSync(f, '- targets: [h:1]\n');
  const { w, events } = record([{ files: [f], refreshIntervalMs: 60_000 }]);
  w.start();
  w.refresh();
  writeFileSync(f, '- targets: [h:1]  # same\n');
  w.refresh();
  assert.equal(events.length, 1);
  w.stop();
});
