import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../testing/seeded-random.js';
import { mergeTargetLabels, sortLabels, withTargetLabels } from './sample-labels.js';

/** The reference: pairs sorted by name with Array#sort, empty values dropped. */
function reference(labels: string[]): string[] {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < labels.length; i += 2) if (labels[i + 1] !== '') pairs.push([labels[i] as string, labels[i + 1] as string]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.flat();
}

test('sortLabels equals a reference sort for repeated, changing and emptied label sets', () => {
  const rand = seededRandom(7).below;
  const names = ['method', 'code', 'job', 'instance', 'le', 'a', 'zone', '__meta'];
  let schema = ['code', 'method', 'instance'];
  for (let i = 0; i < 5000; i++) {
    // Mostly the same names as the line before (a family), sometimes new ones.
    if (rand(10) === 0)
      schema = Array.from({ length: 1 + rand(6) }, () => names[rand(names.length)] as string).filter((n, k, a) => a.indexOf(n) === k);
    const labels = schema.flatMap((n) => [n, rand(8) === 0 ? '' : `v${rand(5)}`]);
    assert.deepEqual(sortLabels(labels), reference(labels), JSON.stringify(labels));
  }
});

test('mergeTargetLabels: target labels win, or the sample keeps them with honor_labels; exported_ prefixes', () => {
  const target = ['instance', 't:1', 'job', 'j'];
  assert.deepEqual(sortLabels(mergeTargetLabels(['a', '1'], target, false)), ['a', '1', 'instance', 't:1', 'job', 'j']);
  assert.deepEqual(sortLabels(mergeTargetLabels(['job', 'mine'], target, false)), ['exported_job', 'mine', 'instance', 't:1', 'job', 'j']);
  assert.deepEqual(sortLabels(mergeTargetLabels(['job', 'mine'], target, true)), ['instance', 't:1', 'job', 'mine']);
  assert.deepEqual(sortLabels(mergeTargetLabels(['job', 'x', 'exported_job', 'y'], target, false)), [
    'exported_exported_job',
    'x',
    'exported_job',
    'y',
    'instance',
    't:1',
    'job',
    'j',
  ]);
});

test('withTargetLabels equals sorting the merge, across targets, conflicts, honor_labels and empty values', () => {
  const rand = seededRandom(11).below;
  const names = ['method', 'code', 'job', 'instance', 'le', 'a', 'zone', 'exported_job'];
  const targets = [
    ['instance', 't:1', 'job', 'j'],
    ['env', 'prod', 'instance', 't:2', 'job', 'k'],
    ['job', 'j', 'zone', ''],
  ];
  let schema = ['code', 'method'];
  for (let i = 0; i < 5000; i++) {
    if (rand(10) === 0)
      schema = Array.from({ length: rand(6) }, () => names[rand(names.length)] as string).filter((n, k, a) => a.indexOf(n) === k);
    const target = targets[rand(10) === 0 ? rand(targets.length) : 0] as string[];
    const honor = rand(4) === 0;
    const labels = schema.flatMap((n) => [n, rand(12) === 0 ? '' : `v${rand(5)}`]);
    const expected = sortLabels(mergeTargetLabels(labels.slice(), target, honor));
    assert.deepEqual(withTargetLabels(labels.slice(), target, honor), expected, `${JSON.stringify(labels)} + ${JSON.stringify(target)}`);
  }
});
